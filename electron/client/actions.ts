// Edits, deletions and reactions the server has not acknowledged yet: the send outbox's rules for what
// changes a message. Each is kept in the store, goes out one at a time, oldest first, while connected,
// and is sent again after a timeout or a busy server. Sending one again is safe: the server applies
// an edit to the text the message already has, a deletion of a deleted message, and a reaction that
// is already there (or already gone) as no change. What it refuses for good waits for the user.
//
// The answer only settles the action: its effect reaches listeners as the server's live event
// (message_updated, message_deleted, reaction_updated) in position order, never from here, so an
// older answer cannot undo a newer change made by someone else meanwhile.
import type { MessageDto } from '../shared/dto'
import { Emitter } from '../shared/emitter'
import { AppError } from '../shared/result'
import { delay } from './connection'
import { newClientId } from './outbox'
import type { PendingAction } from './store'

export type ActionsEvents = {
  /** The list changed (queued, done, failed, retried, discarded), after it was saved. */
  changed: PendingAction[]
  /** The server applied an action; `message` is its answer. */
  done: { action: PendingAction; message: MessageDto }
}

export interface ActionsDeps {
  /** What the store kept from an earlier run, oldest first. */
  items: PendingAction[]
  /** Saves the client's state (this queue among it). */
  save(): Promise<void>
  /** Sending may go on: connected, and not closed. */
  canSend(): boolean
  /** One attempt over HTTP; throws an AppError (`unavailable` when the server cannot be reached). */
  perform(action: PendingAction): Promise<MessageDto>
  /** The wait before an action's next attempt. */
  backoff(attempt: number): number
}

/** What an action carries besides its kind's bookkeeping. */
export type NewAction = Pick<PendingAction, 'kind' | 'message_id' | 'conversation_id' | 'content' | 'emoji'>

/** An action_id no other action will have. */
export const newActionId = (): string => `a-${newClientId().slice(2)}`

/** Errors worth sending again: no answer, a busy or failing server. Anything else is the server's word. */
const TRANSIENT = new Set(['unavailable', 'internal', 'rate_limited'])

export class ActionQueue {
  readonly events = new Emitter<ActionsEvents>()
  private list: PendingAction[]
  private flushing = false

  constructor(private readonly deps: ActionsDeps) {
    this.list = deps.items
  }

  /** Unacknowledged actions, oldest first (copies). */
  get items(): PendingAction[] {
    return this.list.map((item) => ({ ...item }))
  }

  /** Queues an action and saves it before it is sent. */
  async add(action: NewAction): Promise<PendingAction> {
    const item: PendingAction = {
      action_id: newActionId(),
      kind: action.kind,
      message_id: action.message_id,
      conversation_id: action.conversation_id,
      ...(action.content === undefined ? {} : { content: action.content }),
      ...(action.emoji === undefined ? {} : { emoji: action.emoji }),
      queued_at: new Date().toISOString(),
      state: 'pending',
      attempts: 0,
    }
    this.list.push(item)
    await this.changed()
    void this.flush()
    return { ...item }
  }

  /** Sends a failed action again. */
  async retry(actionId: string): Promise<void> {
    const item = this.list.find((i) => i.action_id === actionId)
    if (!item || item.state !== 'failed') return
    item.state = 'pending'
    delete item.error
    await this.changed()
    void this.flush()
  }

  /** Gives up on a failed action. */
  async discard(actionId: string): Promise<void> {
    const before = this.list.length
    this.list = this.list.filter((i) => !(i.action_id === actionId && i.state === 'failed'))
    if (this.list.length === before) return
    await this.changed()
  }

  /** Sends pending actions one at a time, oldest first, until none is left or sending cannot go on. */
  async flush(): Promise<void> {
    if (this.flushing) return
    this.flushing = true
    try {
      while (this.deps.canSend()) {
        const item = this.list.find((i) => i.state === 'pending')
        if (!item) break
        item.attempts++
        let message: MessageDto
        try {
          message = await this.deps.perform({ ...item })
        } catch (error) {
          const info = error instanceof AppError ? error.info : null
          if (!info || TRANSIENT.has(info.code)) {
            await delay(info?.code === 'rate_limited' ? (info.retry_after_ms ?? 1000) : this.deps.backoff(item.attempts))
            continue
          }
          // The token was refused: the session is ending; the action waits for the next one.
          if (info.code === 'unauthorized') break
          // The server will never take it (the edit window passed, the message was deleted, not ours…): the user decides.
          item.state = 'failed'
          item.error = info
          await this.changed()
          continue
        }
        this.list = this.list.filter((i) => i.action_id !== item.action_id)
        await this.changed()
        this.events.emit('done', { action: { ...item }, message })
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
