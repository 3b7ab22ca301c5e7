// Work a migration needs done in JavaScript (text only electron/shared can make), run by the
// migration runners right after the migration's SQL and inside its transaction: applied whole or not
// at all, like the SQL.
import type Database from 'better-sqlite3'
import type pg from 'pg'
import { indexText, isSearchable } from '../../shared/search-text'

export interface DataStep {
  sqlite(db: Database.Database): void
  postgres(client: pg.ClientBase): Promise<void>
}

const CHUNK = 5_000

interface Row {
  message_id: number
  content: string
}

const SEARCHABLE_ROWS = 'deleted_at IS NULL AND system IS NULL'

export const DATA_STEPS: Record<string, DataStep> = {
  /** The search index, filled for the messages stored before it. */
  '20261203180000_message_search': {
    sqlite(db) {
      const page = db.prepare<[number, number], Row>(`SELECT message_id, content FROM "Message" WHERE message_id > ? AND ${SEARCHABLE_ROWS} ORDER BY message_id LIMIT ?`)
      const add = db.prepare<[number, string]>('INSERT INTO "MessageSearch" (rowid, "text") VALUES (?, ?)')
      for (let after = 0, rows = page.all(after, CHUNK); rows.length > 0; after = rows[rows.length - 1]!.message_id, rows = page.all(after, CHUNK)) {
        for (const r of rows) if (isSearchable(r.content, false)) add.run(r.message_id, indexText(r.content))
      }
    },
    async postgres(client) {
      for (let after = 0; ; ) {
        const { rows } = await client.query<Row>(`SELECT message_id, content FROM "Message" WHERE message_id > $1 AND ${SEARCHABLE_ROWS} ORDER BY message_id LIMIT $2`, [after, CHUNK])
        if (rows.length === 0) return
        after = rows[rows.length - 1]!.message_id
        const kept = rows.filter((r) => isSearchable(r.content, false))
        await client.query('INSERT INTO "MessageSearch" (message_id, "text") SELECT * FROM unnest($1::int[], $2::text[])', [kept.map((r) => r.message_id), kept.map((r) => indexText(r.content))])
      }
    },
  },
}
