import { z } from 'zod'
import { JsonFile } from './file-store'
import type { ServerMode } from '../shared/messenger-api'

/** The app's settings file; anything unreadable falls back to the defaults rather than failing to start. */
export const settingsSchema = z.object({
  mode: z.enum(['host', 'join']).nullable().catch(null),
  /** Host mode: share the embedded server on the LAN. */
  lan: z.boolean().catch(false),
  /** Host mode: the port tried first, so a shared URL stays the same across restarts. */
  host_port: z.number().int().min(0).max(65535).catch(47300),
  /** Join mode: the server's URL. */
  join_url: z.string().nullable().catch(null),
  do_not_disturb: z.boolean().catch(false),
  /** The name announced on the LAN. */
  host_name: z.string().max(64).nullable().catch(null),
})

export type Settings = z.infer<typeof settingsSchema>

export const DEFAULT_SETTINGS: Settings = { mode: null, lan: false, host_port: 47300, join_url: null, do_not_disturb: false, host_name: null }

export class SettingsStore {
  private readonly json: JsonFile<unknown>
  private current: Settings = { ...DEFAULT_SETTINGS }

  constructor(file: string) {
    this.json = new JsonFile(file)
  }

  async load(): Promise<Settings> {
    let raw: unknown = null
    try {
      raw = await this.json.read()
    } catch {
      // A damaged file: start from the defaults; the next save replaces it.
    }
    this.current = settingsSchema.parse({ ...DEFAULT_SETTINGS, ...(raw && typeof raw === 'object' ? raw : {}) })
    return this.get()
  }

  get(): Settings {
    return { ...this.current }
  }

  async update(changes: Partial<Settings>): Promise<Settings> {
    this.current = settingsSchema.parse({ ...this.current, ...changes })
    await this.json.write(this.current)
    return this.get()
  }
}

export type { ServerMode }
