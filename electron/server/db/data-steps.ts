// Work a migration needs done in JavaScript (text only electron/shared can make), run by the
// migration runners right after the migration's SQL and inside its transaction: applied whole or not
// at all, like the SQL.
import type Database from 'better-sqlite3'
import type pg from 'pg'
import { fillPostgres, fillSqlite } from './search-index'

export interface DataStep {
  sqlite(db: Database.Database): void
  postgres(client: pg.ClientBase): Promise<void>
}

export const DATA_STEPS: Record<string, DataStep> = {
  /** The search index, filled for the messages stored before it. */
  '20261203180000_message_search': { sqlite: fillSqlite, postgres: fillPostgres },
}
