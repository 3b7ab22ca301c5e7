// Host mode: the embedded server runs in a process of its own (Electron recommends a utilityProcess
// for a standalone Node server with SQLite), out of the way of the window's main process.
import type { ChildMessage, ParentMessage } from '../shared/host-messages'
import { Emitter } from '../shared/emitter'

/** The little the launcher needs of a child process; utilityProcess and child_process.fork both fit. */
export interface ServerProcess {
  onMessage(listener: (message: unknown) => void): void
  onExit(listener: (code: number | null) => void): void
  postMessage(message: unknown): void
  kill(): void
}

export type SpawnServer = (args: string[]) => ServerProcess

export interface HostOptions {
  dataDir: string
  /** Share on the LAN (all interfaces) or keep to this computer (loopback). */
  lan: boolean
  /** A stable port keeps the URL others saved; 0 picks any free one. */
  port: number
  migrationsDir?: string
  startTimeoutMs?: number
}

export interface EmbeddedServer {
  /** How this app reaches it: always loopback. */
  url: string
  port: number
  /** Ends the server gracefully (it finishes writes under way); kills it if it does not exit in time. */
  stop(timeoutMs?: number): Promise<void>
  /** Returns the unsubscribe. */
  onExit(listener: (code: number | null) => void): () => void
}

export function serverArgs(options: HostOptions): string[] {
  return [
    '--host', options.lan ? '0.0.0.0' : '127.0.0.1',
    '--port', String(options.port),
    '--data', options.dataDir,
    ...(options.migrationsDir ? ['--migrations', options.migrationsDir] : []),
  ]
}

export function startEmbeddedServer(spawn: SpawnServer, options: HostOptions): Promise<EmbeddedServer> {
  const child = spawn(serverArgs(options))
  let exited = false
  const exits = new Emitter<{ exit: number | null }>()
  const exitedPromise = new Promise<void>((resolve) => {
    child.onExit((code) => {
      exited = true
      exits.emit('exit', code)
      resolve()
    })
  })
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill()
      reject(new Error('The embedded server did not start in time.'))
    }, options.startTimeoutMs ?? 30_000)
    child.onExit((code) => {
      clearTimeout(timer)
      reject(new Error(`The embedded server stopped while starting (exit code ${code}).`))
    })
    child.onMessage((raw) => {
      const message = raw as ChildMessage
      if (message?.type === 'error') {
        clearTimeout(timer)
        reject(new Error(`The embedded server could not start: ${message.message}`))
      }
      if (message?.type !== 'ready') return
      clearTimeout(timer)
      const port = Number(new URL(message.url).port)
      resolve({
        url: `http://127.0.0.1:${port}`,
        port,
        onExit: (listener) => exits.on('exit', listener),
        async stop(timeoutMs = 10_000) {
          if (exited) return
          child.postMessage({ type: 'stop' } satisfies ParentMessage)
          const timedOut = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), timeoutMs))
          if ((await Promise.race([exitedPromise, timedOut])) === 'timeout') {
            child.kill()
            await exitedPromise
          }
        },
      })
    })
  })
}
