import type { ConversationDto, MessageDto, UserDto } from '../../shared/dto'
import type { Db } from '../db/database'
import type { InboxReader } from '../db/sqlite-inbox'
import { badRequest, forbidden, notFound } from '../errors'
import { messageInclude, toConversationDto, toMessageDto, toUserDto, userSelect } from './mappers'
import { isUniqueViolation } from './prisma-errors'
import type { Actor } from './types'

const CACHE_MAX = 10_000
/** Ids per query where a list of ids cannot be avoided (SQLite's bound-value limit). */
const CHUNK = 400

/** "<lower id>:<higher id>": the unique key of a one-to-one conversation. */
export const directKey = (a: number, b: number): string => (a < b ? `${a}:${b}` : `${b}:${a}`)

export class ConversationService {
  // Participants of a conversation never change once it exists, so this cache cannot go stale,
  // on one node or many. It saves a query on every send, read receipt and typing event.
  private participants = new Map<number, number[]>()

  constructor(
    private readonly db: Db,
    private readonly inbox?: InboxReader,
  ) {}

  async participantsOf(conversationId: number): Promise<number[]> {
    const cached = this.participants.get(conversationId)
    if (cached) return cached
    const rows = await this.db.conversationParticipant.findMany({ where: { conversation_id: conversationId }, select: { user_id: true } })
    const ids = rows.map((r) => r.user_id)
    if (ids.length > 0) {
      if (this.participants.size >= CACHE_MAX) this.participants.delete(this.participants.keys().next().value as number)
      this.participants.set(conversationId, ids)
    }
    return ids
  }

  /** The participants' ids; 404 when the conversation does not exist, 403 when the actor is not in it. */
  async assertParticipant(actor: Actor, conversationId: number): Promise<number[]> {
    const ids = await this.participantsOf(conversationId)
    if (ids.length === 0) throw notFound(`Conversation ${conversationId} does not exist.`)
    if (!ids.includes(actor.user_id)) throw forbidden(`You are not a participant of conversation ${conversationId}.`)
    return ids
  }

  /** Everyone who shares a conversation with the user (to tell them about presence). */
  async contactsOf(userId: number): Promise<number[]> {
    const rows = await this.db.conversationParticipant.findMany({
      where: { user_id: { not: userId }, conversation: { participants: { some: { user_id: userId } } } },
      select: { user_id: true },
      distinct: ['user_id'],
    })
    return rows.map((r) => r.user_id)
  }

  /**
   * The user's conversations, newest activity first, with participants, the latest message and the
   * unread count. One indexed query finds the user's conversations; the rest are indexed look-ups by
   * id, in chunks of CHUNK (SQLite binds a few hundred values per query at most): 6 queries up to
   * CHUNK conversations, 5 more per CHUNK after. (Relation filters would be one query each, but become
   * correlated subqueries that SQLite runs ~10x slower at a thousand conversations.)
   */
  async list(actor: Actor, userId: number): Promise<ConversationDto[]> {
    if (userId !== actor.user_id) throw forbidden('You can only list your own conversations.')
    if (this.inbox) return this.inbox.list(userId)
    const ids = (await this.db.conversationParticipant.findMany({ where: { user_id: userId }, select: { conversation_id: true } })).map((p) => p.conversation_id)
    const conversations: { conversation_id: number; created_at: Date; updated_at: Date }[] = []
    const participantsOf = new Map<number, UserDto[]>()
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
      conversations.push(...rows)
      for (const p of participants) participantsOf.set(p.conversation_id, [...(participantsOf.get(p.conversation_id) ?? []), toUserDto(p.user)])
      for (const g of unreadCounts) unread.set(g.conversation_id, g._count._all)
      const messageIds = latestIds.map((g) => g._max.message_id).filter((id): id is number => id !== null)
      if (messageIds.length > 0) {
        for (const m of await this.db.message.findMany({ where: { message_id: { in: messageIds } }, include: messageInclude })) latest.set(m.conversation_id, toMessageDto(m))
      }
    }
    conversations.sort((a, b) => b.updated_at.getTime() - a.updated_at.getTime() || b.conversation_id - a.conversation_id)
    return conversations.map((c) =>
      toConversationDto({ ...c, participants: (participantsOf.get(c.conversation_id) ?? []).map((user) => ({ user })) }, latest.get(c.conversation_id), unread.get(c.conversation_id) ?? 0),
    )
  }

  /** The one-to-one conversation of two users, made if absent; never two, even under concurrent calls. */
  async getOrCreateDirect(actor: Actor, participant1: number, participant2: number): Promise<{ conversation: ConversationDto; created: boolean }> {
    if (participant1 !== actor.user_id && participant2 !== actor.user_id) {
      throw forbidden('You can only start conversations that you are part of.')
    }
    if (participant1 === participant2) throw badRequest('must differ from participant1_id', 'participant2_id')
    const other = participant1 === actor.user_id ? participant2 : participant1
    const exists = await this.db.user.findUnique({ where: { user_id: other }, select: { user_id: true } })
    if (!exists) throw notFound(`User ${other} does not exist.`)
    const key = directKey(participant1, participant2)
    let created = false
    let id = (await this.db.conversation.findUnique({ where: { direct_key: key }, select: { conversation_id: true } }))?.conversation_id
    if (id === undefined) {
      try {
        const conversation = await this.db.conversation.create({
          data: { direct_key: key, participants: { create: [{ user_id: participant1 }, { user_id: participant2 }] } },
          select: { conversation_id: true },
        })
        id = conversation.conversation_id
        created = true
      } catch (error) {
        if (!isUniqueViolation(error)) throw error
        // Another call made it between our read and our write: theirs is the one.
        id = (await this.db.conversation.findUniqueOrThrow({ where: { direct_key: key }, select: { conversation_id: true } })).conversation_id
      }
    }
    return { conversation: await this.one(actor, id), created }
  }

  /** One conversation in the list's shape. */
  async one(actor: Actor, conversationId: number): Promise<ConversationDto> {
    await this.assertParticipant(actor, conversationId)
    const [c, latest, unread] = await Promise.all([
      this.db.conversation.findUniqueOrThrow({
        where: { conversation_id: conversationId },
        include: { participants: { include: { user: { select: userSelect } }, orderBy: { user_id: 'asc' } } },
      }),
      this.db.message.findFirst({ where: { conversation_id: conversationId }, orderBy: { message_id: 'desc' }, include: messageInclude }),
      this.db.message.count({ where: { conversation_id: conversationId, is_read: false, sender_id: { not: actor.user_id } } }),
    ])
    return toConversationDto(c, latest ? toMessageDto(latest) : undefined, unread)
  }
}
