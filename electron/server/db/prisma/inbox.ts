import type { ConversationDto, MessageDto } from '../../../shared/dto'
import { messageInclude, userSelect, type Db } from '../client'
import { toInbox, toMessageDto, type ConversationRow, type ParticipantRow } from '../mappers'
import type { InboxReader } from '../ports'

/** Ids per query where a list of ids cannot be avoided (SQLite's bound-value limit). */
const CHUNK = 400

/** Through Prisma: works on every database Prisma drives (the PostgreSQL scale-out uses it). */
export class PrismaInboxReader implements InboxReader {
  constructor(private readonly db: Db) {}

  /**
   * One indexed query finds the user's conversations; the rest are indexed look-ups by id, in chunks
   * of CHUNK (SQLite binds a few hundred values per query at most): 7 queries up to CHUNK
   * conversations, 6 more per CHUNK after. (Relation filters would be one query each, but become
   * correlated subqueries that SQLite runs ~10x slower at a thousand conversations.)
   */
  async list(userId: number): Promise<ConversationDto[]> {
    return this.read(userId, null)
  }

  async one(userId: number, conversationId: number): Promise<ConversationDto | null> {
    return (await this.read(userId, conversationId))[0] ?? null
  }

  private async read(userId: number, only: number | null): Promise<ConversationDto[]> {
    const mine = await this.db.conversationParticipant.findMany({
      where: { user_id: userId, ...(only === null ? {} : { conversation_id: only }) },
      select: { conversation_id: true, last_read_message_id: true, visible_until: true, muted: true },
    })
    const conversations: ConversationRow[] = []
    const latest = new Map<number, MessageDto>()
    const unread = new Map<number, number>()
    for (let i = 0; i < mine.length; i += CHUNK) {
      const rows = mine.slice(i, i + CHUNK)
      const chunk = rows.map((r) => r.conversation_id)
      const [found, participants, latestIds] = await Promise.all([
        this.db.conversation.findMany({ where: { conversation_id: { in: chunk } }, select: { conversation_id: true, kind: true, title: true, created_at: true, updated_at: true } }),
        this.db.conversationParticipant.findMany({
          where: { conversation_id: { in: chunk }, removed_at: null },
          select: { conversation_id: true, role: true, joined_at: true, user: { select: userSelect } },
          orderBy: { user_id: 'asc' },
        }),
        this.db.message.groupBy({ by: ['conversation_id'], where: { conversation_id: { in: chunk } }, _max: { message_id: true } }),
      ])
      const kinds = new Map(found.map((c) => [c.conversation_id, c.kind]))
      const direct = rows.filter((r) => kinds.get(r.conversation_id) === 'direct').map((r) => r.conversation_id)
      // One-to-one: the seed's is_read flag. Groups: after the member's own read position (is_read
      // there means everyone has read it), up to their removal, and never the server's notices.
      const groups = rows
        .filter((r) => kinds.get(r.conversation_id) === 'group')
        .map((r) => ({ conversation_id: r.conversation_id, message_id: { gt: r.last_read_message_id ?? 0, ...(r.visible_until === null ? {} : { lte: r.visible_until }) } }))
      const [directUnread, groupUnread] = await Promise.all([
        direct.length ? this.db.message.groupBy({ by: ['conversation_id'], where: { conversation_id: { in: direct }, is_read: false, sender_id: { not: userId } }, _count: { _all: true } }) : [],
        groups.length ? this.db.message.groupBy({ by: ['conversation_id'], where: { OR: groups, sender_id: { not: userId }, system: null }, _count: { _all: true } }) : [],
      ])
      for (const g of [...directUnread, ...groupUnread]) unread.set(g.conversation_id, g._count._all)
      const people = new Map<number, ParticipantRow[]>()
      for (const p of participants) people.set(p.conversation_id, [...(people.get(p.conversation_id) ?? []), { ...p.user, role: p.role, joined_at: p.joined_at }])
      const muted = new Map(rows.map((r) => [r.conversation_id, r.muted]))
      conversations.push(...found.map((c) => ({ ...c, participants: people.get(c.conversation_id) ?? [], muted: muted.get(c.conversation_id) ?? false })))
      // A removed member's latest is the notice of their removal (visible_until).
      const until = new Map(rows.map((r) => [r.conversation_id, r.visible_until]))
      const messageIds = latestIds.map((g) => until.get(g.conversation_id) ?? g._max.message_id).filter((id): id is number => id !== null)
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

  async after(conversationId: number, after: number, limit: number) {
    const rows = await this.db.message.findMany({ where: { conversation_id: conversationId, message_id: { gt: after } }, orderBy: { message_id: 'asc' }, take: limit, include: messageInclude })
    return rows.map(toMessageDto)
  }
}
