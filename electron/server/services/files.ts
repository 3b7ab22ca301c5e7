import { randomUUID } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { mkdir, open, rename, rm, stat } from 'node:fs/promises'
import path from 'node:path'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { UploadedFileDto } from '../../shared/dto'
import { isImageType, LIMITS } from '../../shared/limits'
import type { AttachmentInput } from '../../shared/schemas'
import type { Db } from '../db/client'
import { AppError } from '../../shared/result'
import { badRequest, forbidden, notFound } from '../errors'
import type { Actor } from './types'

export const FILE_URL_PREFIX = '/api/files/'


export interface ResolvedAttachment {
  file_url: string
  file_name: string
  file_type: string
  size: number
}

export interface StoredFileInfo {
  path: string
  file_name: string
  file_type: string
  size: number
  inline: boolean
}

/** A name safe to show and to put in a header: no folders, no control characters, not too long. */
export function safeFileName(name: string | undefined): string {
  const base = (name ?? '').split(/[\\/]/).pop() ?? ''
  // eslint-disable-next-line no-control-regex
  const cleaned = base.replace(/[\u0000-\u001F\u007F"]/g, '').replace(/^\.+/, '').trim().slice(0, LIMITS.fileNameMaxChars)
  return cleaned || 'file'
}

/** What the bytes are, never what the client claims. */
async function sniff(file: string): Promise<string> {
  const { fileTypeFromFile } = await import('file-type')
  const detected = await fileTypeFromFile(file)
  if (detected) return detected.mime
  const handle = await open(file, 'r')
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(8192), 0, 8192, 0)
    const head = buffer.subarray(0, bytesRead)
    if (head.includes(0)) return 'application/octet-stream'
    try {
      // A multi-byte character may be cut at the end of the sample: allow that much.
      new TextDecoder('utf-8', { fatal: true }).decode(head.subarray(0, Math.max(0, bytesRead - 3)))
      return 'text/plain'
    } catch {
      return 'application/octet-stream'
    }
  } finally {
    await handle.close()
  }
}

export class FileService {
  private readonly dir: string

  constructor(
    private readonly db: Db,
    filesDir: string,
  ) {
    this.dir = filesDir
  }

  /**
   * Streams an upload to disk under a generated name. `truncated()` tells whether the stream was cut
   * at the size limit; then nothing is kept.
   */
  async store(actor: Actor, upload: { fileName: string | undefined; stream: Readable; truncated(): boolean }, maxBytes: number): Promise<UploadedFileDto> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 })
    const storedName = randomUUID()
    const partial = path.join(this.dir, `${storedName}.part`)
    try {
      await pipeline(upload.stream, createWriteStream(partial, { mode: 0o600 }))
      if (upload.truncated()) throw new AppError('payload_too_large', `The file is larger than the ${Math.floor(maxBytes / 1024 / 1024)} MiB limit.`)
      const { size } = await stat(partial)
      if (size === 0) throw badRequest('is empty', 'file')
      const file_type = await sniff(partial)
      const file_name = safeFileName(upload.fileName)
      await rename(partial, path.join(this.dir, storedName))
      await this.db.storedFile.create({ data: { stored_name: storedName, uploader_id: actor.user_id, file_name, file_type, size } })
      return { file_url: FILE_URL_PREFIX + storedName, file_name, file_type, size }
    } catch (error) {
      await rm(partial, { force: true })
      await rm(path.join(this.dir, storedName), { force: true })
      throw error
    }
  }

  /** The attachments of a new message, from the sender's own uploads; type and size are ours. */
  async resolveAttachments(actor: Actor, inputs: AttachmentInput[]): Promise<ResolvedAttachment[]> {
    if (inputs.length === 0) return []
    const names = inputs.map((a, i) => {
      if (!a.file_url.startsWith(FILE_URL_PREFIX)) throw badRequest(`must be a file_url returned by POST /api/files`, `attachments.${i}.file_url`)
      return a.file_url.slice(FILE_URL_PREFIX.length)
    })
    const files = await this.db.storedFile.findMany({ where: { stored_name: { in: names }, uploader_id: actor.user_id } })
    const byName = new Map(files.map((f) => [f.stored_name, f]))
    return inputs.map((a, i) => {
      const file = byName.get(names[i] as string)
      if (!file) throw badRequest('is not a file you uploaded', `attachments.${i}.file_url`)
      return { file_url: a.file_url, file_name: a.file_name ? safeFileName(a.file_name) : file.file_name, file_type: file.file_type, size: file.size }
    })
  }

  /**
   * Only the uploader, or someone who can read a message that carries the file: a member of its
   * conversation, or a removed member when the message came before their removal.
   */
  async openForRead(actor: Actor, storedName: string): Promise<StoredFileInfo> {
    const file = await this.db.storedFile.findUnique({ where: { stored_name: storedName } })
    if (!file) throw notFound('No such file.')
    if (file.uploader_id !== actor.user_id) {
      const references = await this.db.messageAttachment.findMany({
        where: { file_url: FILE_URL_PREFIX + storedName, message: { conversation: { participants: { some: { user_id: actor.user_id } } } } },
        select: { message: { select: { message_id: true, conversation: { select: { participants: { where: { user_id: actor.user_id }, select: { removed_at: true, visible_until: true } } } } } } },
      })
      const readable = references.some(({ message }) => {
        const me = message.conversation.participants[0]
        return me !== undefined && (me.removed_at === null || message.message_id <= (me.visible_until ?? 0))
      })
      if (!readable) throw forbidden('This file is not in any of your conversations.')
    }
    return {
      path: path.join(this.dir, storedName),
      file_name: file.file_name,
      file_type: file.file_type,
      size: file.size,
      inline: isImageType(file.file_type),
    }
  }

  /**
   * Removes these files (a deleted message's) from storage, each once no message uses it any more:
   * it then answers 404 to everyone, its uploader too.
   */
  async forget(fileUrls: string[]): Promise<void> {
    for (const url of new Set(fileUrls)) {
      if (!url.startsWith(FILE_URL_PREFIX)) continue
      if ((await this.db.messageAttachment.count({ where: { file_url: url } })) > 0) continue
      const storedName = url.slice(FILE_URL_PREFIX.length)
      await this.db.storedFile.deleteMany({ where: { stored_name: storedName } })
      await rm(path.join(this.dir, storedName), { force: true })
    }
  }
}
