import { readFileSync, statSync, writeFileSync, cpSync } from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, expect, it } from 'vitest'
import { SOURCE_MIGRATIONS_DIR } from '../../electron/server/config'
import { sqliteFile } from '../../electron/server/db/database'
import { migrateSqlite } from '../../electron/server/db/migrate-sqlite'
import { diffMigrationsToSchema, prismaMigrateDeploy } from '../../prisma/tools/schema-engine'
import { Api, pair } from '../helpers/api'
import { startServer, tempDir, type TestServer } from '../helpers/server'

const SCHEMA = path.resolve(__dirname, '../../prisma/schema.prisma')
const servers: TestServer[] = []
afterAll(async () => {
  for (const s of servers) await s.close().catch(() => {})
})

it('keeps users, conversations, messages and tokens across a restart, without re-applying migrations', async () => {
  const first = await startServer()
  const { ada, bob, conversationId } = await pair(first.url)
  const sent = (await ada.api.post(`/api/messages/${conversationId}`, { content: 'remember me', sender_id: ada.user.user_id })).body
  expect(first.server.database.migrations.applied.length).toBeGreaterThan(0)
  const secret = readFileSync(path.join(first.dataDir, 'jwt-secret'), 'utf8')
  expect(statSync(path.join(first.dataDir, 'jwt-secret')).mode & 0o777).toBe(0o600)
  await first.close({ keepData: true })

  const second = await startServer({ dataDir: first.dataDir })
  servers.push(second)
  expect(second.server.database.migrations.applied).toEqual([])
  expect(second.server.database.migrations.alreadyApplied).toEqual(first.server.database.migrations.applied)
  expect(readFileSync(path.join(first.dataDir, 'jwt-secret'), 'utf8')).toBe(secret)
  // The old token still works: the secret was kept.
  const api = new Api(second.url, bob.token)
  const history = (await api.get(`/api/messages/${conversationId}`)).body
  expect(history).toEqual([sent])
  const login = await new Api(second.url).post('/api/auth/login', { username: ada.user.username, password: 'correct horse battery' })
  expect(login.status).toBe(200)
  const rows = new Database(sqliteFile(first.dataDir), { readonly: true }).prepare('SELECT COUNT(*) AS n FROM _prisma_migrations').get() as { n: number }
  expect(rows.n).toBe(first.server.database.migrations.applied.length)
})

it('runs SQLite in WAL mode', async () => {
  const srv = await startServer()
  servers.push(srv)
  const [mode] = await srv.server.database.db.$queryRawUnsafe<{ journal_mode: string }[]>('PRAGMA journal_mode')
  expect(mode?.journal_mode).toBe('wal')
})

it('has migrations that build exactly prisma/schema.prisma (no drift)', async () => {
  expect(await diffMigrationsToSchema(SOURCE_MIGRATIONS_DIR, SCHEMA)).toBe('')
})

it('records migrations so that Prisma’s own migrate deploy agrees, both ways', async () => {
  const ours = path.join(tempDir(), 'ours.db')
  expect(migrateSqlite(ours, SOURCE_MIGRATIONS_DIR).applied.length).toBeGreaterThan(0)
  expect(await prismaMigrateDeploy(`file:${ours}`, SOURCE_MIGRATIONS_DIR, SCHEMA)).toEqual([])

  const theirs = path.join(tempDir(), 'theirs.db')
  expect((await prismaMigrateDeploy(`file:${theirs}`, SOURCE_MIGRATIONS_DIR, SCHEMA)).length).toBeGreaterThan(0)
  expect(migrateSqlite(theirs, SOURCE_MIGRATIONS_DIR).applied).toEqual([])
})

it('refuses to start on a migration that was edited after it was applied', async () => {
  const dir = tempDir()
  cpSync(SOURCE_MIGRATIONS_DIR, dir, { recursive: true })
  const db = path.join(tempDir(), 'edited.db')
  const [name] = migrateSqlite(db, dir).applied
  const file = path.join(dir, name!, 'migration.sql')
  writeFileSync(file, readFileSync(file, 'utf8') + '\n-- edited\n')
  expect(() => migrateSqlite(db, dir)).toThrow(/was changed after it was applied/)
})
