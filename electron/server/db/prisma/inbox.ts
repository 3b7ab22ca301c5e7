import type { MessageDto, UserDto } from '../../../shared/dto'
import { messageInclude, userSelect, type Db } from '../client'
import { toInbox, toMessageDto, type ConversationRow } from '../mappers'
import type { InboxReader } from '../ports'

/** Ids per query where a list of ids cannot be avoided (SQLite's bound-value limit). */
const CHUNK = 400

/** Through Prisma: works on every database Prisma drives (the PostgreSQL scale-out uses it). */
export class PrismaInboxReader implements InboxReader {
  constructor(private readonly db: Db) {}

  /**
   * One indexed query finds the user's conversations; the rest are indexed look-ups by id, in chunks
   * of CHUNK (SQLite binds a few hundred values per query at most): 6 queries up to CHUNK
   * conversations, 5 more per CHUNK after. (Relation filters would be one query each, but become
   * correlated subqueries that SQLite runs ~10x slower at a thousand conversations.)
   */
  async list(userId: number) {
    const ids = (await this.db.conversationParticipant.findMany({ where: { user_id: userId }, select: { conversation_id: true } })).map((p) => p.conversation_id)
    const conversations: ConversationRow[] = []
    const latest = new Map<number, MessageDto>()
    const unread = new Map<number, number>()
    for (let i = 0; i < ids.length; i += CHUNK) {
      const chunk = ids.slice(i, i + CHUNK)
      const [rows, participants, latestIds, unreadCounts] = await Promise.all([
        this.db.conversation.findMany({ where: { conversation_id: { in: chunk } }, select: { conversation_id: true, created_at: true, updated_at: true } }),
        this.db.conversationParticipant.findMany({ where: { conversation_id: { in: chunk } }, select: { conversation_id: true, user: { select: userSelect } }, orderBy: { user_id: 'asc' } }),
        this.db.message.groupBy({ by: ['conversation_id'], where: { conversation_id: { in: chunk } }, _max: { message_id: true } }),
        this.db.message.groupBy({ by: ['conversation_id'], where: { conversation_id: { in: chunk }, is_read: false, sender_id: { not: userId } }, _count: { _all: true } }),
      ])
      const people = new Map<number, UserDto[]>()
      for (const p of participants) people.set(p.conversation_id, [...(people.get(p.conversation_id) ?? []), p.user])
      conversations.push(...rows.map((c) => ({ ...c, participants: people.get(c.conversation_id) ?? [] })))
      for (const g of unreadCounts) unread.set(g.conversation_id, g._count._all)
      const messageIds = latestIds.map((g) => g._max.message_id).filter((id): id is number => id !== null)
      if (messageIds.length > 0) {
        for (const m of await this.db.message.findMany({ where: { message_id: { in: messageIds } }, include: messageInclude })) latest.set(m.conversation_id, toMessageDto(m))
      }
    }
    return toInbox(conversations, latest, unread)
  }

  async page(conversationId: number, before: number | undefined, limit: number) {
    const rows = await this.db.message.findMany({
      where: { conversation_id: conversationId, ...(before !== undefined ? { message_id: { lt: before } } : {}) },
      orderBy: { message_id: 'desc' },
      take: limit,
      include: messageInclude,
    })
    return rows.reverse().map(toMessageDto)
  }
}
