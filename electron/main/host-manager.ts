// Host mode as the app runs it: the embedded server (host.ts) on its usual port or any free one, on
// this computer or shared on the LAN and announced over mDNS, and started again if it stops by itself.
import { Emitter } from '../shared/emitter'
import type { Advertisement } from './discovery'
import { startEmbeddedServer, type EmbeddedServer, type SpawnServer } from './host'

export interface HostManagerDeps {
  spawnServer: SpawnServer
  /** The embedded server's data folder. */
  dataDir: string
  migrationsDir?: string
  /** Read at each start: the port tried first, and the name announced on the LAN (null: this computer's). */
  preferences(): { port: number; name: string | null }
  advertise(server: { name: string; port: number; version: string }): Advertisement
  /** This computer's LAN addresses (IPv4, not internal). */
  lanAddresses(): string[]
  hostName(): string
  version: string
  log: { warn(message: string, extra?: object): void }
}

export type HostManagerEvents = {
  /** The server stopped by itself and runs again, at this URL (the port may have changed). */
  restarted: string
}

export class HostManager {
  readonly events = new Emitter<HostManagerEvents>()
  private host: EmbeddedServer | null = null
  private lan = false
  private advertisement: Advertisement | null = null
  private closed = false

  constructor(private readonly deps: HostManagerDeps) {}

  /** How this app reaches the running server (loopback), or null. */
  get url(): string | null {
    return this.host?.url ?? null
  }

  /** Where others reach it while it is shared on the LAN. */
  lanUrls(): string[] {
    const host = this.host
    return host && this.lan ? this.deps.lanAddresses().map((a) => `http://${a}:${host.port}`) : []
  }

  /** (Re)starts the server, shared on the LAN or not; resolves with its URL. */
  async start(lan: boolean): Promise<string> {
    await this.stop()
    const { port, name } = this.deps.preferences()
    const options = { dataDir: this.deps.dataDir, lan, ...(this.deps.migrationsDir ? { migrationsDir: this.deps.migrationsDir } : {}) }
    let host: EmbeddedServer
    try {
      host = await startEmbeddedServer(this.deps.spawnServer, { ...options, port })
    } catch (error) {
      if (!/EADDRINUSE/.test(String(error))) throw error
      // The usual port is taken: any free port will do for this run.
      host = await startEmbeddedServer(this.deps.spawnServer, { ...options, port: 0 })
    }
    this.host = host
    this.lan = lan
    host.onExit((code) => {
      if (this.closed || this.host !== host) return
      this.deps.log.warn('embedded server stopped unexpectedly; restarting', { code })
      this.host = null
      this.start(lan).then(
        (url) => this.events.emit('restarted', url),
        (error: unknown) => this.deps.log.warn('restart failed', { error: String(error) }),
      )
    })
    if (lan) this.advertisement = this.deps.advertise({ name: name ?? this.deps.hostName(), port: host.port, version: this.deps.version })
    return host.url
  }

  /** Stops announcing and stops the server (it finishes its writes first). */
  async stop(): Promise<void> {
    await this.advertisement?.stop()
    this.advertisement = null
    const host = this.host
    this.host = null
    await host?.stop()
  }

  /** The app quits: stop, and never restart. */
  async close(): Promise<void> {
    this.closed = true
    await this.stop()
  }
}
