// Applies prisma/postgres/migrations at start-up, the PostgreSQL twin of migrate-sqlite.ts: the same
// `_prisma_migrations` records Prisma keeps, under Prisma's own advisory lock, so several nodes
// starting together migrate once and `prisma migrate deploy` agrees with what is applied.
import { randomUUID } from 'node:crypto'
import pg from 'pg'
import { DATA_STEPS } from './data-steps'
import { readMigrationFiles, type MigrateOptions, type MigrationReport } from './migrate-sqlite'
import { startPostgresIndex } from './search-index'

// Exactly the table Prisma creates on PostgreSQL.
const HISTORY_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`

/** The key Prisma Migrate locks with (pg_advisory_lock), so it and we never migrate at once. */
const PRISMA_MIGRATE_LOCK = 72707369

export const quoteIdent = (name: string): string => `"${name.replaceAll('"', '""')}"`

export async function migratePostgres(connectionString: string, schema: string, migrationsDir: string, options: MigrateOptions = {}): Promise<MigrationReport> {
  const migrations = readMigrationFiles(migrationsDir)
  const client = new pg.Client({ connectionString })
  await client.connect()
  try {
    await client.query(`SELECT pg_advisory_lock(${PRISMA_MIGRATE_LOCK})`)
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`)
    await client.query(`SET search_path TO ${quoteIdent(schema)}`)
    await client.query(HISTORY_TABLE)
    const { rows } = await client.query<{ migration_name: string; checksum: string }>(
      `SELECT migration_name, checksum FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
    )
    const done = new Map(rows.map((r) => [r.migration_name, r.checksum]))
    const report: MigrationReport = { applied: [], alreadyApplied: [], search: 'kept' }
    for (const migration of migrations) {
      const seen = done.get(migration.name)
      if (seen !== undefined) {
        if (seen !== migration.checksum) throw new Error(`Migration ${migration.name} was changed after it was applied; restore it or write a new migration.`)
        report.alreadyApplied.push(migration.name)
        continue
      }
      // PostgreSQL runs DDL in transactions: a migration is applied whole or not at all.
      await client.query('BEGIN')
      try {
        const started = new Date()
        await client.query(migration.sql)
        await DATA_STEPS[migration.name]?.postgres(client)
        await client.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count) VALUES ($1, $2, now(), $3, NULL, NULL, $4, 1)`,
          [randomUUID(), migration.checksum, migration.name, started],
        )
        await client.query('COMMIT')
      } catch (error) {
        await client.query('ROLLBACK')
        throw error
      }
      report.applied.push(migration.name)
    }
    await client.query('BEGIN')
    try {
      report.search = await startPostgresIndex(client, options.searchIndex ?? true)
      await client.query('COMMIT')
    } catch (error) {
      await client.query('ROLLBACK')
      throw error
    }
    return report
  } finally {
    await client.query(`SELECT pg_advisory_unlock(${PRISMA_MIGRATE_LOCK})`).catch(() => {})
    await client.end()
  }
}
