// Applies prisma/migrations at start-up, as `prisma migrate deploy` would, and records each one in
// `_prisma_migrations` the way Prisma does (checksum = sha256 of migration.sql), so Prisma's own
// tools agree with what is applied. A packaged app has no Prisma CLI, and the CLI's native engine
// cannot be downloaded everywhere.
import { createHash, randomUUID } from 'node:crypto'
import { readdirSync, readFileSync, existsSync } from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { DATA_STEPS } from './data-steps'
import { startSqliteIndex, type SearchIndexStart } from './search-index'
import { sqliteTimestamp } from './timestamps'

export interface MigrationFile {
  name: string
  sql: string
  checksum: string
}

export interface MigrationReport {
  applied: string[]
  alreadyApplied: string[]
  /** What the start did to the search index (turned off: marked stale; on again: rebuilt). */
  search: SearchIndexStart
}

export interface MigrateOptions {
  /** Whether this server keeps the search index (default true). */
  searchIndex?: boolean
}

// Exactly the table Prisma creates on SQLite.
const HISTORY_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    TEXT PRIMARY KEY NOT NULL,
    "checksum"              TEXT NOT NULL,
    "finished_at"           DATETIME,
    "migration_name"        TEXT NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        DATETIME,
    "started_at"            DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count"   INTEGER UNSIGNED NOT NULL DEFAULT 0
)`

export function readMigrationFiles(migrationsDir: string): MigrationFile[] {
  if (!existsSync(migrationsDir)) throw new Error(`No migrations folder at ${migrationsDir}`)
  return readdirSync(migrationsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(path.join(migrationsDir, entry.name, 'migration.sql')))
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(path.join(migrationsDir, name, 'migration.sql'), 'utf8')
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') }
    })
}

/** Prisma's engine cannot read other formats back from _prisma_migrations. */
const now = (): string => sqliteTimestamp()

export function migrateSqlite(file: string, migrationsDir: string, options: MigrateOptions = {}): MigrationReport {
  const migrations = readMigrationFiles(migrationsDir)
  const db = new Database(file)
  try {
    db.pragma('journal_mode = WAL')
    db.pragma('busy_timeout = 10000')
    db.exec(HISTORY_TABLE)
    // Prisma's migrations rebuild a table to change it (create the new one, copy, drop the old): with
    // foreign keys on, dropping Conversation would cascade to every message. Their own PRAGMA
    // foreign_keys=OFF does nothing inside a transaction, so it is set here, before it, and the keys
    // are checked once the migrations ran, before commit.
    db.pragma('foreign_keys = OFF')
    const report: MigrationReport = { applied: [], alreadyApplied: [], search: 'kept' }
    // IMMEDIATE takes the write lock up front: two processes starting on one data folder migrate once.
    db.transaction(() => {
      const done = new Map(
        (db.prepare(`SELECT migration_name, checksum FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`).all() as { migration_name: string; checksum: string }[]).map((r) => [r.migration_name, r.checksum]),
      )
      const record = db.prepare(
        `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count) VALUES (?, ?, ?, ?, NULL, NULL, ?, 1)`,
      )
      for (const migration of migrations) {
        const seen = done.get(migration.name)
        if (seen !== undefined) {
          if (seen !== migration.checksum) {
            throw new Error(`Migration ${migration.name} was changed after it was applied; restore it or write a new migration.`)
          }
          report.alreadyApplied.push(migration.name)
          continue
        }
        const started = now()
        db.exec(migration.sql)
        DATA_STEPS[migration.name]?.sqlite(db)
        record.run(randomUUID(), migration.checksum, now(), migration.name, started)
        report.applied.push(migration.name)
      }
      report.search = startSqliteIndex(db, options.searchIndex ?? true)
      const broken = db.pragma('foreign_key_check') as unknown[]
      if (broken.length > 0) throw new Error(`The migrations left ${broken.length} rows whose foreign keys point nowhere: ${JSON.stringify(broken.slice(0, 3))}`)
    }).immediate()
    return report
  } finally {
    db.close()
  }
}
