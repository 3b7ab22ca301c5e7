// What the user sent that the server has not acknowledged yet. Each send gets a client_id (the server
// stores a client_id once, so sending again is safe), is kept in the store, and goes out one at a
// time, oldest first, until acknowledged. What the server refuses for good waits for the user to
// retry or discard it.
import type { MessageDto } from '../shared/dto'
import { Emitter } from '../shared/emitter'
import type { Ack } from '../shared/result'
import type { AttachmentInput, SendMessagePayload } from '../shared/schemas'
import { RetryQueue, type Attempt } from './retry-queue'
import type { PendingMessage } from './store'

export type OutboxEvents = {
  /** The list changed (queued, sent, failed, retried, discarded), after it was saved. */
  changed: PendingMessage[]
  /** A send was stored by the server. */
  sent: { client_id: string; message: MessageDto }
}

export interface OutboxDeps {
  /** What the store kept from an earlier run, oldest first. */
  items: PendingMessage[]
  senderId: number
  /** Saves the client's state (this outbox among it). */
  save(): Promise<void>
  /** Sending may go on: connected, and not closed. */
  canSend(): boolean
  /** One send; rejects when no answer comes (a timeout, a disconnect). */
  send(payload: SendMessagePayload): Promise<Ack<{ message: MessageDto; duplicate: boolean }>>
  /** The wait before a send's next attempt. */
  backoff(attempt: number): number
}

/** A client_id no other send of this user will have. Works where crypto.randomUUID does not (plain-HTTP pages). */
export function newClientId(): string {
  const bytes = new Uint8Array(16)
  globalThis.crypto.getRandomValues(bytes)
  return 'c-' + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
}

export class Outbox extends RetryQueue<PendingMessage> {
  readonly events = new Emitter<OutboxEvents>()

  constructor(private readonly deps: OutboxDeps) {
    super(deps.items, deps)
  }

  /** Queues a message (a reply when `replyToId` is given) and saves it before it is sent. */
  add(conversationId: number, content: string, attachments?: AttachmentInput[], replyToId?: number): Promise<PendingMessage> {
    return this.enqueue({
      client_id: newClientId(),
      conversation_id: conversationId,
      content,
      ...(attachments && attachments.length > 0 ? { attachments } : {}),
      ...(replyToId === undefined ? {} : { reply_to_id: replyToId }),
      queued_at: new Date().toISOString(),
      state: 'pending',
      attempts: 0,
    })
  }

  protected idOf(item: PendingMessage): string {
    return item.client_id
  }

  protected async attempt(item: PendingMessage): Promise<Attempt> {
    let ack: Ack<{ message: MessageDto; duplicate: boolean }>
    try {
      ack = await this.deps.send({
        conversation_id: item.conversation_id,
        content: item.content,
        sender_id: this.deps.senderId,
        client_id: item.client_id,
        ...(item.attachments ? { attachments: item.attachments } : {}),
        ...(item.reply_to_id === undefined ? {} : { reply_to_id: item.reply_to_id }),
      })
    } catch {
      // No answer (timeout or disconnect): the same client_id is safe to send again.
      return { again: this.deps.backoff(item.attempts) }
    }
    if (ack.ok) return { done: true, after: () => this.events.emit('sent', { client_id: item.client_id, message: ack.message }) }
    const { code } = ack.error
    if (code === 'rate_limited') return { again: ack.error.retry_after_ms ?? 1000 }
    if (code === 'unavailable' || code === 'internal') return { again: this.deps.backoff(item.attempts) }
    // The server will never take it as it is (not a participant, too long, ...): the user decides.
    return { failed: ack.error }
  }

  protected announce(items: PendingMessage[]): void {
    this.events.emit('changed', items)
  }
}
