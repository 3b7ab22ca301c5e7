import type { MessageDto, MessageReadDto, ReadReceiptDto, ReadStateDto, SystemEventDto } from '../../shared/dto'
import type { SyncResult } from '../../shared/events'
import { LIMITS } from '../../shared/limits'
import type { AttachmentInput } from '../../shared/schemas'
import { messageInclude, userSelect, type Db } from '../db/client'
import { toMessageDto, type ReplyRow } from '../db/mappers'
import type { GroupTx, InboxReader, MessageWriter } from '../db/ports'
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
  reply_to_id?: number | undefined
}

export interface SendResult {
  message: MessageDto
  /** The client_id was seen before: this is the first message, nothing new was stored or broadcast. */
  duplicate: boolean
}

interface SendJob {
  kind: 'send'
  actor: Actor
  conversationId: number
  content: string
  clientId: string | null
  attachments: ResolvedAttachment[]
  /** The message replied to, as it was when the send was checked. */
  replyTo: ReplyRow | null
}

/** A notice of the server's own, as a group change stores it. */
export interface Notice {
  message_id: number
  seq: number
  content: string
  system: SystemEventDto
}

/** What a group change did, as its transaction saw it. */
export interface GroupChange {
  conversationId: number
  /** In the order stored. */
  notices: Notice[]
  /** Removed (or left) by this change: told of it, then nothing more. */
  removed: number[]
  /** The conversation's position in the change feed when the change changed it (null: nothing changed). */
  seq: number | null
}

export interface GroupChangeResult extends Omit<GroupChange, 'notices'> {
  notices: { message: MessageDto; seq: number }[]
}

interface GroupJob {
  kind: 'group'
  actor: Actor
  work: (tx: GroupTx, at: Date) => Promise<GroupChange>
  /** Tells of the change once it is committed and its notices broadcast, before the next write runs. */
  announce: (change: GroupChangeResult) => Promise<void>
}

type WriteJob = SendJob | GroupJob
type WriteResult = SendResult | GroupChangeResult

const keyOf = (senderId: number, clientId: string): string => `${senderId}|${clientId}`

export class MessageService {
  /** Read receipts: committed and broadcast one at a time. */
  private readonly ordered = new SerialQueue()
  /**
   * Sends and group changes: sends stored in batches, each batch committed and broadcast (in id
   * order) before the next; a group change between them runs alone, in its own transaction.
   */
  private readonly writesInOrder = new Batcher<WriteJob, WriteResult>((jobs) => this.storeBatch(jobs))

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

  /**
   * A page of history, ascending: the latest, the one `before` a message (paging backwards by
   * message_id), or the one `around` a message of the conversation (it and what comes either side).
   * A removed member's ends at their removal.
   */
  async list(
    actor: Actor,
    conversationId: number,
    page: { limit?: number | undefined; before?: number | undefined; around?: number | undefined },
  ): Promise<MessageDto[]> {
    const { until } = await this.conversations.assertReader(actor, conversationId)
    const limit = page.limit ?? LIMITS.pageDefault
    const cap = (before: number | undefined) => (until === undefined ? before : Math.min(before ?? Number.MAX_SAFE_INTEGER, until + 1))
    if (page.around === undefined) return this.inbox.page(conversationId, cap(page.before), limit)
    const target = await this.db.message.findUnique({ where: { message_id: page.around }, select: { conversation_id: true } })
    if (!target || target.conversation_id !== conversationId || (until !== undefined && page.around > until)) {
      throw notFound(`Message ${page.around} is not in conversation ${conversationId}.`)
    }
    const upTo = await this.inbox.page(conversationId, page.around + 1, Math.ceil(limit / 2))
    const later = await this.inbox.after(conversationId, page.around, limit - upTo.length)
    return [...upTo, ...(until === undefined ? later : later.filter((m) => m.message_id <= until))]
  }

  /** Stores a message (REST and socket alike), then announces it; a repeated client_id returns the first. */
  async send(actor: Actor, conversationId: number, input: SendInput): Promise<SendResult> {
    if (input.sender_id !== actor.user_id) throw forbidden('sender_id must be your own user id.')
    await this.conversations.assertParticipant(actor, conversationId)
    try {
      await consume(this.limits.send, actor.user_id, 'You are sending messages too fast')
    } catch (error) {
      // A retry is answered even when throttled: resending after a lost ack must never fail.
      const first = input.client_id ? await this.byClientId(actor.user_id, input.client_id) : null
      if (first) return this.replay(first, conversationId)
      throw error
    }
    const attachments = await this.files.resolveAttachments(actor, input.attachments ?? [])
    const replyTo = input.reply_to_id === undefined ? null : await this.replyTarget(conversationId, input.reply_to_id)
    return this.writes.run(
      () => this.writesInOrder.add({ kind: 'send', actor, conversationId, content: input.content, clientId: input.client_id ?? null, attachments, replyTo }) as Promise<SendResult>,
    )
  }

  /** The message a reply quotes: one of the same conversation (any, deleted ones too: the quote then says so). */
  private async replyTarget(conversationId: number, messageId: number): Promise<ReplyRow> {
    const target = await this.db.message.findUnique({
      where: { message_id: messageId },
      select: { message_id: true, conversation_id: true, content: true, deleted_at: true, sender: { select: userSelect } },
    })
    if (!target || target.conversation_id !== conversationId) throw badRequest(`must be a message of conversation ${conversationId}`, 'reply_to_id')
    return { message_id: target.message_id, content: target.content, deleted_at: target.deleted_at, sender: target.sender }
  }

  /**
   * Runs a group change in its own transaction, in order with the sends around it, then broadcasts
   * its notices: to the members, and to whoever it removed (the notice of their removal is the last
   * message they get). `announce` runs then too, before the next write: announced after their turn,
   * two changes' announcements could land in the other order (a member removed by the later one put
   * back in the group's room by the earlier one's).
   */
  changeGroup(actor: Actor, work: GroupJob['work'], announce: GroupJob['announce']): Promise<GroupChangeResult> {
    return this.writes.run(() => this.writesInOrder.add({ kind: 'group', actor, work, announce }) as Promise<GroupChangeResult>)
  }

  private async storeBatch(jobs: WriteJob[]): Promise<(WriteResult | Error)[]> {
    const results: (WriteResult | Error)[] = []
    for (let i = 0; i < jobs.length; ) {
      const job = jobs[i]!
      if (job.kind === 'group') {
        results.push(await this.runGroupChange(job).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error)))))
        i++
        continue
      }
      let end = i
      while (end < jobs.length && jobs[end]!.kind === 'send') end++
      results.push(...(await this.storeSends(jobs.slice(i, end) as SendJob[])))
      i = end
    }
    return results
  }

  private async runGroupChange(job: GroupJob): Promise<GroupChangeResult> {
    const at = new Date()
    const change = await this.writer.changeGroup((tx) => job.work(tx, at))
    const notices = change.notices.map((n) => ({
      seq: n.seq,
      message: toMessageDto({
        message_id: n.message_id,
        conversation_id: change.conversationId,
        sender_id: job.actor.user_id,
        content: n.content,
        created_at: at,
        is_read: false,
        client_id: null,
        sender: job.actor,
        attachments: [],
        system: JSON.stringify(n.system),
        reply_to: null,
        edited_at: null,
        deleted_at: null,
        reactions: [],
      }),
    }))
    if (notices.length > 0) {
      const members = await this.conversations.participantsOf(change.conversationId)
      // Whoever this change removed is told up to the notice of their removal (their visible_until),
      // not what follows it in the same change (an owner who leaves: the notice of their heir).
      let told = change.removed
      for (const { message, seq } of notices) {
        this.events.emit('message_created', { seq, message, participantIds: [...new Set([...members, ...told])] })
        const s = message.system
        told = told.filter((id) => !(s && ((s.type === 'left' && s.actor_id === id) || (s.type === 'removed' && s.user_ids.includes(id)))))
      }
    }
    const result = { ...change, notices }
    await job.announce(result)
    return result
  }

  /**
   * One transaction for every send that queued up: a look-up of client_ids already stored (retries),
   * the inserts and the conversations' bump. Then the broadcasts, in message_id order, to the members
   * as they are once the batch is stored.
   */
  private async storeSends(jobs: SendJob[]): Promise<(SendResult | Error)[]> {
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
          return { conversation_id: job.conversationId, sender_id: job.actor.user_id, content: job.content, client_id: job.clientId, attachments: job.attachments, reply_to_id: job.replyTo?.message_id ?? null }
        }),
        now,
      )
      // A group's members as the batch left them: someone removed before it was stored gets nothing of it.
      const recipients = new Map<number, number[]>()
      for (const conversationId of new Set(fresh.map((i) => jobs[i]!.conversationId))) {
        recipients.set(conversationId, await this.conversations.participantsOf(conversationId))
      }
      fresh.forEach((i, n) => {
        const job = jobs[i]!
        const row = stored[n]
        if (!row) {
          results[i] = forbidden(`You are no longer a member of conversation ${job.conversationId}.`)
          return
        }
        const { message_id, attachment_ids, seq } = row
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
          system: null,
          reply_to: job.replyTo,
          edited_at: null,
          deleted_at: null,
          reactions: [],
        })
        results[i] = { message, duplicate: false }
        this.events.emit('message_created', { seq, message, participantIds: recipients.get(job.conversationId)! })
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
   * in that conversation (reading a message means having seen what came before it). In a group a
   * message counts as read (`is_read`) once every other current member has read it; each reader's
   * call is one `message_read` event, whatever it covered.
   */
  async markRead(actor: Actor, messageId: number, conversationId?: number): Promise<MessageDto> {
    const target = await this.db.message.findUnique({
      where: { message_id: messageId },
      select: { conversation_id: true, sender_id: true },
    })
    if (!target) throw notFound(`Message ${messageId} does not exist.`)
    if (conversationId !== undefined && conversationId !== target.conversation_id) {
      throw badRequest(`message ${messageId} is not in conversation ${conversationId}`, 'conversation_id')
    }
    await this.conversations.assertParticipant(actor, target.conversation_id)
    if (target.sender_id === actor.user_id) throw forbidden('Only a recipient can mark a message read, not its sender.')
    return this.writes.run(() => this.ordered.run(async () => {
      const seq = await this.writer.markRead({ conversation_id: target.conversation_id, user_id: actor.user_id, message_id: messageId, at: new Date() })
      const message = toMessageDto(await this.db.message.findUniqueOrThrow({ where: { message_id: messageId }, include: messageInclude }))
      if (seq !== null) {
        const read: MessageReadDto = { ...message, reader_id: actor.user_id }
        this.events.emit('message_read', { seq, message: read, participantIds: await this.conversations.participantsOf(target.conversation_id) })
      }
      return message
    }))
  }

  /**
   * Who has read a message (every current member but its sender whose read position reached it), and
   * when. Someone added after it is not one of them until they read past it: joining set their read
   * position at the latest message without their having read anything.
   */
  async reads(actor: Actor, messageId: number): Promise<ReadReceiptDto[]> {
    const target = await this.db.message.findUnique({ where: { message_id: messageId }, select: { conversation_id: true, sender_id: true, created_at: true } })
    if (!target) throw notFound(`Message ${messageId} does not exist.`)
    const { until } = await this.conversations.assertReader(actor, target.conversation_id)
    if (until !== undefined && messageId > until) throw notFound(`Message ${messageId} does not exist.`)
    const readers = await this.db.conversationParticipant.findMany({
      where: {
        conversation_id: target.conversation_id,
        removed_at: null,
        user_id: { not: target.sender_id },
        last_read_message_id: { gte: messageId },
        OR: [{ joined_at: { lte: target.created_at } }, { user: { receipts: { some: { conversation_id: target.conversation_id, message_id: { gte: messageId } } } } }],
      },
      select: { user: { select: userSelect } },
    })
    if (readers.length === 0) return []
    const first = await this.db.readReceipt.groupBy({
      by: ['user_id'],
      where: { conversation_id: target.conversation_id, message_id: { gte: messageId }, user_id: { in: readers.map((r) => r.user.user_id) } },
      _min: { read_at: true },
    })
    const readAt = new Map(first.map((f) => [f.user_id, f._min.read_at]))
    return readers
      .map(({ user }) => ({ user, read_at: readAt.get(user.user_id)?.toISOString() ?? null }))
      .sort((a, b) => (a.read_at ?? '\uffff').localeCompare(b.read_at ?? '\uffff') || a.user.user_id - b.user.user_id)
  }

  /**
   * Catch-up the seed's way: every message of the actor's conversations after `afterMessageId`,
   * ascending (a removed member's up to their removal), with the change feed's position as it stood
   * before they were read, from which a client can go on by position.
   */
  async sync(actor: Actor, afterMessageId: number, limit: number = LIMITS.syncPageDefault): Promise<SyncResult> {
    const position = await this.writer.position()
    const mine = await this.db.conversationParticipant.findMany({ where: { user_id: actor.user_id }, select: { conversation_id: true, removed_at: true, visible_until: true } })
    if (mine.length === 0) return { messages: [], has_more: false, read_states: [], position }
    const current = mine.filter((m) => m.removed_at === null).map((m) => m.conversation_id)
    const readable = [
      ...(current.length > 0 ? [{ conversation_id: { in: current } }] : []),
      ...mine.filter((m) => m.removed_at !== null).map((m) => ({ conversation_id: m.conversation_id, message_id: { lte: m.visible_until ?? 0 } })),
    ]
    const [rows, others] = await Promise.all([
      this.db.message.findMany({
        where: { message_id: { gt: afterMessageId }, OR: readable },
        orderBy: { message_id: 'asc' },
        take: limit + 1,
        include: messageInclude,
      }),
      current.length === 0
        ? []
        : this.db.conversationParticipant.findMany({
            where: { conversation_id: { in: current }, user_id: { not: actor.user_id }, removed_at: null, last_read_message_id: { not: null } },
            select: { conversation_id: true, user_id: true, last_read_message_id: true },
          }),
    ])
    const has_more = rows.length > limit
    const read_states: ReadStateDto[] = others
    return { messages: rows.slice(0, limit).map(toMessageDto), has_more, read_states, position }
  }
}
