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
import { newClientId } from './outbox'
import { RetryQueue, type Attempt } from './retry-queue'
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

export class ActionQueue extends RetryQueue<PendingAction> {
  readonly events = new Emitter<ActionsEvents>()

  constructor(private readonly deps: ActionsDeps) {
    super(deps.items, deps)
  }

  /** Queues an action and saves it before it is sent. */
  add(action: NewAction): Promise<PendingAction> {
    return this.enqueue({
      action_id: newActionId(),
      kind: action.kind,
      message_id: action.message_id,
      conversation_id: action.conversation_id,
      ...(action.content === undefined ? {} : { content: action.content }),
      ...(action.emoji === undefined ? {} : { emoji: action.emoji }),
      queued_at: new Date().toISOString(),
      state: 'pending',
      attempts: 0,
    })
  }

  protected idOf(item: PendingAction): string {
    return item.action_id
  }

  protected async attempt(item: PendingAction): Promise<Attempt> {
    try {
      const message = await this.deps.perform({ ...item })
      return { done: true, after: () => this.events.emit('done', { action: { ...item }, message }) }
    } catch (error) {
      const info = error instanceof AppError ? error.info : null
      if (!info || TRANSIENT.has(info.code)) return { again: info?.code === 'rate_limited' ? (info.retry_after_ms ?? 1000) : this.deps.backoff(item.attempts) }
      // The token was refused: the session is ending; the action waits for the next one.
      if (info.code === 'unauthorized') return { stop: true }
      // The server will never take it (the edit window passed, the message was deleted, not ours…): the user decides.
      return { failed: info }
    }
  }

  protected announce(items: PendingAction[]): void {
    this.events.emit('changed', items)
  }
}
