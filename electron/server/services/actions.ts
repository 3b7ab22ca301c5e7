// What people do to messages once sent: edit, delete for everyone, react; and the versions an edit
// keeps. The rules that depend only on the message (its sender, its age, a notice) are checked here;
// those that change under concurrent calls (deleted meanwhile, the edit count, a reaction already
// there) inside the writer's transaction. Each change takes its position in the change feed and is
// announced with it.
import type { MessageDto, MessageVersionDto } from '../../shared/dto'
import { LIMITS } from '../../shared/limits'
import { AppError } from '../../shared/result'
import { messageInclude, type Db } from '../db/client'
import { toMessageDto } from '../db/mappers'
import type { MessageWriter } from '../db/ports'
import { forbidden, notFound } from '../errors'
import type { InflightWrites } from '../lifecycle/inflight'
import type { ConversationService } from './conversations'
import type { FileService } from './files'
import { consume, type RateLimiters } from './rate-limits'
import type { Actor, ChatEvents } from './types'

const canModerate = (role: string | undefined): boolean => role === 'owner' || role === 'admin'

export class MessageActionService {
  constructor(
    private readonly db: Db,
    private readonly conversations: ConversationService,
    private readonly files: FileService,
    private readonly events: ChatEvents,
    private readonly limits: RateLimiters,
    private readonly writes: InflightWrites,
    private readonly writer: MessageWriter,
    /** How long after sending a message its sender may edit it. */
    private readonly editWindowMs: number,
  ) {}

  /**
   * Replaces the text of one of the actor's messages, within the edit window and LIMITS.editsMax
   * edits; the text it had is kept as a version. The text it already has changes nothing (a retried
   * edit is answered as the first was).
   */
  async edit(actor: Actor, messageId: number, content: string): Promise<MessageDto> {
    const target = await this.target(actor, messageId)
    if (target.sender_id !== actor.user_id) throw forbidden('Only its sender can edit a message.')
    if (target.deleted_at) throw deletedError(messageId)
    if (Date.now() - target.created_at.getTime() > this.editWindowMs) {
      throw forbidden(`Message ${messageId} can no longer be edited: edits are allowed for ${describe(this.editWindowMs)} after sending.`)
    }
    await consume(this.limits.send, actor.user_id, 'You are editing messages too fast')
    return this.writes.run(async () => {
      const outcome = await this.writer.edit({ message_id: messageId, content, at: new Date(), maxEdits: LIMITS.editsMax })
      if (outcome === 'deleted') throw deletedError(messageId)
      if (outcome === 'too_many') throw forbidden(`Message ${messageId} has been edited ${LIMITS.editsMax} times, the most allowed.`)
      const message = await this.read(messageId)
      if (outcome !== 'unchanged') this.events.emit('message_updated', { seq: outcome.seq, message, participantIds: await this.conversations.participantsOf(message.conversation_id) })
      return message
    })
  }

  /**
   * Deletes a message for everyone: its sender, any time; in a group, its owner and admins too. The
   * row stays as a tombstone; its files go from storage once no other message uses them. Deleting a
   * deleted message answers its tombstone again.
   */
  async remove(actor: Actor, messageId: number): Promise<MessageDto> {
    const target = await this.target(actor, messageId)
    if (target.sender_id !== actor.user_id) {
      const role = target.kind === 'group' ? await this.roleOf(actor, target.conversation_id) : undefined
      if (!canModerate(role)) throw forbidden(target.kind === 'group' ? 'Only its sender, the owner and admins can delete a message.' : 'Only its sender can delete a message.')
    }
    return this.writes.run(async () => {
      const outcome = await this.writer.remove(messageId, new Date())
      const message = await this.read(messageId)
      if (outcome !== 'already') {
        this.events.emit('message_deleted', { seq: outcome.seq, message, participantIds: await this.conversations.participantsOf(message.conversation_id) })
        await this.files.forget(outcome.file_urls)
      }
      return message
    })
  }

  /** Adds or takes back the actor's reaction; doing what is already done changes nothing. */
  async react(actor: Actor, messageId: number, emoji: string, on: boolean): Promise<MessageDto> {
    const target = await this.target(actor, messageId)
    if (target.deleted_at) throw deletedError(messageId)
    await consume(this.limits.send, actor.user_id, 'You are reacting too fast')
    return this.writes.run(async () => {
      const outcome = await this.writer.react({ message_id: messageId, user_id: actor.user_id, emoji, on, at: new Date() })
      if (outcome === 'deleted') throw deletedError(messageId)
      const message = await this.read(messageId)
      if (outcome !== 'unchanged') {
        const reaction = { conversation_id: message.conversation_id, message_id: messageId, reactions: message.reactions }
        this.events.emit('reaction_updated', { seq: outcome.seq, reaction, participantIds: await this.conversations.participantsOf(message.conversation_id) })
      }
      return message
    })
  }

  /** The earlier versions of a message, oldest first (none once deleted). */
  async versions(actor: Actor, messageId: number): Promise<MessageVersionDto[]> {
    const message = await this.db.message.findUnique({ where: { message_id: messageId }, select: { conversation_id: true } })
    if (!message) throw notFound(`Message ${messageId} does not exist.`)
    const { until } = await this.conversations.assertReader(actor, message.conversation_id)
    if (until !== undefined && messageId > until) throw notFound(`Message ${messageId} does not exist.`)
    const rows = await this.db.messageVersion.findMany({ where: { message_id: messageId }, orderBy: { version_id: 'asc' }, select: { content: true, written_at: true } })
    return rows.map((r) => ({ content: r.content, written_at: r.written_at.toISOString() }))
  }

  /** The message acted on: it exists, is a person's (not a notice) and the actor is a current member of its conversation. */
  private async target(actor: Actor, messageId: number) {
    const target = await this.db.message.findUnique({
      where: { message_id: messageId },
      select: { conversation_id: true, sender_id: true, created_at: true, deleted_at: true, system: true, conversation: { select: { kind: true } } },
    })
    if (!target) throw notFound(`Message ${messageId} does not exist.`)
    await this.conversations.assertParticipant(actor, target.conversation_id)
    if (target.system !== null) throw forbidden("The server's notices cannot be edited, deleted or reacted to.")
    return { ...target, kind: target.conversation.kind }
  }

  private async roleOf(actor: Actor, conversationId: number): Promise<string | undefined> {
    const row = await this.db.conversationParticipant.findUnique({
      where: { conversation_id_user_id: { conversation_id: conversationId, user_id: actor.user_id } },
      select: { role: true, removed_at: true },
    })
    return row && row.removed_at === null ? row.role : undefined
  }

  private async read(messageId: number): Promise<MessageDto> {
    return toMessageDto(await this.db.message.findUniqueOrThrow({ where: { message_id: messageId }, include: messageInclude }))
  }
}

const deletedError = (messageId: number): AppError => new AppError('conflict', `Message ${messageId} was deleted.`)

const describe = (ms: number): string => (ms % 3_600_000 === 0 ? `${ms / 3_600_000} hours` : ms % 60_000 === 0 ? `${ms / 60_000} minutes` : `${ms / 1000} seconds`)

