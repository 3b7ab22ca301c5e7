import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { ServerConfig } from '../../electron/server/config'
import { createServer, type CreateServerOptions, type SwitchboardServer } from '../../electron/server/create-server'

export interface TestServer {
  server: SwitchboardServer
  url: string
  dataDir: string
  /** Closes the server and, unless kept, removes its data folder. */
  close(options?: { keepData?: boolean }): Promise<void>
}

export const tempDir = (prefix = 'switchboard-test-'): string => mkdtempSync(path.join(tmpdir(), prefix))

/** A real server on 127.0.0.1, port 0, with a fresh data folder (or the one given). */
export async function startServer(config: Partial<ServerConfig> = {}, options: Omit<CreateServerOptions, 'config'> = {}): Promise<TestServer> {
  const dataDir = config.dataDir ?? tempDir()
  const server = await createServer({ config: { host: '127.0.0.1', port: 0, logLevel: 'silent', ...config, dataDir }, ...options })
  const url = await server.listen()
  return {
    server,
    url,
    dataDir,
    async close({ keepData = false } = {}) {
      await server.close()
      if (!keepData) rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

/** Limits high enough that tests of other things never meet them. */
export const noLimits: Partial<ServerConfig> = {
  sendRate: { points: 1_000_000, windowSeconds: 1 },
  registerRate: { points: 1_000_000, windowSeconds: 1 },
  typingRate: { points: 1_000_000, windowSeconds: 1 },
  uploadRate: { points: 1_000_000, windowSeconds: 1 },
}
