import { useMessenger } from '../messenger'

const cache = new Map<string, Promise<string>>()

/** An attachment as a blob: URL (the server wants the token, which only the client holds). */
export function useAttachmentUrl(): (fileUrl: string) => Promise<string> {
  const api = useMessenger()
  return (fileUrl) => {
    let url = cache.get(fileUrl)
    if (!url) {
      url = api.getFile(fileUrl).then((file) => URL.createObjectURL(new Blob([file.bytes as Uint8Array<ArrayBuffer>], { type: file.type })))
      url.catch(() => cache.delete(fileUrl))
      cache.set(fileUrl, url)
    }
    return url
  }
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(bytes < 10 * 1024 ? 1 : 0)} KB`
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`
}

