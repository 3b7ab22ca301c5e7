import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { SOURCE_POSTGRES_MIGRATIONS_DIR, type ServerConfig } from '../../electron/server/config'
import { createServer, type CreateServerOptions, type SwitchboardServer } from '../../electron/server/create-server'

export interface TestServer {
  server: SwitchboardServer
  url: string
  dataDir: string
  /** Closes the server and, unless kept, removes its data folder. */
  close(options?: { keepData?: boolean }): Promise<void>
}

export const tempDir = (prefix = 'switchboard-test-'): string => mkdtempSync(path.join(tmpdir(), prefix))

/**
 * SWITCHBOARD_TEST_POSTGRES=postgresql://… runs every test server on PostgreSQL: each data folder gets
 * a schema of its own (named from the folder, so a restart on the same folder finds its data again).
 */
export const TEST_POSTGRES = process.env.SWITCHBOARD_TEST_POSTGRES || null

export function postgresSchemaFor(dataDir: string): string {
  return `t_${createHash('sha256').update(dataDir).digest('hex').slice(0, 20)}`
}

export async function dropPostgresSchema(schema: string, url = TEST_POSTGRES!): Promise<void> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
  } finally {
    await client.end()
  }
}

/** The database part of a test server's config: SQLite in the data folder, or its PostgreSQL schema. */
export function databaseConfig(dataDir: string): Partial<ServerConfig> {
  if (!TEST_POSTGRES) return {}
  const url = new URL(TEST_POSTGRES)
  url.searchParams.set('schema', postgresSchemaFor(dataDir))
  return { databaseUrl: url.toString(), migrationsDir: SOURCE_POSTGRES_MIGRATIONS_DIR }
}

/** A real server on 127.0.0.1, port 0, with a fresh data folder (or the one given). */
export async function startServer(config: Partial<ServerConfig> = {}, options: Omit<CreateServerOptions, 'config'> = {}): Promise<TestServer> {
  const dataDir = config.dataDir ?? tempDir()
  const server = await createServer({ config: { host: '127.0.0.1', port: 0, logLevel: 'silent', ...databaseConfig(dataDir), ...config, dataDir }, ...options })
  const url = await server.listen()
  return {
    server,
    url,
    dataDir,
    async close({ keepData = false } = {}) {
      await server.close()
      if (!keepData) {
        rmSync(dataDir, { recursive: true, force: true })
        if (TEST_POSTGRES && !options.database) await dropPostgresSchema(postgresSchemaFor(dataDir))
      }
    },
  }
}

/** Limits high enough that tests of other things never meet them. */
export const noLimits: Partial<ServerConfig> = {
  sendRate: { points: 1_000_000, windowSeconds: 1 },
  registerRate: { points: 1_000_000, windowSeconds: 1 },
  typingRate: { points: 1_000_000, windowSeconds: 1 },
  uploadRate: { points: 1_000_000, windowSeconds: 1 },
  groupRate: { points: 1_000_000, windowSeconds: 1 },
  searchRate: { points: 1_000_000, windowSeconds: 1 },
}
