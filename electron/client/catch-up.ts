// Changes from the server, in change-feed order and each once, whether they come live, by catch-up or
// as the answer to our own send. The position says up to where every change has been handed on; a
// catch-up pages through what came after it, and live changes wait while one runs, so nothing is
// handed on out of order and nothing is skipped.
//
// What listeners get (the renderer relies on it; see also AppEvents in messenger-api.ts):
// - new_message: each message once, the first time this client hands it on, as it is at that moment
//   (a message sent and edited while we were away comes once, as new_message, already edited).
// - message_updated: the whole message as it is now (text, edited_at, reactions, reply_to), to apply
//   as a replacement. Live, for an edit; from a catch-up, for any message already handed on (or older
//   than what this client hands on) that changed in any way — its reactions included: a catch-up
//   never emits reaction_updated. It may repeat a state the listener already has.
// - message_deleted: a tombstone, live or from a catch-up, whether or not the message was handed on
//   before (a message sent and deleted while we were away comes only as its tombstone).
// - reaction_updated: live only, a message's reactions as they are now.
// - message_read, conversation_updated: live; conversation_updated and read_state from a catch-up too.
// Within one catch-up page: conversation_updated first, then messages, then read_state.
import type { ConversationUpdateDto, MessageDto, MessageReadDto, ReactionUpdateDto, ReadStateDto } from '../shared/dto'
import { Emitter } from '../shared/emitter'
import type { SyncResult } from '../shared/events'
import { delay } from './connection'
import type { KnownMessagesState } from './store'

export type FeedEvents = {
  new_message: MessageDto
  message_updated: MessageDto
  message_deleted: MessageDto
  reaction_updated: ReactionUpdateDto
  message_read: MessageReadDto
  conversation_updated: ConversationUpdateDto
  /** Where a participant (the user included) has read up to, learned at catch-up. */
  read_state: ReadStateDto
}

/** The live events that tell of a change, each carrying its position in the change feed. */
export const LIVE_CHANGES = ['new_message', 'message_read', 'message_updated', 'message_deleted', 'reaction_updated', 'conversation_updated'] as const
export type LiveChangeName = (typeof LIVE_CHANGES)[number]

/** A live change as the socket delivered it; `seq` is null when the server sent no position. */
export type LiveChange = { [K in LiveChangeName]: { event: K; payload: FeedEvents[K]; seq: number | null } }[LiveChangeName]

/**
 * Where the next catch-up starts: after a position in the change feed or, while the server has not
 * yet told this client any position (a client new to it, or one whose store predates positions),
 * after the last message id it has: the bridge (see CatchUp.run).
 */
export type Cursor = { seq: number } | { message_id: number }

export interface CatchUpDeps {
  /** Where the store's cursor was. */
  cursor: Cursor
  /** What the store knew of the messages handed on. */
  known: KnownMessagesState
  /** One page of everything after `from`: by after_seq, or by after_message_id for the bridge. */
  sync(from: Cursor): Promise<SyncResult>
  /** Saves the client's state (the cursor among it). */
  save(): Promise<void>
  /** A failed pass may be tried again now: connected, and not closed. */
  canRetry(): boolean
  /** The wait before a failed pass is tried again. */
  retryDelayMs(): number
}

/** Ids of messages handed on that are remembered one by one; older ones fall below the floor. */
export const KNOWN_KEPT = 2_000

/**
 * Which messages this client has handed on as new: the newest few thousand by id, and a floor at or
 * below which every message counts as known (handed on long ago, or older than this client's start:
 * history, which the inbox loads as it is). A catch-up's message that is not known is new to us.
 */
export class KnownMessages {
  private floor: number
  private readonly ids: Set<number>

  constructor(state: KnownMessagesState) {
    this.floor = state.floor
    this.ids = new Set(state.ids)
  }

  /** Handed on before, or at or below the floor. */
  knows(id: number): boolean {
    return id <= this.floor || this.ids.has(id)
  }

  /** Remembers an id handed on; false when it was already remembered (so not to be handed on as new again). */
  add(id: number): boolean {
    if (this.ids.has(id)) return false
    this.ids.add(id)
    return true
  }

  /** Forgets all but the newest KNOWN_KEPT remembered, raising the floor past what it forgets. */
  trim(): void {
    for (const id of this.ids) {
      if (this.ids.size <= KNOWN_KEPT) break
      this.ids.delete(id)
      this.floor = Math.max(this.floor, id)
    }
  }

  get state(): KnownMessagesState {
    return { floor: this.floor, ids: [...this.ids] }
  }
}

export class CatchUp {
  readonly events = new Emitter<FeedEvents>()
  private position: Cursor
  private readonly known: KnownMessages
  private syncing: Promise<void> | null = null
  /** Asked again while a pass runs: it goes round once more. */
  private wanted = false
  /** Bumped by every rewind, so a page asked for before one does not move the cursor past it. */
  private rewinds = 0
  /** True once a pass finished on the current connection: only then are live changes handed on at once. */
  private caughtUp = false
  /** Live changes that came while a pass ran: handed on after it, in position order. */
  private held: LiveChange[] = []
  /** The events already handed on at the current position (a catch-up page covers all of them). */
  private handedHere = new Set<LiveChangeName | 'page'>()

  constructor(private readonly deps: CatchUpDeps) {
    this.position = deps.cursor
    this.known = new KnownMessages(deps.known)
  }

  /** Where the next catch-up starts. */
  get cursor(): Cursor {
    return this.position
  }

  /** What to keep across a restart: every change up to the cursor has been handed on, in order. */
  get saved(): { cursor: Cursor; known: KnownMessagesState } {
    return { cursor: this.position, known: this.known.state }
  }

  /** A new connection: live changes wait until the catch-up from the cursor is done. */
  connected(): Promise<void> {
    this.caughtUp = false
    // Anything held from an earlier connection is after the cursor: this catch-up brings it again.
    this.held = []
    return this.run()
  }

  /** Until the next connection has caught up, live changes wait. */
  disconnected(): void {
    this.caughtUp = false
  }

  /**
   * Pages through everything after the cursor, first rewinding it to `rewindTo` when that is lower
   * (a `resync` naming the position before a change the server skipped). Asked again while a pass
   * runs, that pass goes round once more from wherever the cursor then is; a failed pass is retried
   * from the last page it completed.
   *
   * Without a position yet, the pass first bridges: it pages by after_message_id (new messages only),
   * then takes the first such page's `position` (the feed's position when it was read) and goes on by
   * position from there. When the server gives no position there, the client stays on message ids
   * and takes the position of the first live change it hands on.
   */
  run(rewindTo?: number): Promise<void> {
    if (rewindTo !== undefined && 'seq' in this.position && rewindTo < this.position.seq) {
      this.position = { seq: Math.max(0, rewindTo) }
      this.handedHere.clear()
      this.rewinds++
    }
    this.wanted = true
    this.syncing ??= this.pass()
    return this.syncing
  }

  /** A change the server pushed. */
  live(change: LiveChange): void {
    if (!this.caughtUp || this.syncing) {
      this.held.push(change)
      return
    }
    this.handOn(change)
    this.known.trim()
    void this.deps.save()
  }

  /** Our own message, as the server's answer to its send: handed on once, not a reason to move the cursor. */
  acked(message: MessageDto): void {
    if (this.known.add(message.message_id)) this.events.emit('new_message', message)
    if (!this.syncing) this.known.trim()
  }

  private async pass(): Promise<void> {
    try {
      do {
        this.wanted = false
        await this.pages()
        await this.deps.save()
      } while (this.wanted)
      // Nothing is awaited from here to the end: no live change can slip in between.
      const held = this.held.sort((a, b) => (a.seq ?? Infinity) - (b.seq ?? Infinity))
      this.held = []
      for (const change of held) this.handOn(change)
      this.known.trim()
      this.caughtUp = true
      if (held.length > 0) void this.deps.save()
    } catch {
      // Live changes wait again: handing them on would move the cursor past what this pass did not get.
      this.caughtUp = false
      if (this.deps.canRetry()) {
        void delay(this.deps.retryDelayMs()).then(() => {
          if (this.deps.canRetry() && !this.caughtUp && !this.syncing) void this.run()
        })
      }
    } finally {
      this.syncing = null
    }
  }

  /** Pages until the server has nothing more after the cursor. */
  private async pages(): Promise<void> {
    /** The bridge's first position: the feed's position before the first page of new messages was read. */
    let bridgeHead: number | null = null
    for (;;) {
      const from = this.position
      const rewinds = this.rewinds
      const page = await this.deps.sync(from)
      // Rewound meanwhile: hand the page on (it is the current state), but page again from the rewind.
      const rewound = rewinds !== this.rewinds
      for (const conversation of page.conversations ?? []) this.events.emit('conversation_updated', conversation)
      for (const message of page.messages) this.deliver(message)
      for (const readState of page.read_states) this.events.emit('read_state', readState)
      if (rewound) continue
      if ('seq' in from) {
        if (page.position !== undefined && page.position > from.seq) this.moveTo(page.position, 'page')
        else if (page.has_more) throw new Error('The server answered a catch-up page without moving on.')
        if (!page.has_more) return
      } else {
        if (page.position !== undefined) bridgeHead = Math.min(bridgeHead ?? Infinity, page.position)
        const last = page.messages.at(-1)?.message_id ?? 0
        this.position = { message_id: Math.max(from.message_id, last) }
        if (!page.has_more) {
          if (bridgeHead === null) return
          // Bridged: from now on by position, starting with what changed since the bridge began.
          this.position = { seq: bridgeHead }
          this.handedHere.clear()
        }
      }
      await this.deps.save()
    }
  }

  /** A catch-up's message: new to us, a change of one we know, or a tombstone. */
  private deliver(message: MessageDto): void {
    if (message.deleted_at) {
      this.known.add(message.message_id)
      this.events.emit('message_deleted', message)
    } else if (this.known.knows(message.message_id)) {
      this.events.emit('message_updated', message)
    } else {
      this.known.add(message.message_id)
      this.events.emit('new_message', message)
    }
  }

  /** Hands on a live change unless one at its position was handed on already; it moves the cursor. */
  private handOn(change: LiveChange): void {
    const { seq } = change
    if (seq !== null) {
      if ('seq' in this.position) {
        const here = seq === this.position.seq
        if (seq < this.position.seq || (here && (this.handedHere.has('page') || this.handedHere.has(change.event)))) return
        if (!here) this.moveTo(seq, change.event)
        else this.handedHere.add(change.event)
      } else {
        // Still on message ids: the first live position becomes the cursor (the socket delivers in position order).
        this.moveTo(seq, change.event)
      }
    } else if (change.event === 'new_message' && 'message_id' in this.position) {
      this.position = { message_id: Math.max(this.position.message_id, change.payload.message_id) }
    }
    if (change.event === 'new_message') {
      if (this.known.add(change.payload.message_id)) this.events.emit('new_message', change.payload)
      return
    }
    this.events.emit(change.event, change.payload as never)
  }

  private moveTo(seq: number, by: LiveChangeName | 'page'): void {
    this.position = { seq }
    this.handedHere = new Set([by])
  }
}
