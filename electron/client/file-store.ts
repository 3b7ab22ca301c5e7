// Node only (the desktop app's main process): the web client uses WebStorageStore instead.
import { mkdir, open, readFile, rename } from 'node:fs/promises'
import path from 'node:path'
import type { ClientState, ClientStore } from './store'

/** A JSON file replaced atomically and flushed to disk, so a crash or power cut keeps the last save whole. */
export class FileStore implements ClientStore {
  private queue: Promise<void> = Promise.resolve()
  private next: { text: string; done: Promise<void> } | null = null

  constructor(private readonly file: string) {}

  async load(): Promise<ClientState | null> {
    try {
      return JSON.parse(await readFile(this.file, 'utf8')) as ClientState
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
      throw error
    }
  }

  /** One write at a time; saves made while one is under way coalesce into the next, and the last wins. */
  save(state: ClientState): Promise<void> {
    const text = JSON.stringify(state)
    if (this.next) {
      this.next.text = text
      return this.next.done
    }
    const slot: { text: string; done: Promise<void> } = { text, done: Promise.resolve() }
    slot.done = this.queue.catch(() => {}).then(() => {
      this.next = null
      return this.write(slot.text)
    })
    this.next = slot
    this.queue = slot.done
    return slot.done
  }

  private async write(text: string): Promise<void> {
    await mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 })
    const temp = `${this.file}.tmp`
    const handle = await open(temp, 'w', 0o600)
    try {
      await handle.writeFile(text)
      await handle.datasync()
    } finally {
      await handle.close()
    }
    await rename(temp, this.file)
  }
}
