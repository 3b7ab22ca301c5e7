import type { ConversationDto, SystemEventDto } from '../../shared/dto'
import type { Db } from '../db/client'
import { inboxOrder } from '../db/mappers'
import type { InboxReader } from '../db/ports'
import { badRequest, forbidden, notFound } from '../errors'
import { isUniqueViolation } from './prisma-errors'
import type { Actor } from './types'

const CACHE_MAX = 10_000

/** "<lower id>:<higher id>": the unique key of a one-to-one conversation. */
export const directKey = (a: number, b: number): string => (a < b ? `${a}:${b}` : `${b}:${a}`)

/** What a user may read of a conversation: everything while a member, up to their removal after. */
export interface Reader {
  member: boolean
  /** The last message a removed member may see; undefined for a member. */
  until: number | undefined
}

export class ConversationService {
  // A one-to-one conversation's two people never change, so caching them cannot go stale, on one node
  // or many; it saves a query on every send, read receipt and typing event. A group's members change:
  // they are read each time.
  private direct = new Map<number, number[]>()

  constructor(
    private readonly db: Db,
    private readonly inbox: InboxReader,
  ) {}

  /** The current members' ids (empty when the conversation does not exist). */
  async participantsOf(conversationId: number): Promise<number[]> {
    const cached = this.direct.get(conversationId)
    if (cached) return cached
    const rows = await this.db.conversationParticipant.findMany({
      where: { conversation_id: conversationId, removed_at: null },
      select: { user_id: true, conversation: { select: { kind: true } } },
      orderBy: { user_id: 'asc' },
    })
    const ids = rows.map((r) => r.user_id)
    if (rows[0]?.conversation.kind === 'direct') {
      if (this.direct.size >= CACHE_MAX) this.direct.delete(this.direct.keys().next().value as number)
      this.direct.set(conversationId, ids)
    }
    return ids
  }

  /** The current members' ids; 404 when the conversation does not exist, 403 when the actor is not a member now. */
  async assertParticipant(actor: Actor, conversationId: number): Promise<number[]> {
    const ids = await this.participantsOf(conversationId)
    if (ids.includes(actor.user_id)) return ids
    await this.assertExists(conversationId)
    throw forbidden(`You are not a participant of conversation ${conversationId}.`)
  }

  /** What the actor may read: a member everything, a removed member up to their removal; 403/404 otherwise. */
  async assertReader(actor: Actor, conversationId: number): Promise<Reader> {
    const row = await this.db.conversationParticipant.findUnique({
      where: { conversation_id_user_id: { conversation_id: conversationId, user_id: actor.user_id } },
      select: { removed_at: true, visible_until: true },
    })
    if (row) return row.removed_at === null ? { member: true, until: undefined } : { member: false, until: row.visible_until ?? 0 }
    await this.assertExists(conversationId)
    throw forbidden(`You are not a participant of conversation ${conversationId}.`)
  }

  private async assertExists(conversationId: number): Promise<void> {
    const found = await this.db.conversation.findUnique({ where: { conversation_id: conversationId }, select: { conversation_id: true } })
    if (!found) throw notFound(`Conversation ${conversationId} does not exist.`)
  }

  /** Everyone who shares a conversation with the user now (to tell them about presence). */
  async contactsOf(userId: number): Promise<number[]> {
    const rows = await this.db.conversationParticipant.findMany({
      where: { user_id: { not: userId }, removed_at: null, conversation: { participants: { some: { user_id: userId, removed_at: null } } } },
      select: { user_id: true },
      distinct: ['user_id'],
    })
    return rows.map((r) => r.user_id)
  }

  /** The user's conversations, groups and one-to-one alike, newest activity first, with members, the latest message and the unread count. */
  async list(actor: Actor, userId: number): Promise<ConversationDto[]> {
    if (userId !== actor.user_id) throw forbidden('You can only list your own conversations.')
    const list = await this.inbox.list(userId)
    if (!list.some((c) => this.removedFrom(c, userId))) return list
    return (await Promise.all(list.map((c) => this.asAtRemoval(c, userId)))).sort(inboxOrder)
  }

  private removedFrom(conversation: ConversationDto, userId: number): boolean {
    return conversation.kind === 'group' && !conversation.participants.some((p) => p.user_id === userId)
  }

  /**
   * A group the user was removed from, as it was at their removal: its latest message is the notice
   * of it (the readers stop there), its title the one it had then, its activity time that notice's,
   * and nothing unread (they can no longer mark it read). Who is in it now, what it is called now and
   * when it last moved are no longer theirs to see.
   */
  private async asAtRemoval(conversation: ConversationDto, userId: number): Promise<ConversationDto> {
    if (!this.removedFrom(conversation, userId)) return conversation
    const last = conversation.messages[0]
    const named = await this.db.message.findFirst({
      where: {
        conversation_id: conversation.conversation_id,
        message_id: { lte: last?.message_id ?? 0 },
        OR: [{ system: { contains: '"type":"created"' } }, { system: { contains: '"type":"renamed"' } }],
      },
      orderBy: { message_id: 'desc' },
      select: { system: true },
    })
    const title = named?.system ? ((JSON.parse(named.system) as SystemEventDto).title ?? null) : null
    // Nothing left to read there: they can no longer mark it read, so nothing counts as unread either.
    return { ...conversation, title, participants: [], updated_at: last?.created_at ?? conversation.created_at, unread_count: 0 }
  }

  /** One conversation as the user's list shows it: as it is, or a group as at their removal; null when never theirs. */
  async asSeenBy(userId: number, conversationId: number): Promise<ConversationDto | null> {
    const conversation = await this.inbox.one(userId, conversationId)
    return conversation && this.asAtRemoval(conversation, userId)
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

  /**
   * One conversation in the list's shape, as it is now: the answer to a change the actor just made
   * (leaving included), and what conversation_updated carries.
   */
  async one(actor: Actor, conversationId: number): Promise<ConversationDto> {
    await this.assertReader(actor, conversationId)
    const conversation = await this.inbox.one(actor.user_id, conversationId)
    if (!conversation) throw notFound(`Conversation ${conversationId} does not exist.`)
    return conversation
  }
}
