// Message search on PostgreSQL: LIKE on MessageSearch.text, which a pg_trgm GIN index answers
// (prisma/postgres/migrations/*_message_search).
import type { Db } from '../client'
import { quoteIdent } from '../migrate-postgres'
import type { SearchFilter, SearchIndex } from '../ports'
import { searchSql, type SearchDialect } from '../search-sql'

/** A needle as a LIKE pattern that holds it anywhere: %, _ and the escape character literal. */
export const likeAnywhere = (needle: string): string => `%${needle.replace(/[\\%_]/g, '\\$&')}%`

export class PostgresSearchIndex implements SearchIndex {
  private readonly dialect: SearchDialect

  constructor(
    private readonly db: Db,
    schema = 'public',
  ) {
    const table = (name: string): string => `${quoteIdent(schema)}.${quoteIdent(name)}`
    this.dialect = {
      table,
      placeholder: (n) => `$${n}`,
      index: (needles, param) => ({
        from: `${table('MessageSearch')} s JOIN ${table('Message')} m ON m.message_id = s.message_id`,
        where: needles.map((n) => `s.text LIKE ${param(likeAnywhere(n))}`).join(' AND '),
        order: 's.message_id',
      }),
      // created_at is a timestamp without zone, holding UTC: compare with the UTC wall time.
      timestamp: (date) => date.toISOString().replace('Z', ''),
    }
  }

  async find(filter: SearchFilter): Promise<number[]> {
    const { sql, params } = searchSql(this.dialect, filter)
    const rows = await this.db.$queryRawUnsafe<{ message_id: number }[]>(sql, ...params)
    return rows.map((r) => r.message_id)
  }
}
