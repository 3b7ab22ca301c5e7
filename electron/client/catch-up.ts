// Incoming messages, in id order and each once, whether they come live, by catch-up or as the answer
// to our own send. The cursor says up to where every message has arrived; catch-up pages through what
// came after it, and live messages wait until it is done so nothing is handed on out of order.
import type { MessageDto, ReadStateDto } from '../shared/dto'
import { Emitter } from '../shared/emitter'
import type { SyncResult } from '../shared/events'
import { delay } from './connection'

export type CatchUpEvents = {
  /** Each new message once. */
  new_message: MessageDto
  /** Where another participant had read up to, learned at catch-up. */
  read_state: ReadStateDto
}

export interface CatchUpDeps {
  /** Where the store's cursor was: every message up to it has arrived. */
  cursor: number
  /** One page of everything after `after`, in message_id order. */
  sync(after: number): Promise<SyncResult>
  /** Saves the client's state (the cursor among it). */
  save(): Promise<void>
  /** A failed pass may be tried again now: connected, and not closed. */
  canRetry(): boolean
  /** The wait before a failed pass is tried again. */
  retryDelayMs(): number
  now(): number
}

const SEEN_IDS = 10_000
/**
 * How long the id of a live message waits before the saved cursor may pass it. With several nodes,
 * broadcasts leave each node after its own commit, so a socket can get id 11 a few milliseconds before
 * id 10 (test/scale/groups.test.ts counts hundreds of such inversions). In memory that is harmless
 * (10 is still handed on when it comes); a cursor saved at 11 and a restart before 10 came would skip
 * 10 for good. So what is saved is where live messages had got to this long ago.
 */
export const LIVE_SETTLE_MS = 2_000
/** How far back the cursor's history goes, for rewinding. */
export const REWIND_MAX_MS = 60_000

/** Remembers the last N ids, to hand each message on once. */
class RecentIds {
  private ids = new Set<number>()
  constructor(private readonly max: number) {}
  /** True when the id is new. */
  add(id: number): boolean {
    if (this.ids.has(id)) return false
    this.ids.add(id)
    if (this.ids.size > this.max) this.ids.delete(this.ids.values().next().value as number)
    return true
  }
}

export class CatchUp {
  readonly events = new Emitter<CatchUpEvents>()
  private value: number
  private readonly seen = new RecentIds(SEEN_IDS)
  private syncing: Promise<void> | null = null
  /** True once a catch-up finished on the current connection: only then may live messages move the cursor. */
  private caughtUp = false
  /** Live messages that arrived before the catch-up finished: handed on after it, in id order. */
  private heldLive: MessageDto[] = []
  /** Where the next pass starts, when one is wanted. */
  private from: number | null = null
  /** [when, cursor] as the cursor moved, oldest first, for the last REWIND_MAX_MS. */
  private history: [number, number][] = []
  /** Up to here everything is known to have arrived for good: what is saved. */
  private settled: number
  /** [when, id] of live messages that moved the cursor, not yet LIVE_SETTLE_MS old. */
  private unsettled: [number, number][] = []
  private settleTimer: ReturnType<typeof setTimeout> | null = null

  constructor(private readonly deps: CatchUpDeps) {
    this.value = deps.cursor
    this.settled = deps.cursor
  }

  /** The id after which the next catch-up starts. */
  get cursor(): number {
    return this.value
  }

  /** The cursor to keep across a restart: a catch-up's at once, a live message's once LIVE_SETTLE_MS old. */
  get savedCursor(): number {
    const old = this.deps.now() - LIVE_SETTLE_MS
    while (this.unsettled.length > 0 && this.unsettled[0]![0] <= old) this.settled = Math.max(this.settled, this.unsettled.shift()![1])
    return this.settled
  }

  /** No more saving on a timer (the client closed). */
  stop(): void {
    if (this.settleTimer) clearTimeout(this.settleTimer)
    this.settleTimer = null
  }

  /** A new connection: live messages wait until the catch-up from `rewindMs` back is done. */
  connected(rewindMs: number): Promise<void> {
    this.caughtUp = false
    // Anything held from an earlier connection is after the cursor: this catch-up brings it again.
    this.heldLive = []
    return this.rewind(rewindMs)
  }

  /** Until the next connection has caught up, live messages wait. */
  disconnected(): void {
    this.caughtUp = false
  }

  /** Catches up again from where the cursor was `ms` ago (at most REWIND_MAX_MS). */
  rewind(ms: number): Promise<void> {
    return this.run(this.cursorAt(this.deps.now() - Math.min(Math.max(0, ms), REWIND_MAX_MS)))
  }

  /** The cursor as it was at `time` (the oldest remembered if earlier). */
  cursorAt(time: number): number {
    let cursor = this.history[0]?.[1] ?? this.value
    for (const [at, value] of this.history) {
      if (at > time) break
      cursor = value
    }
    return Math.min(cursor, this.value)
  }

  /**
   * Pages through everything after `from` (the cursor by default); the server returns it in
   * message_id order. Asked again while one runs (a reconnect, a resync), it goes on from the
   * earliest point asked for once the running one is done; a failed one is retried from where it began.
   */
  run(from = this.value): Promise<void> {
    this.from = Math.min(this.from ?? Infinity, from, this.value)
    this.syncing ??= (async () => {
      let started = this.from ?? this.value
      try {
        while (this.from !== null) {
          started = this.from
          this.from = null
          let after = started
          for (;;) {
            const page = await this.deps.sync(after)
            for (const message of page.messages) this.deliver(message)
            for (const readState of page.read_states) this.events.emit('read_state', readState)
            const last = page.messages.at(-1)
            if (last) {
              after = last.message_id
              this.move(last.message_id)
              // A page of the catch-up is everything up to its last id, in order: settled at once.
              this.settle(last.message_id)
            }
            if (!page.has_more) break
            await this.deps.save()
          }
        }
        // Live messages that came during the catch-up are contiguous with it now: hand them on in order.
        const held = this.heldLive.sort((a, b) => a.message_id - b.message_id)
        this.heldLive = []
        for (const message of held) {
          this.moveLive(message.message_id)
          this.deliver(message)
        }
        this.caughtUp = true
        await this.deps.save()
      } catch {
        // Nothing after `started` is known to have arrived in order: the retry (or the next connect) begins there.
        this.from = Math.min(this.from ?? Infinity, started)
        if (this.deps.canRetry()) {
          void delay(this.deps.retryDelayMs()).then(() => {
            if (this.deps.canRetry() && this.from !== null) void this.run(this.from)
          })
        }
      } finally {
        this.syncing = null
      }
    })()
    return this.syncing
  }

  /** A message broadcast by the server. */
  live(message: MessageDto): void {
    // Until the catch-up is done, live messages wait, so listeners see every message in id order.
    if (!this.caughtUp) {
      this.heldLive.push(message)
      return
    }
    // Once a catch-up is done the cursor follows live messages (a reconnect looks back again, and
    // the saved cursor waits for them to settle: see LIVE_SETTLE_MS).
    if (message.message_id > this.value) {
      this.moveLive(message.message_id)
      void this.deps.save()
    }
    this.deliver(message)
  }

  private moveLive(to: number): void {
    this.move(to)
    this.unsettled.push([this.deps.now(), to])
    this.saveWhenSettled()
  }

  /** Saves again as the oldest unsettled id settles, in case nothing else comes to save it. */
  private saveWhenSettled(): void {
    const oldest = this.unsettled[0]
    if (this.settleTimer || !oldest) return
    this.settleTimer = setTimeout(
      () => {
        this.settleTimer = null
        void this.deps.save() // reads savedCursor, which drops what has settled
        this.saveWhenSettled()
      },
      Math.max(0, oldest[0] + LIVE_SETTLE_MS - this.deps.now()),
    )
    this.settleTimer.unref?.()
  }

  private settle(to: number): void {
    this.settled = Math.max(this.settled, to)
    this.unsettled = this.unsettled.filter(([, id]) => id > to)
  }

  /** Our own message, as the server's answer to its send: not a reason to move the cursor. */
  acked(message: MessageDto): void {
    this.deliver(message)
  }

  private deliver(message: MessageDto): void {
    if (this.seen.add(message.message_id)) this.events.emit('new_message', message)
  }

  private move(to: number): void {
    if (to <= this.value) return
    // Remember where it was before this move, so a rewind can come back to it.
    const now = this.deps.now()
    const last = this.history.at(-1)
    if (!last || now - last[0] > 250) this.history.push([now, this.value])
    while (this.history.length > 1 && now - this.history[0]![0] > REWIND_MAX_MS) this.history.shift()
    this.value = to
  }
}
