import type { MessageDto, ReadStateDto } from '../../shared/dto'
import type { SyncResult } from '../../shared/events'
import { LIMITS } from '../../shared/limits'
import type { AttachmentInput } from '../../shared/schemas'
import { messageInclude, type Db } from '../db/client'
import { toMessageDto } from '../db/mappers'
import type { InboxReader, MessageWriter } from '../db/ports'
import { AppError } from '../../shared/result'
import { badRequest, forbidden, notFound } from '../errors'
import type { ResolvedAttachment } from './files'
import type { InflightWrites } from '../lifecycle/inflight'
import { Batcher } from '../lifecycle/batcher'
import { SerialQueue } from '../lifecycle/serial'
import type { ConversationService } from './conversations'
import type { FileService } from './files'
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

interface SendJob {
  actor: Actor
  conversationId: number
  participantIds: number[]
  content: string
  clientId: string | null
  attachments: ResolvedAttachment[]
}

const keyOf = (senderId: number, clientId: string): string => `${senderId}|${clientId}`

export class MessageService {
  /** Read receipts: committed and broadcast one at a time. */
  private readonly ordered = new SerialQueue()
  /** Sends: stored in batches, each batch committed and broadcast (in id order) before the next. */
  private readonly sends = new Batcher<SendJob, SendResult>((jobs) => this.storeBatch(jobs))

  constructor(
    private readonly db: Db,
    private readonly conversations: ConversationService,
    private readonly files: FileService,
    private readonly events: ChatEvents,
    private readonly limits: RateLimiters,
    private readonly writes: InflightWrites,
    private readonly writer: MessageWriter,
    private readonly inbox: InboxReader,
  ) {}

  /** A page of history, ascending; `before` pages backwards by message_id. */
  async list(actor: Actor, conversationId: number, page: { limit?: number | undefined; before?: number | undefined }): Promise<MessageDto[]> {
    await this.conversations.assertParticipant(actor, conversationId)
    return this.inbox.page(conversationId, page.before, page.limit ?? LIMITS.pageDefault)
  }

  /** Stores a message (REST and socket alike), then announces it; a repeated client_id returns the first. */
  async send(actor: Actor, conversationId: number, input: SendInput): Promise<SendResult> {
    if (input.sender_id !== actor.user_id) throw forbidden('sender_id must be your own user id.')
    const participantIds = await this.conversations.assertParticipant(actor, conversationId)
    try {
      await consume(this.limits.send, actor.user_id, 'You are sending messages too fast')
    } catch (error) {
      // A retry is answered even when throttled: resending after a lost ack must never fail.
      const first = input.client_id ? await this.byClientId(actor.user_id, input.client_id) : null
      if (first) return this.replay(first, conversationId)
      throw error
    }
    const attachments = await this.files.resolveAttachments(actor, input.attachments ?? [])
    return this.writes.run(() =>
      this.sends.add({ actor, conversationId, participantIds, content: input.content, clientId: input.client_id ?? null, attachments }),
    )
  }

  /**
   * One transaction for every send that queued up: a look-up of client_ids already stored (retries),
   * the inserts and the conversations' bump. Then the broadcasts, in message_id order.
   */
  private async storeBatch(jobs: SendJob[]): Promise<(SendResult | Error)[]> {
    const results: (SendResult | Error | undefined)[] = new Array(jobs.length)
    const found = await this.writer.existing(jobs.flatMap((j) => (j.clientId === null ? [] : [{ sender_id: j.actor.user_id, client_id: j.clientId }])))
    const firstStored = new Map<string, MessageDto>()
    if (found.length > 0) {
      const rows = await this.db.message.findMany({ where: { message_id: { in: found.map((f) => f.message_id) } }, include: messageInclude })
      for (const row of rows) firstStored.set(keyOf(row.sender_id, row.client_id as string), toMessageDto(row))
    }
    const firstInBatch = new Map<string, number>()
    const copies: [index: number, of: number][] = []
    const fresh: number[] = []
    jobs.forEach((job, i) => {
      const key = job.clientId === null ? null : keyOf(job.actor.user_id, job.clientId)
      const first = key ? firstStored.get(key) : undefined
      if (first) results[i] = this.replayOf(first, job.conversationId)
      else if (key && firstInBatch.has(key)) copies.push([i, firstInBatch.get(key)!])
      else {
        if (key) firstInBatch.set(key, i)
        fresh.push(i)
      }
    })

    if (fresh.length > 0) {
      const now = new Date()
      const stored = await this.writer.insert(
        fresh.map((i) => {
          const job = jobs[i]!
          return { conversation_id: job.conversationId, sender_id: job.actor.user_id, content: job.content, client_id: job.clientId, attachments: job.attachments }
        }),
        now,
      )
      fresh.forEach((i, n) => {
        const job = jobs[i]!
        const { message_id, attachment_ids } = stored[n]!
        // The row as stored, through the one mapper: the answer equals what a reader gets back.
        const message = toMessageDto({
          message_id,
          conversation_id: job.conversationId,
          sender_id: job.actor.user_id,
          content: job.content,
          created_at: now,
          is_read: false,
          client_id: job.clientId,
          sender: job.actor,
          attachments: job.attachments.map((a, k) => ({ attachment_id: attachment_ids[k]!, message_id, ...a })),
        })
        results[i] = { message, duplicate: false }
        this.events.emit('message_created', { message, participantIds: job.participantIds })
      })
    }
    for (const [i, of] of copies) {
      const first = results[of]
      results[i] = first instanceof Error || first === undefined ? (first ?? new Error('lost')) : this.replayOf(first.message, jobs[i]!.conversationId)
    }
    return results as (SendResult | Error)[]
  }

  private replayOf(first: MessageDto, conversationId: number): SendResult | Error {
    try {
      return this.replay(first, conversationId)
    } catch (error) {
      return error as Error
    }
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
