// Filling the search index (MessageSearch) from the messages table, on either engine: for the messages
// stored before the index existed (the migration's data step), and again after a server ran with the
// index turned off (MessageSearchState.stale). The text is the writers' own: indexText.
import type Database from 'better-sqlite3'
import type pg from 'pg'
import { indexText, isSearchable } from '../../shared/search-text'

const CHUNK = 5_000
/** What a person wrote and did not delete; isSearchable decides on the rest. */
const CANDIDATES = '"deleted_at" IS NULL AND "system" IS NULL'

interface Row {
  message_id: number
  content: string
}

/** Indexes every message (the index is empty). */
export function fillSqlite(db: Database.Database): void {
  const page = db.prepare<[number, number], Row>(`SELECT message_id, content FROM "Message" WHERE message_id > ? AND ${CANDIDATES} ORDER BY message_id LIMIT ?`)
  const add = db.prepare<[number, string]>('INSERT INTO "MessageSearch" (rowid, "text") VALUES (?, ?)')
  for (let rows = page.all(0, CHUNK); rows.length > 0; rows = page.all(rows[rows.length - 1]!.message_id, CHUNK)) {
    for (const r of rows) if (isSearchable(r.content, false)) add.run(r.message_id, indexText(r.content))
  }
}

export async function fillPostgres(client: pg.ClientBase): Promise<void> {
  for (let after = 0; ; ) {
    const { rows } = await client.query<Row>(`SELECT message_id, content FROM "Message" WHERE message_id > $1 AND ${CANDIDATES} ORDER BY message_id LIMIT $2`, [after, CHUNK])
    if (rows.length === 0) return
    after = rows[rows.length - 1]!.message_id
    const kept = rows.filter((r) => isSearchable(r.content, false))
    await client.query('INSERT INTO "MessageSearch" (message_id, "text") SELECT * FROM unnest($1::int[], $2::text[])', [kept.map((r) => r.message_id), kept.map((r) => indexText(r.content))])
  }
}

/**
 * What a start did to the index: nothing, marked it stale (turned off), or rebuilt it (turned on
 * again); 'none' when the migrations applied do not make one (an older set, in tests of upgrades).
 */
export type SearchIndexStart = 'none' | 'kept' | 'marked stale' | 'rebuilt'

/**
 * At start, inside the migrations' transaction: a server with the index off marks it stale (its
 * writes will not reach it); one with it on rebuilds a stale index whole.
 */
export function startSqliteIndex(db: Database.Database, on: boolean): SearchIndexStart {
  if (db.prepare(`SELECT 1 FROM sqlite_master WHERE name = 'MessageSearchState'`).get() === undefined) return 'none'
  const stale = db.prepare('SELECT "stale" FROM "MessageSearchState" WHERE id = 1').pluck().get() === 1
  if (!on) {
    if (!stale) db.prepare('UPDATE "MessageSearchState" SET "stale" = true WHERE id = 1').run()
    return stale ? 'kept' : 'marked stale'
  }
  if (!stale) return 'kept'
  db.prepare(`INSERT INTO "MessageSearch" ("MessageSearch") VALUES ('delete-all')`).run()
  fillSqlite(db)
  db.prepare('UPDATE "MessageSearchState" SET "stale" = false WHERE id = 1').run()
  return 'rebuilt'
}

export async function startPostgresIndex(client: pg.ClientBase, on: boolean): Promise<SearchIndexStart> {
  if ((await client.query(`SELECT to_regclass('"MessageSearchState"') AS t`)).rows[0].t === null) return 'none'
  const { rows } = await client.query<{ stale: boolean }>('SELECT "stale" FROM "MessageSearchState" WHERE id = 1 FOR UPDATE')
  const stale = rows[0]?.stale === true
  if (!on) {
    if (!stale) await client.query('UPDATE "MessageSearchState" SET "stale" = true WHERE id = 1')
    return stale ? 'kept' : 'marked stale'
  }
  if (!stale) return 'kept'
  await client.query('TRUNCATE "MessageSearch"')
  await fillPostgres(client)
  await client.query('UPDATE "MessageSearchState" SET "stale" = false WHERE id = 1')
  return 'rebuilt'
}
