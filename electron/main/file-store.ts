// The desktop app's files (the outbox, settings, the session): Node only, so in main; the web client
// keeps its outbox with WebStorageStore instead.
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises'
import path from 'node:path'
import type { ClientState, ClientStore } from '../client/store'

/**
 * A JSON file replaced atomically and flushed to disk, so a crash or power cut keeps the last save
 * whole. One write at a time; saves made while one is under way coalesce into the next.
 */
export class JsonFile<T> {
  private queue: Promise<void> = Promise.resolve()
  private next: { text: string; done: Promise<void> } | null = null

  constructor(readonly file: string) {}

  async read(): Promise<T | null> {
    try {
      return JSON.parse(await readFile(this.file, 'utf8')) as T
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
      throw error
    }
  }

  write(value: T): Promise<void> {
    const text = JSON.stringify(value)
    if (this.next) {
      this.next.text = text
      return this.next.done
    }
    const slot: { text: string; done: Promise<void> } = { text, done: Promise.resolve() }
    slot.done = this.queue.catch(() => {}).then(() => {
      this.next = null
      return this.replace(slot.text)
    })
    this.next = slot
    this.queue = slot.done
    return slot.done
  }

  async remove(): Promise<void> {
    await this.queue.catch(() => {})
    await rm(this.file, { force: true })
  }

  private async replace(text: string): Promise<void> {
    await mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 })
    // A name of its own per write: two writers of one file never rename each other's temp file away.
    const temp = `${this.file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`
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

/** ChatClient's outbox and cursor in a file. */
export class FileStore implements ClientStore {
  private readonly json: JsonFile<ClientState>

  constructor(file: string) {
    this.json = new JsonFile(file)
  }

  load(): Promise<ClientState | null> {
    return this.json.read()
  }

  save(state: ClientState): Promise<void> {
    return this.json.write(state)
  }
}
