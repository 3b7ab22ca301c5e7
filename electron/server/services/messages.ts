import type { MessageDto, ReadStateDto } from '../../shared/dto'
import type { SyncResult } from '../../shared/events'
import { LIMITS } from '../../shared/limits'
import type { AttachmentInput } from '../../shared/schemas'
import type { Db } from '../db/database'
import { AppError, badRequest, forbidden, notFound } from '../errors'
import type { InflightWrites } from '../lifecycle/inflight'
import { SerialQueue } from '../lifecycle/serial'
import type { ConversationService } from './conversations'
import type { FileService } from './files'
import { messageInclude, toMessageDto } from './mappers'
import { isUniqueViolation } from './prisma-errors'
import { consume, type RateLimiters } from './rate-limits'
import type { Actor, ChatEvents } from './types'

export interface SendInput {
  content: string
  sender_id: number
  attachments?: AttachmentInput[] | undefined
  client_id?: string | undefined
}

export interface SendResult {
  message: MessageDto
  /** The client_id was seen before: this is the first message, nothing new was stored or broadcast. */
  duplicate: boolean
}

export class MessageService {
  private readonly ordered = new SerialQueue()

  constructor(
    private readonly db: Db,
    private readonly conversations: ConversationService,
    private readonly files: FileService,
    private readonly events: ChatEvents,
    private readonly limits: RateLimiters,
    private readonly writes: InflightWrites,
  ) {}

  /** A page of history, ascending; `before` pages backwards by message_id. */
  async list(actor: Actor, conversationId: number, page: { limit?: number | undefined; before?: number | undefined }): Promise<MessageDto[]> {
    await this.conversations.assertParticipant(actor, conversationId)
    const rows = await this.db.message.findMany({
      where: { conversation_id: conversationId, ...(page.before ? { message_id: { lt: page.before } } : {}) },
      orderBy: { message_id: 'desc' },
      take: page.limit ?? LIMITS.pageDefault,
      include: messageInclude,
    })
    return rows.reverse().map(toMessageDto)
  }

  /** Stores a message (REST and socket alike), then announces it; a repeated client_id returns the first. */
  async send(actor: Actor, conversationId: number, input: SendInput): Promise<SendResult> {
    if (input.sender_id !== actor.user_id) throw forbidden('sender_id must be your own user id.')
    const participantIds = await this.conversations.assertParticipant(actor, conversationId)
    if (input.client_id) {
      // A retry is answered before the rate limit: resending after a lost ack must never fail.
      const first = await this.byClientId(actor.user_id, input.client_id)
      if (first) return this.replay(first, conversationId)
    }
    await consume(this.limits.send, actor.user_id, 'You are sending messages too fast')
    const attachments = await this.files.resolveAttachments(actor, input.attachments ?? [])
    return this.writes.run(() => this.ordered.run(async () => {
      const now = new Date()
      try {
        const [row] = await this.db.$transaction([
          this.db.message.create({
            data: {
              conversation_id: conversationId,
              sender_id: actor.user_id,
              content: input.content,
              client_id: input.client_id ?? null,
              created_at: now,
              attachments: { create: attachments },
            },
            include: messageInclude,
          }),
          this.db.conversation.update({ where: { conversation_id: conversationId }, data: { updated_at: now } }),
        ])
        const message = toMessageDto(row)
        this.events.emit('message_created', { message, participantIds })
        return { message, duplicate: false }
      } catch (error) {
        if (!isUniqueViolation(error) || !input.client_id) throw error
        // A concurrent send with the same client_id won the race.
        const first = await this.byClientId(actor.user_id, input.client_id)
        if (!first) throw error
        return this.replay(first, conversationId)
      }
    }))
  }

  private async byClientId(senderId: number, clientId: string): Promise<MessageDto | null> {
    const row = await this.db.message.findUnique({
      where: { sender_id_client_id: { sender_id: senderId, client_id: clientId } },
      include: messageInclude,
    })
    return row ? toMessageDto(row) : null
  }

  private replay(first: MessageDto, conversationId: number): SendResult {
    if (first.conversation_id !== conversationId) {
      throw new AppError('conflict', `client_id "${first.client_id}" was already used for a message in another conversation.`, { field: 'client_id' })
    }
    return { message: first, duplicate: true }
  }

  /**
   * Marks a message read by a recipient, and with it every earlier message the recipient received
   * in that conversation (reading a message means having seen what came before it).
   */
  async markRead(actor: Actor, messageId: number, conversationId?: number): Promise<MessageDto> {
    const target = await this.db.message.findUnique({ where: { message_id: messageId }, select: { conversation_id: true, sender_id: true, is_read: true } })
    if (!target) throw notFound(`Message ${messageId} does not exist.`)
    if (conversationId !== undefined && conversationId !== target.conversation_id) {
      throw badRequest(`message ${messageId} is not in conversation ${conversationId}`, 'conversation_id')
    }
    const participantIds = await this.conversations.assertParticipant(actor, target.conversation_id)
    if (target.sender_id === actor.user_id) throw forbidden('Only a recipient can mark a message read, not its sender.')
    return this.writes.run(() => this.ordered.run(async () => {
      const [marked] = await this.db.$transaction([
        this.db.message.updateMany({
          where: { conversation_id: target.conversation_id, message_id: { lte: messageId }, sender_id: { not: actor.user_id }, is_read: false },
          data: { is_read: true },
        }),
        this.db.conversationParticipant.updateMany({
          where: {
            conversation_id: target.conversation_id,
            user_id: actor.user_id,
            OR: [{ last_read_message_id: null }, { last_read_message_id: { lt: messageId } }],
          },
          data: { last_read_message_id: messageId },
        }),
      ])
      const message = toMessageDto(await this.db.message.findUniqueOrThrow({ where: { message_id: messageId }, include: messageInclude }))
      if (marked.count > 0) this.events.emit('message_read', { message, participantIds })
      return message
    }))
  }

  /** Catch-up: every message of the actor's conversations after `afterMessageId`, ascending. */
  async sync(actor: Actor, afterMessageId: number, limit: number = LIMITS.syncPageDefault): Promise<SyncResult> {
    const mine = await this.db.conversationParticipant.findMany({ where: { user_id: actor.user_id }, select: { conversation_id: true } })
    const ids = mine.map((p) => p.conversation_id)
    if (ids.length === 0) return { messages: [], has_more: false, read_states: [] }
    const [rows, others] = await Promise.all([
      this.db.message.findMany({
        where: { conversation_id: { in: ids }, message_id: { gt: afterMessageId } },
        orderBy: { message_id: 'asc' },
        take: limit + 1,
        include: messageInclude,
      }),
      this.db.conversationParticipant.findMany({
        where: { conversation_id: { in: ids }, user_id: { not: actor.user_id }, last_read_message_id: { not: null } },
        select: { conversation_id: true, user_id: true, last_read_message_id: true },
      }),
    ])
    const has_more = rows.length > limit
    const read_states: ReadStateDto[] = others
    return { messages: rows.slice(0, limit).map(toMessageDto), has_more, read_states }
  }
}
