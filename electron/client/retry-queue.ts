// What the send outbox and the queue of edits, deletions and reactions have in common: items kept in
// the store, sent one at a time, oldest first, while sending may go on; tried again after no answer
// or a busy server; what the server refuses for good waits for the user to retry or discard it.
import type { ErrorInfo } from '../shared/result'
import { delay } from './connection'

export interface QueuedItem {
  state: 'pending' | 'failed'
  error?: ErrorInfo | undefined
  attempts: number
}

/**
 * What one attempt came to: done (the item leaves the queue, then `after` runs), again after a wait,
 * refused for good (the item fails with the server's word), or stop (sending cannot go on now).
 */
export type Attempt = { done: true; after: () => void } | { again: number } | { failed: ErrorInfo } | { stop: true }

export abstract class RetryQueue<T extends QueuedItem> {
  protected list: T[]
  private flushing = false

  constructor(
    items: T[],
    private readonly base: {
      /** Saves the client's state (this queue among it). */
      save(): Promise<void>
      /** Sending may go on: connected, and not closed. */
      canSend(): boolean
    },
  ) {
    this.list = items
  }

  /** Unacknowledged items, oldest first (copies). */
  get items(): T[] {
    return this.list.map((item) => ({ ...item }))
  }

  get counts(): { pending: number; failed: number } {
    return { pending: this.list.filter((i) => i.state === 'pending').length, failed: this.list.filter((i) => i.state === 'failed').length }
  }

  /** Sends a failed item again. */
  async retry(id: string): Promise<void> {
    const item = this.list.find((i) => this.idOf(i) === id)
    if (!item || item.state !== 'failed') return
    item.state = 'pending'
    delete item.error
    await this.changed()
    void this.flush()
  }

  /** Gives up on a failed item. */
  async discard(id: string): Promise<void> {
    const before = this.list.length
    this.list = this.list.filter((i) => !(this.idOf(i) === id && i.state === 'failed'))
    if (this.list.length === before) return
    await this.changed()
  }

  /** Sends pending items one at a time, oldest first, until none is left or sending cannot go on. */
  async flush(): Promise<void> {
    if (this.flushing) return
    this.flushing = true
    try {
      while (this.base.canSend()) {
        const item = this.list.find((i) => i.state === 'pending')
        if (!item) break
        item.attempts++
        const result = await this.attempt(item)
        if ('again' in result) {
          await delay(result.again)
        } else if ('stop' in result) {
          break
        } else if ('failed' in result) {
          item.state = 'failed'
          item.error = result.failed
          await this.changed()
        } else {
          this.list = this.list.filter((i) => i !== item)
          await this.changed()
          result.after()
        }
      }
    } finally {
      this.flushing = false
    }
  }

  /** Queues an item and saves it before it is sent. */
  protected async enqueue(item: T): Promise<T> {
    this.list.push(item)
    await this.changed()
    void this.flush()
    return { ...item }
  }

  protected async changed(): Promise<void> {
    await this.base.save()
    this.announce(this.items)
  }

  /** The item's id (client_id, action_id). */
  protected abstract idOf(item: T): string
  /** One attempt at sending the item. */
  protected abstract attempt(item: T): Promise<Attempt>
  /** The list changed (queued, sent, failed, retried, discarded), after it was saved. */
  protected abstract announce(items: T[]): void
}
