// The database's shape: SQLite and PostgreSQL migrations, applied by the server itself at start-up,
// kept in step with the one schema (prisma/schema.prisma) and with each other.
import { cpSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import pg from 'pg'
import { indexText } from '../../electron/shared/search-text'
import { afterAll, describe, expect, it } from 'vitest'
import { SOURCE_MIGRATIONS_DIR, SOURCE_POSTGRES_MIGRATIONS_DIR } from '../../electron/server/config'
import { postgresTarget } from '../../electron/server/db/database'
import { migratePostgres } from '../../electron/server/db/migrate-postgres'
import { migrateSqlite } from '../../electron/server/db/migrate-sqlite'
import { derivePostgresSchema, POSTGRES_SCHEMA, SQLITE_SCHEMA } from '../../prisma/tools/postgres-schema'
import { DEV_POSTGRES_URL, diffMigrationsToSchema, prismaMigrateDeploy } from '../../prisma/tools/schema-engine'
import { startServer, tempDir, type TestServer } from '../helpers/server'

const SCHEMA = SQLITE_SCHEMA
const servers: TestServer[] = []
const schemas: string[] = []
afterAll(async () => {
  for (const s of servers) await s.close().catch(() => {})
  const client = new pg.Client({ connectionString: DEV_POSTGRES_URL })
  await client.connect()
  for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
  await client.end()
})

/** A copy of a migrations folder holding the migrations up to and including `last`. */
function migrationsUpTo(dir: string, last: string): string {
  const copy = tempDir()
  cpSync(dir, copy, { recursive: true, filter: (source) => { const name = path.relative(dir, source).split(path.sep)[0]!; return !/^\d{14}_/.test(name) || name <= last } })
  return copy
}

/** Rows as the first release wrote them: two people, their chat, two messages (ids 1 and 5). */
const UPGRADE_ROWS = `
  INSERT INTO "User" (user_id, username, display_name, password_hash) VALUES (1, 'ada', 'Ada', 'x'), (2, 'bob', 'Bob', 'x');
  INSERT INTO "Conversation" (conversation_id, direct_key) VALUES (1, '1:2');
  INSERT INTO "ConversationParticipant" (conversation_id, user_id) VALUES (1, 1), (1, 2);
  INSERT INTO "Message" (message_id, conversation_id, sender_id, content) VALUES (1, 1, 1, 'First'), (5, 1, 2, 'Fünfte'), (6, 1, 2, '');`

/** A fresh PostgreSQL schema on the local server. */
function freshSchema(): string {
  const schema = `mig_${process.pid}_${schemas.length}_${Date.now() % 100000}`
  schemas.push(schema)
  return schema
}

async function pgCatalog(schema: string): Promise<Record<string, string[]>> {
  const client = new pg.Client({ connectionString: DEV_POSTGRES_URL })
  await client.connect()
  try {
    const columns = await client.query<{ table_name: string; column_name: string }>(
      `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name <> '_prisma_migrations' AND table_name NOT LIKE 'MessageSearch%' ORDER BY table_name, ordinal_position`,
      [schema],
    )
    const indexes = await client.query<{ tablename: string; indexname: string }>(`SELECT tablename, indexname FROM pg_indexes WHERE schemaname = $1 AND tablename <> '_prisma_migrations' AND tablename NOT LIKE 'MessageSearch%' AND indexname NOT LIKE '%_pkey'`, [schema])
    const out: Record<string, string[]> = {}
    for (const r of columns.rows) (out[r.table_name] ??= []).push(r.column_name)
    for (const r of indexes.rows) (out[`${r.tablename} indexes`] ??= []).push(r.indexname)
    for (const key of Object.keys(out)) if (key.endsWith(' indexes')) out[key]!.sort()
    return out
  } finally {
    await client.end()
  }
}

// The search index is built differently by design (an FTS5 table on SQLite, a table with a trigram
// index on PostgreSQL) and left out here; test/server/search.test.ts holds both to the same answers.
function sqliteCatalog(file: string): Record<string, string[]> {
  const db = new Database(file, { readonly: true })
  try {
    const out: Record<string, string[]> = {}
    const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '_prisma_migrations' AND name NOT LIKE 'MessageSearch%' ORDER BY name`).all() as { name: string }[]
    for (const { name } of tables) {
      out[name] = (db.prepare(`SELECT name FROM pragma_table_info(?) ORDER BY cid`).all(name) as { name: string }[]).map((c) => c.name)
      const indexes = (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND name NOT LIKE 'sqlite_autoindex%'`).all(name) as { name: string }[]).map((i) => i.name)
      if (indexes.length) out[`${name} indexes`] = indexes.sort()
    }
    return out
  } finally {
    db.close()
  }
}

describe('SQLite', () => {
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

  it('upgrades a database of the first release keeping every row (rebuilt tables do not cascade), and gives its messages positions: each its id, the counter at the highest', () => {
    const before = migrationsUpTo(SOURCE_MIGRATIONS_DIR, '20261127090235_init')
    const file = path.join(tempDir(), 'upgrade.db')
    migrateSqlite(file, before)
    const db = new Database(file)
    try {
      db.exec(UPGRADE_ROWS)
      migrateSqlite(file, SOURCE_MIGRATIONS_DIR)
      expect(db.prepare('SELECT conversation_id, kind, user_id, role FROM ConversationParticipant JOIN Conversation USING (conversation_id) ORDER BY user_id').all()).toEqual([
        { conversation_id: 1, kind: 'direct', user_id: 1, role: 'member' },
        { conversation_id: 1, kind: 'direct', user_id: 2, role: 'member' },
      ])
      expect(db.prepare('SELECT message_id, seq FROM Message ORDER BY message_id').all()).toEqual([
        { message_id: 1, seq: 1 },
        { message_id: 5, seq: 5 },
        { message_id: 6, seq: 6 },
      ])
      expect(db.prepare('SELECT id, seq FROM ChangeFeed').all()).toEqual([{ id: 1, seq: 6 }])
      // The search index is filled for the messages already there (the empty one has nothing to find).
      const find = db.prepare<[string], { rowid: number }>('SELECT rowid FROM MessageSearch WHERE MessageSearch MATCH ? ORDER BY rowid')
      expect(find.all('"irs"').map((r) => r.rowid)).toEqual([1])
      expect(find.all('"funf"').map((r) => r.rowid)).toEqual([5])
      expect(db.prepare('SELECT count(*) AS n FROM MessageSearch_docsize').get()).toEqual({ n: 2 })
    } finally {
      db.close()
    }
  })

  it('runs SQLite in WAL mode', async () => {
    const srv = await startServer()
    servers.push(srv)
    const [mode] = await srv.server.database.db.$queryRawUnsafe<{ journal_mode: string }[]>('PRAGMA journal_mode')
    expect(mode?.journal_mode).toBe('wal')
  })
})

describe('PostgreSQL', () => {
  it('has its schema derived from the one source of truth, committed in step', () => {
    expect(readFileSync(POSTGRES_SCHEMA, 'utf8')).toBe(derivePostgresSchema(readFileSync(SQLITE_SCHEMA, 'utf8')))
    expect(readFileSync(path.join(SOURCE_POSTGRES_MIGRATIONS_DIR, 'schema-at-last-migration.prisma'), 'utf8')).toBe(readFileSync(POSTGRES_SCHEMA, 'utf8'))
  })

  it('builds the same tables, columns and indexes from its migrations as SQLite does from its own', async () => {
    const file = path.join(tempDir(), 'shape.db')
    migrateSqlite(file, SOURCE_MIGRATIONS_DIR)
    const schema = freshSchema()
    await migratePostgres(postgresTarget(DEV_POSTGRES_URL).connectionString, schema, SOURCE_POSTGRES_MIGRATIONS_DIR)
    const sqlite = sqliteCatalog(file)
    expect(Object.keys(sqlite).length).toBeGreaterThan(6)
    expect(await pgCatalog(schema)).toEqual(sqlite)
  })

  it('upgrades a database of the first release keeping every row, and gives its messages positions: each its id, the counter at the highest', async () => {
    const schema = freshSchema()
    const url = postgresTarget(DEV_POSTGRES_URL).connectionString
    await migratePostgres(url, schema, migrationsUpTo(SOURCE_POSTGRES_MIGRATIONS_DIR, '20261127090235_init'))
    const client = new pg.Client({ connectionString: DEV_POSTGRES_URL })
    await client.connect()
    try {
      await client.query(`SET search_path TO "${schema}"; ${UPGRADE_ROWS}`)
      await migratePostgres(url, schema, SOURCE_POSTGRES_MIGRATIONS_DIR)
      expect((await client.query('SELECT conversation_id, kind, user_id, role FROM "ConversationParticipant" JOIN "Conversation" USING (conversation_id) ORDER BY user_id')).rows).toEqual([
        { conversation_id: 1, kind: 'direct', user_id: 1, role: 'member' },
        { conversation_id: 1, kind: 'direct', user_id: 2, role: 'member' },
      ])
      expect((await client.query('SELECT message_id, seq FROM "Message" ORDER BY message_id')).rows).toEqual([
        { message_id: 1, seq: 1 },
        { message_id: 5, seq: 5 },
        { message_id: 6, seq: 6 },
      ])
      expect((await client.query('SELECT id, seq FROM "ChangeFeed"')).rows).toEqual([{ id: 1, seq: 6 }])
      // The search index is filled for the messages already there, with the text SQLite's gets (the empty one has nothing to find).
      expect((await client.query('SELECT message_id, text FROM "MessageSearch" ORDER BY message_id')).rows).toEqual([
        { message_id: 1, text: indexText('First') },
        { message_id: 5, text: indexText('Fünfte') },
      ])
    } finally {
      await client.end()
    }
  })

  it('migrates once when three nodes start together, and not again on restart', async () => {
    const schema = freshSchema()
    const url = postgresTarget(DEV_POSTGRES_URL).connectionString
    const reports = await Promise.all([1, 2, 3].map(() => migratePostgres(url, schema, SOURCE_POSTGRES_MIGRATIONS_DIR)))
    expect(reports.filter((r) => r.applied.length > 0)).toHaveLength(1)
    expect(reports.filter((r) => r.alreadyApplied.length > 0)).toHaveLength(2)
    expect((await migratePostgres(url, schema, SOURCE_POSTGRES_MIGRATIONS_DIR)).applied).toEqual([])
  })

  it('refuses to start on a migration that was edited after it was applied', async () => {
    const dir = tempDir()
    cpSync(SOURCE_POSTGRES_MIGRATIONS_DIR, dir, { recursive: true })
    const schema = freshSchema()
    const url = postgresTarget(DEV_POSTGRES_URL).connectionString
    const [name] = (await migratePostgres(url, schema, dir)).applied
    const file = path.join(dir, name!, 'migration.sql')
    writeFileSync(file, readFileSync(file, 'utf8') + '\n-- edited\n')
    await expect(migratePostgres(url, schema, dir)).rejects.toThrow(/was changed after it was applied/)
  })

  it('runs the server on DATABASE_URL with its own migrations applied at start-up', async () => {
    const url = new URL(DEV_POSTGRES_URL)
    url.searchParams.set('schema', freshSchema())
    const srv = await startServer({ databaseUrl: url.toString(), migrationsDir: SOURCE_POSTGRES_MIGRATIONS_DIR })
    servers.push(srv)
    expect(srv.server.database.engine).toBe('postgres')
    expect(srv.server.database.migrations.applied).toEqual(['20261127090235_init', '20261203120000_groups', '20261203150000_change_feed', '20261203160000_message_actions', '20261203180000_message_search'])
  })
})
