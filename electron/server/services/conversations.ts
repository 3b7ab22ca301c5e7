import type { ConversationDto } from '../../shared/dto'
import { messageInclude, userSelect, type Db } from '../db/client'
import { toConversationDto, toMessageDto } from '../db/mappers'
import type { InboxReader } from '../db/ports'
import { badRequest, forbidden, notFound } from '../errors'
import { isUniqueViolation } from './prisma-errors'
import type { Actor } from './types'

const CACHE_MAX = 10_000

/** "<lower id>:<higher id>": the unique key of a one-to-one conversation. */
export const directKey = (a: number, b: number): string => (a < b ? `${a}:${b}` : `${b}:${a}`)

export class ConversationService {
  // Participants of a conversation never change once it exists, so this cache cannot go stale,
  // on one node or many. It saves a query on every send, read receipt and typing event.
  private participants = new Map<number, number[]>()

  constructor(
    private readonly db: Db,
    private readonly inbox: InboxReader,
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

  /** The user's conversations, newest activity first, with participants, the latest message and the unread count. */
  async list(actor: Actor, userId: number): Promise<ConversationDto[]> {
    if (userId !== actor.user_id) throw forbidden('You can only list your own conversations.')
    return this.inbox.list(userId)
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
    return toConversationDto({ ...c, participants: c.participants.map((p) => p.user) }, latest ? toMessageDto(latest) : undefined, unread)
  }
}
