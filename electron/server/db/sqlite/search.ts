// Message search on SQLite: the FTS5 trigram table MessageSearch (prisma/migrations/*_message_search),
// on a read-only connection of its own.
import Database from 'better-sqlite3'
import type { SearchFilter, SearchIndex } from '../ports'
import { searchSql, type SearchDialect } from '../search-sql'
import { sqliteTimestamp } from '../timestamps'

/** A needle as an FTS5 string: every character literal (a double quote doubled), never query syntax. */
export const ftsString = (needle: string): string => `"${needle.replaceAll('"', '""')}"`

const dialect: SearchDialect = {
  table: (name) => `"${name}"`,
  placeholder: () => '?',
  // FTS5 walks its matches by rowid, newest first, and stops at the limit: the order is the index's own.
  index: (needles, param) => ({
    from: `"MessageSearch" s JOIN "Message" m ON m.message_id = s.rowid`,
    where: `"MessageSearch" MATCH ${param(needles.map(ftsString).join(' AND '))}`,
    order: 's.rowid',
  }),
  timestamp: sqliteTimestamp,
}

export class SqliteSearchIndex implements SearchIndex {
  private readonly db: Database.Database
  private readonly statements = new Map<string, Database.Statement<unknown[], { message_id: number }>>()

  constructor(file: string) {
    this.db = new Database(file, { readonly: true })
  }

  async find(filter: SearchFilter): Promise<number[]> {
    const { sql, params } = searchSql(dialect, filter)
    let statement = this.statements.get(sql)
    if (!statement) this.statements.set(sql, (statement = this.db.prepare(sql)))
    return statement.all(...params).map((r) => r.message_id)
  }

  close(): void {
    this.db.close()
  }
}
