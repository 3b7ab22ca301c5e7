// The change feed's live side. Every change a client mirrors takes a position (ChangeFeed.seq) as
// it commits, and positions commit in order on every node; but each node announces its own commits
// when it gets round to it, so node B's change 11 can reach a socket before node A's change 10. Each
// node therefore hears every change of the cluster (its own at once, the others' through the
// adapter) and hands them to its own sockets strictly in position order.
//
// Every position taken is announced exactly once, so a hole means an announcement is late or lost
// (a node killed between its commit and its broadcast). A hole is waited for up to `gapMs`; then
// delivery moves on and the node's sockets are told to catch up, which reads the database, where
// the change is.
import type { ConversationUpdateDto, MessageDto, MessageReadDto, ReactionUpdateDto } from '../../shared/dto'

/** One committed change, as every node needs it to tell its own sockets: what, to whom. */
export type FeedEntry =
  | { seq: number; event: 'new_message'; payload: MessageDto; to: number[] }
  | { seq: number; event: 'message_read'; payload: MessageReadDto; to: number[] }
  | { seq: number; event: 'conversation_updated'; payload: ConversationUpdateDto; to: number[]; added: number[]; removed: number[] }
  | { seq: number; event: 'message_updated' | 'message_deleted'; payload: MessageDto; to: number[] }
  | { seq: number; event: 'reaction_updated'; payload: ReactionUpdateDto; to: number[] }

export class FeedOrder {
  /** The next position to deliver; null until the node knows where the feed stood when it started. */
  private next: number | null = null
  private readonly waiting = new Map<number, FeedEntry>()
  private gapTimer: ReturnType<typeof setTimeout> | null = null
  /** The position the gap timer waits at. */
  private waitingAt: number | null = null

  constructor(
    private readonly deliver: (entry: FeedEntry) => void,
    /** A hole was skipped: positions from `from` up to `to` (exclusive) were never heard. */
    private readonly skipped: (from: number, to: number) => void,
    /** How long a node waits for a missing position before moving on (and telling its sockets to catch up). */
    private readonly gapMs: number,
  ) {}

  /** Starts delivering after `position` (the last position committed before this node listened); what came earlier is dropped. */
  start(position: number): void {
    if (this.next !== null) return
    this.next = position + 1
    for (const seq of [...this.waiting.keys()]) if (seq <= position) this.waiting.delete(seq)
    this.flush()
  }

  /** Entries in any order, from any node; repeats and positions already delivered are dropped. */
  add(entries: readonly FeedEntry[]): void {
    for (const entry of entries) {
      if (this.next !== null && entry.seq < this.next) continue
      this.waiting.set(entry.seq, entry)
    }
    this.flush()
  }

  /** Positions delivered so far (the next one minus one); null before start. */
  get delivered(): number | null {
    return this.next === null ? null : this.next - 1
  }

  close(): void {
    if (this.gapTimer) clearTimeout(this.gapTimer)
    this.gapTimer = null
    this.waiting.clear()
  }

  private flush(): void {
    if (this.next === null) return
    for (let entry = this.waiting.get(this.next); entry; entry = this.waiting.get(this.next)) {
      this.waiting.delete(this.next)
      this.next++
      this.deliver(entry)
    }
    if (this.waiting.size === 0) return this.stopTimer()
    // A hole at `next`: wait for it, once per position (a timer already waiting there goes on).
    if (this.waitingAt === this.next && this.gapTimer) return
    this.stopTimer()
    this.waitingAt = this.next
    this.gapTimer = setTimeout(() => this.skipHole(), this.gapMs)
    this.gapTimer.unref?.()
  }

  private skipHole(): void {
    this.gapTimer = null
    this.waitingAt = null
    if (this.next === null || this.waiting.size === 0) return
    const resumeAt = Math.min(...this.waiting.keys())
    const from = this.next
    this.next = resumeAt
    this.skipped(from, resumeAt)
    this.flush()
  }

  private stopTimer(): void {
    if (this.gapTimer) clearTimeout(this.gapTimer)
    this.gapTimer = null
    this.waitingAt = null
  }
}
