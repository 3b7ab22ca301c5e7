// Message search on PostgreSQL: LIKE on MessageSearch.text, which a pg_trgm GIN index answers
// (prisma/postgres/migrations/*_message_search).
import type { Db } from '../client'
import { quoteIdent } from '../migrate-postgres'
import type { SearchFilter, SearchIndex } from '../ports'
import { searchSql, type SearchDialect } from '../search-sql'

/** A needle as a LIKE pattern that holds it anywhere: %, _ and the escape character literal. */
export const likeAnywhere = (needle: string): string => `%${needle.replace(/[\\%_]/g, '\\$&')}%`

/** How many of the newest message ids the first step walks, by default. */
const RECENT = 10_000

export class PostgresSearchIndex implements SearchIndex {
  private readonly dialect: SearchDialect

  constructor(
    private readonly db: Db,
    schema = 'public',
    /** How many of the newest ids the first step walks (tests make it small, to reach the second). */
    private readonly recent = RECENT,
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

  /**
   * In two steps. PostgreSQL cannot tell from a LIKE pattern how many rows hold it, and guessed wrong
   * both ways (measured on a million messages: a common Chinese word planned as a scan of every row,
   * 200-360 ms). So first the newest `recent` ids at most, walked newest first, which finds a page for
   * any term that is not rare, whatever the plan; only when that is not enough, the rest, where what
   * remains to find is rare, which the trigram index answers.
   */
  async find(filter: SearchFilter): Promise<number[]> {
    const top = filter.below ?? (await this.newest()) + 1
    const recent = await this.query({ ...filter, below: top, above: Math.max(filter.above ?? 0, top - this.recent - 1) })
    if (recent.length >= filter.limit || top - this.recent - 1 <= (filter.above ?? 0)) return recent
    const older = await this.query({ ...filter, below: top - this.recent, limit: filter.limit - recent.length })
    return [...recent, ...older]
  }

  private async newest(): Promise<number> {
    const [row] = await this.db.$queryRawUnsafe<{ id: number | null }[]>(`SELECT max(message_id) AS id FROM ${this.dialect.table('MessageSearch')}`)
    return row?.id ?? 0
  }

  private async query(filter: SearchFilter): Promise<number[]> {
    const { sql, params } = searchSql(this.dialect, filter)
    const rows = await this.db.$queryRawUnsafe<{ message_id: number }[]>(sql, ...params)
    return rows.map((r) => r.message_id)
  }
}
