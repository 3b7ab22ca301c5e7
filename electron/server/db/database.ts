import { mkdirSync } from 'node:fs'
import path from 'node:path'
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3'
import { PrismaPg } from '@prisma/adapter-pg'
import type { Db } from './client'
import { PrismaClient as PostgresPrismaClient } from './generated/postgres/client'
import { PrismaClient } from './generated/sqlite/client'
import { migratePostgres } from './migrate-postgres'
import { migrateSqlite, type MigrationReport } from './migrate-sqlite'
import type { DatabasePorts } from './ports'
import { PrismaInboxReader } from './prisma/inbox'
import { PostgresMessageWriter } from './prisma/writer'
import { SqliteInboxReader } from './sqlite/inbox'
import { SqliteSearchIndex } from './sqlite/search'
import { PostgresSearchIndex } from './prisma/search'
import { SqliteMessageWriter } from './sqlite/writer'

/**
 * An open database: the Prisma client for everything else, and the engine's own implementations of
 * the ports (chosen here, and only here).
 */
export interface Database extends DatabasePorts {
  db: Db
  engine: 'sqlite' | 'postgres'
  migrations: MigrationReport
  close(): Promise<void>
}

export interface SqliteOptions {
  dataDir: string
  migrationsDir: string
  /** Log every SQL statement to this function (tests count queries with it). */
  onQuery?: (sql: string) => void
  /** Keep the search index (ServerConfig.searchIndex; default true). */
  searchIndex?: boolean
}

export const sqliteFile = (dataDir: string): string => path.join(dataDir, 'switchboard.db')

/** Migrates, then opens the data folder's SQLite database in WAL mode. */
export async function openSqlite(options: SqliteOptions): Promise<Database> {
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 })
  const file = sqliteFile(options.dataDir)
  const searchIndex = options.searchIndex ?? true
  const migrations = migrateSqlite(file, options.migrationsDir, { searchIndex })
  const adapter = new PrismaBetterSqlite3({ url: `file:${file}`, timeout: 10_000 })
  const db = options.onQuery
    ? new PrismaClient({ adapter, log: [{ emit: 'event', level: 'query' }] })
    : new PrismaClient({ adapter })
  if (options.onQuery) {
    const onQuery = options.onQuery
    ;(db as PrismaClient<'query'>).$on('query', (event) => onQuery(event.query))
  }
  // WAL lets readers run beside the writer; NORMAL syncs at checkpoints, which survives a killed
  // process (not a power cut of the machine), the trade every desktop SQLite app makes.
  await db.$queryRawUnsafe('PRAGMA journal_mode = WAL')
  await db.$queryRawUnsafe('PRAGMA synchronous = NORMAL')
  await db.$queryRawUnsafe('PRAGMA foreign_keys = ON')
  const writer = new SqliteMessageWriter(file, { searchIndex })
  const inbox = new SqliteInboxReader(file)
  const search = new SqliteSearchIndex(file)
  return {
    db,
    engine: 'sqlite',
    migrations,
    writer,
    inbox,
    search,
    close: async () => {
      writer.close()
      inbox.close()
      search.close()
      await db.$disconnect()
    },
  }
}

export interface PostgresOptions {
  /** postgresql://user@host:port/database, optionally with Prisma's `?schema=` (default public). */
  url: string
  migrationsDir: string
  searchIndex?: boolean
}

/** Splits Prisma's `schema` parameter off a PostgreSQL URL (the pg driver does not know it). */
export function postgresTarget(url: string): { connectionString: string; schema: string } {
  const u = new URL(url)
  const schema = u.searchParams.get('schema') ?? 'public'
  u.searchParams.delete('schema')
  return { connectionString: u.toString(), schema }
}

/** Migrates, then opens PostgreSQL through Prisma's pg adapter: the scale-out engine. */
export async function openPostgres(options: PostgresOptions): Promise<Database> {
  const { connectionString, schema } = postgresTarget(options.url)
  const searchIndex = options.searchIndex ?? true
  const migrations = await migratePostgres(connectionString, schema, options.migrationsDir, { searchIndex })
  const adapter = new PrismaPg({ connectionString, max: 10 }, { schema })
  // Both clients come from one schema (prisma/postgres is derived from prisma/schema.prisma): the
  // model API the services use is the same.
  const db = new PostgresPrismaClient({ adapter }) as unknown as Db
  await db.$connect()
  return {
    db,
    engine: 'postgres',
    migrations,
    writer: new PostgresMessageWriter(db, schema, { searchIndex }),
    inbox: new PrismaInboxReader(db),
    search: new PostgresSearchIndex(db, schema),
    close: () => db.$disconnect(),
  }
}
