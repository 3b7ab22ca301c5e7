import { mkdirSync } from 'node:fs'
import path from 'node:path'
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3'
import { PrismaClient } from './generated/sqlite/client'
import type { MessageWriter } from './message-writer'
import { migrateSqlite, type MigrationReport } from './migrate-sqlite'
import { SqliteMessageWriter } from './sqlite-message-writer'
import { SqliteInboxReader, type InboxReader } from './sqlite-inbox'

/** The Prisma client every service uses; the PostgreSQL client exposes the same model API. */
export type Db = PrismaClient

export interface Database {
  db: Db
  engine: 'sqlite'
  migrations: MigrationReport
  /** The send path's writer; without one, the service layer writes through Prisma. */
  writer?: MessageWriter
  /** The inbox list's reader; without one, the service layer reads through Prisma. */
  inbox?: InboxReader
  close(): Promise<void>
}

export interface SqliteOptions {
  dataDir: string
  migrationsDir: string
  /** Log every SQL statement to this function (tests count queries with it). */
  onQuery?: (sql: string) => void
}

export const sqliteFile = (dataDir: string): string => path.join(dataDir, 'switchboard.db')

/** Migrates, then opens the data folder's SQLite database in WAL mode. */
export async function openSqlite(options: SqliteOptions): Promise<Database> {
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 })
  const file = sqliteFile(options.dataDir)
  const migrations = migrateSqlite(file, options.migrationsDir)
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
  const writer = new SqliteMessageWriter(file)
  const inbox = new SqliteInboxReader(file)
  return {
    db,
    engine: 'sqlite',
    migrations,
    writer,
    inbox,
    close: async () => {
      writer.close()
      inbox.close()
      await db.$disconnect()
    },
  }
}
