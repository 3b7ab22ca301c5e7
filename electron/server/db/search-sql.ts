// The one search query, for both engines: each engine says only how its index is matched (FTS5's
// MATCH on SQLite, LIKE on the pg_trgm-indexed text on PostgreSQL), how it names tables and
// parameters, and how it stores a time.
import type { SearchFilter } from './ports'

export interface SearchDialect {
  /** A table's name as the query must write it (PostgreSQL: schema-qualified). */
  table(name: string): string
  /** The n-th parameter (from 1). */
  placeholder(n: number): string
  /** The index joined to Message (alias m) as `s`, the condition that its text holds every needle, and the column to order by, newest first. */
  index(needles: string[], param: (value: unknown) => string): { from: string; where: string; order: string }
  /** A Date as the engine compares created_at. */
  timestamp(date: Date): unknown
}

/** The query for a filter and its parameters, in order. */
export function searchSql(dialect: SearchDialect, f: SearchFilter): { sql: string; params: unknown[] } {
  const params: unknown[] = []
  const param = (value: unknown): string => {
    params.push(value)
    return dialect.placeholder(params.length)
  }
  const index = dialect.index(f.needles, param)
  const where = [index.where, 'm.deleted_at IS NULL', 'p.user_id = ' + param(f.user_id), '(p.removed_at IS NULL OR m.message_id <= COALESCE(p.visible_until, 0))']
  if (f.conversation_id !== undefined) where.push(`m.conversation_id = ${param(f.conversation_id)}`)
  if (f.sender_id !== undefined) where.push(`m.sender_id = ${param(f.sender_id)}`)
  if (f.before !== undefined) where.push(`m.created_at < ${param(dialect.timestamp(f.before))}`)
  if (f.after !== undefined) where.push(`m.created_at > ${param(dialect.timestamp(f.after))}`)
  if (f.has_attachment !== undefined) where.push(`${f.has_attachment ? '' : 'NOT '}EXISTS (SELECT 1 FROM ${dialect.table('MessageAttachment')} a WHERE a.message_id = m.message_id)`)
  if (f.below !== undefined) where.push(`${index.order} < ${param(f.below)}`)
  if (f.above !== undefined) where.push(`${index.order} > ${param(f.above)}`)
  const sql = `SELECT m.message_id AS message_id FROM ${index.from}
    JOIN ${dialect.table('ConversationParticipant')} p ON p.conversation_id = m.conversation_id
    WHERE ${where.join(' AND ')}
    ORDER BY ${index.order} DESC LIMIT ${param(f.limit)}`
  return { sql, params }
}
