// Message search (GET /api/search): the terms (electron/shared/search-text.ts), the engine's index
// (db/sqlite/search.ts, db/prisma/search.ts), the messages as every other route shows them, and
// where each matched.
import type { MessageDto, SearchPageDto } from '../../shared/dto'
import { LIMITS } from '../../shared/limits'
import type { SearchQuery } from '../../shared/schemas'
import { highlights, searchTerms, type SearchTerm } from '../../shared/search-text'
import { messageInclude, type Db } from '../db/client'
import { toMessageDto } from '../db/mappers'
import type { SearchFilter, SearchIndex } from '../db/ports'
import { AppError } from '../../shared/result'
import { badRequest } from '../errors'
import type { ConversationService } from './conversations'
import { consume, type RateLimiters } from './rate-limits'
import type { Actor } from './types'

/** Where the next page starts: below a message id (newest first), or at a place in the ranking (relevance). */
type Cursor = { below: number } | { offset: number }

const encodeCursor = (cursor: Cursor): string => Buffer.from(JSON.stringify(cursor)).toString('base64url')

function decodeCursor(text: string): Cursor {
  const refused = badRequest('is not a cursor this server made', 'cursor')
  let value: unknown
  try {
    value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'))
  } catch {
    throw refused
  }
  const whole = (n: unknown, max: number): n is number => Number.isInteger(n) && (n as number) >= 0 && (n as number) <= max
  if (typeof value === 'object' && value !== null) {
    const { below, offset } = value as { below?: unknown; offset?: unknown }
    if (whole(below, LIMITS.maxId) && offset === undefined) return { below }
    if (whole(offset, LIMITS.searchRelevanceWindow) && below === undefined) return { offset }
  }
  throw refused
}

/**
 * Relevance: terms found as whole words count most, then every occurrence; ties go to the newer.
 * Ranked over the newest `searchRelevanceWindow` matches, the same way on every engine.
 */
function score(content: string, terms: SearchTerm[]): number {
  const words = highlights(content, terms)
  let total = 0
  for (const [start, end] of words) {
    const before = start === 0 || /[\s\p{P}]/u.test(content[start - 1]!)
    const after = end === content.length || /[\s\p{P}]/u.test(content[end]!)
    total += before && after ? 3 : 1
  }
  return total
}

export class SearchService {
  constructor(
    private readonly db: Db,
    private readonly conversations: ConversationService,
    /** Null when the server runs without the index (ServerConfig.searchIndex). */
    private readonly index: SearchIndex | null,
    private readonly limits: RateLimiters,
  ) {}

  async search(actor: Actor, query: SearchQuery): Promise<SearchPageDto> {
    if (!this.index) throw new AppError('unavailable', 'Search is turned off on this server.')
    const index = this.index
    const terms = searchTerms(query.q)
    if (terms.length === 0) throw badRequest('has nothing to search for: type at least two letters, or one character of Chinese or Japanese, or an emoji', 'q')
    const cursor = query.cursor === undefined ? undefined : decodeCursor(query.cursor)
    if (cursor && ('offset' in cursor) !== (query.order === 'relevance')) throw badRequest('is not a cursor of this order', 'cursor')
    await consume(this.limits.search, actor.user_id, 'Too many searches')
    // A conversation named: 404 when there is none, 403 when the caller was never in it.
    if (query.conversation_id !== undefined) await this.conversations.assertReader(actor, query.conversation_id)
    const filter: SearchFilter = {
      user_id: actor.user_id,
      needles: terms.map((t) => t.needle),
      conversation_id: query.conversation_id,
      sender_id: query.sender_id,
      before: query.before,
      after: query.after,
      has_attachment: query.has_attachment,
      limit: query.limit + 1,
    }
    if (query.order === 'relevance') return this.byRelevance(index, filter, terms, cursor && 'offset' in cursor ? cursor.offset : 0, query.limit)
    const ids = await index.find({ ...filter, below: cursor && 'below' in cursor ? cursor.below : undefined })
    const page = ids.slice(0, query.limit)
    const next = ids.length > query.limit ? encodeCursor({ below: page[page.length - 1]! }) : null
    return { results: (await this.messages(page)).map((m) => ({ message: m, highlights: highlights(m.content, terms) })), next_cursor: next }
  }

  private async byRelevance(index: SearchIndex, filter: SearchFilter, terms: SearchTerm[], offset: number, limit: number): Promise<SearchPageDto> {
    const ids = await index.find({ ...filter, limit: LIMITS.searchRelevanceWindow })
    const texts = await this.db.message.findMany({ where: { message_id: { in: ids } }, select: { message_id: true, content: true } })
    const ranked = texts
      .map((t) => ({ id: t.message_id, score: score(t.content, terms) }))
      .sort((a, b) => b.score - a.score || b.id - a.id)
      .map((r) => r.id)
    const page = ranked.slice(offset, offset + limit)
    const next = offset + limit < ranked.length ? encodeCursor({ offset: offset + limit }) : null
    return { results: (await this.messages(page)).map((m) => ({ message: m, highlights: highlights(m.content, terms) })), next_cursor: next }
  }

  /** The messages as every route shows them, in the order of `ids`. */
  private async messages(ids: number[]): Promise<MessageDto[]> {
    if (ids.length === 0) return []
    const rows = await this.db.message.findMany({ where: { message_id: { in: ids } }, include: messageInclude })
    const byId = new Map(rows.map((r) => [r.message_id, toMessageDto(r)]))
    // A message deleted since the index answered is left out, never shown as a tombstone.
    return ids.flatMap((id) => byId.get(id) ?? []).filter((m) => m.deleted_at === null)
  }
}
