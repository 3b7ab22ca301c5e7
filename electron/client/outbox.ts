// What the user sent that the server has not acknowledged yet. Each send gets a client_id (the server
// stores a client_id once, so sending again is safe), is kept in the store, and goes out one at a
// time, oldest first, until acknowledged. What the server refuses for good waits for the user to
// retry or discard it.
import type { MessageDto } from '../shared/dto'
import { Emitter } from '../shared/emitter'
import type { Ack } from '../shared/result'
import type { AttachmentInput, SendMessagePayload } from '../shared/schemas'
import { delay } from './connection'
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

export class Outbox {
  readonly events = new Emitter<OutboxEvents>()
  private list: PendingMessage[]
  private flushing = false

  constructor(private readonly deps: OutboxDeps) {
    this.list = deps.items
  }

  /** Unacknowledged sends, oldest first (copies). */
  get items(): PendingMessage[] {
    return this.list.map((item) => ({ ...item }))
  }

  get counts(): { pending: number; failed: number } {
    return { pending: this.list.filter((i) => i.state === 'pending').length, failed: this.list.filter((i) => i.state === 'failed').length }
  }

  /** Queues a message (a reply when `replyToId` is given) and saves it before it is sent. */
  async add(conversationId: number, content: string, attachments?: AttachmentInput[], replyToId?: number): Promise<PendingMessage> {
    const item: PendingMessage = {
      client_id: newClientId(),
      conversation_id: conversationId,
      content,
      ...(attachments && attachments.length > 0 ? { attachments } : {}),
      ...(replyToId === undefined ? {} : { reply_to_id: replyToId }),
      queued_at: new Date().toISOString(),
      state: 'pending',
      attempts: 0,
    }
    this.list.push(item)
    await this.changed()
    void this.flush()
    return { ...item }
  }

  /** Sends a failed message again. */
  async retry(clientId: string): Promise<void> {
    const item = this.list.find((i) => i.client_id === clientId)
    if (!item || item.state !== 'failed') return
    item.state = 'pending'
    delete item.error
    await this.changed()
    void this.flush()
  }

  /** Gives up on a failed message. */
  async discard(clientId: string): Promise<void> {
    const before = this.list.length
    this.list = this.list.filter((i) => !(i.client_id === clientId && i.state === 'failed'))
    if (this.list.length === before) return
    await this.changed()
  }

  /** Sends pending items one at a time, oldest first, until none is left or sending cannot go on. */
  async flush(): Promise<void> {
    if (this.flushing) return
    this.flushing = true
    try {
      while (this.deps.canSend()) {
        const item = this.list.find((i) => i.state === 'pending')
        if (!item) break
        item.attempts++
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
          await delay(this.deps.backoff(item.attempts))
          continue
        }
        if (ack.ok) {
          this.list = this.list.filter((i) => i.client_id !== item.client_id)
          await this.changed()
          this.events.emit('sent', { client_id: item.client_id, message: ack.message })
          continue
        }
        const { code } = ack.error
        if (code === 'rate_limited') {
          await delay(ack.error.retry_after_ms ?? 1000)
        } else if (code === 'unavailable' || code === 'internal') {
          await delay(this.deps.backoff(item.attempts))
        } else {
          // The server will never take it as it is (not a participant, too long, ...): the user decides.
          item.state = 'failed'
          item.error = ack.error
          await this.changed()
        }
      }
    } finally {
      this.flushing = false
    }
  }

  private async changed(): Promise<void> {
    await this.deps.save()
    this.events.emit('changed', this.items)
  }
}
