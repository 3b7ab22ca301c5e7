import { describe, expect, it, vi } from 'vitest'
import { CatchUp, LIVE_SETTLE_MS, REWIND_MAX_MS, type CatchUpDeps } from '../../electron/client/catch-up'
import type { MessageDto, ReadStateDto } from '../../electron/shared/dto'
import type { SyncResult } from '../../electron/shared/events'

const message = (id: number): MessageDto => ({
  message_id: id,
  conversation_id: 1,
  sender_id: 2,
  content: `m${id}`,
  created_at: '2026-11-27T10:00:00.000Z',
  is_read: false,
  client_id: null,
  sender: { user_id: 2, username: 'bob', display_name: 'Bob' },
  attachments: [],
  system: null,
})

/** A sync request the test answers by hand. */
interface SyncCall {
  after: number
  answer(page: Partial<SyncResult> & { ids?: number[] }): void
  fail(): void
}

function catchUpOver(over: Partial<CatchUpDeps> = {}) {
  const calls: SyncCall[] = []
  const clock = { now: 1_000_000 }
  const saved: number[] = []
  const connected = { value: true }
  const catchUp: CatchUp = new CatchUp({
    cursor: 10,
    sync: (after) =>
      new Promise<SyncResult>((resolve, reject) => {
        calls.push({
          after,
          answer: ({ ids = [], has_more = false, read_states = [] }) => resolve({ messages: ids.map(message), has_more, read_states }),
          fail: () => reject(new Error('no answer')),
        })
      }),
    // What a store would keep: the cursor to restart from.
    save: async () => void saved.push(catchUp.savedCursor),
    canRetry: () => connected.value,
    retryDelayMs: () => 1,
    now: () => clock.now,
    ...over,
  })
  const got: number[] = []
  const readStates: ReadStateDto[] = []
  catchUp.events.on('new_message', (m) => got.push(m.message_id))
  catchUp.events.on('read_state', (r) => readStates.push(r))
  /** Waits for sync request `n` (0-based). */
  const call = async (n: number): Promise<SyncCall> => {
    await vi.waitFor(() => expect(calls.length).toBeGreaterThan(n))
    return calls[n]!
  }
  return { catchUp, calls, call, clock, saved, connected, got, readStates }
}

describe('catch-up', () => {
  it('pages through everything after the cursor, moves and saves the cursor, and hands on read states', async () => {
    const { catchUp, call, got, saved, readStates } = catchUpOver()
    const done = catchUp.run()
    const first = await call(0)
    expect(first.after).toBe(10)
    first.answer({ ids: [11, 12, 13], has_more: true })
    const second = await call(1)
    expect(second.after).toBe(13)
    expect(saved).toEqual([13]) // each full page is saved as it goes
    const read = { conversation_id: 1, user_id: 2, last_read_message_id: 12 }
    second.answer({ ids: [14], read_states: [read] })
    await done
    expect(got).toEqual([11, 12, 13, 14])
    expect(readStates).toEqual([read])
    expect(catchUp.cursor).toBe(14)
    expect(saved.at(-1)).toBe(14)
  })

  it('holds live messages until caught up, then hands them on in id order, each once', async () => {
    const { catchUp, call, got } = catchUpOver()
    const done = catchUp.connected(0)
    catchUp.live(message(15))
    catchUp.live(message(13))
    expect(got).toEqual([])
    ;(await call(0)).answer({ ids: [11, 12, 13] })
    await done
    expect(got).toEqual([11, 12, 13, 15])
    expect(catchUp.cursor).toBe(15)
    // Caught up: live messages go straight on and move the cursor; one seen before is dropped.
    catchUp.live(message(16))
    catchUp.live(message(15))
    catchUp.acked(message(16))
    expect(got).toEqual([11, 12, 13, 15, 16])
    expect(catchUp.cursor).toBe(16)
  })

  it('saves a catch-up’s cursor at once but a live message’s only once it has settled, so an out-of-order one still on its way is not skipped after a restart', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    try {
      const { catchUp, call, clock, got, saved } = catchUpOver()
      const done = catchUp.connected(0)
      ;(await call(0)).answer({ ids: [11, 12] })
      await done
      expect(catchUp.savedCursor).toBe(12)
      // Through another node, 14 comes before 13.
      catchUp.live(message(14))
      expect(catchUp.cursor).toBe(14)
      expect(catchUp.savedCursor).toBe(12)
      clock.now += 5
      catchUp.live(message(13))
      expect(got).toEqual([11, 12, 14, 13])
      expect(catchUp.savedCursor).toBe(12)
      expect(saved.at(-1)).toBe(12)
      // Settled: a timer saves again without any other message coming.
      clock.now += LIVE_SETTLE_MS
      await vi.advanceTimersByTimeAsync(LIVE_SETTLE_MS)
      expect(saved.at(-1)).toBe(14)
    } finally {
      vi.useRealTimers()
    }
  })

  it('does not let our own acknowledged send move the cursor (others may come before it)', async () => {
    const { catchUp, got } = catchUpOver()
    catchUp.acked(message(40))
    expect(got).toEqual([40])
    expect(catchUp.cursor).toBe(10)
  })

  it('holds live messages again once the connection drops, and drops what it held at the next connection', async () => {
    const { catchUp, call, got } = catchUpOver()
    const first = catchUp.connected(0)
    ;(await call(0)).answer({ ids: [] })
    await first
    catchUp.disconnected()
    catchUp.live(message(30)) // came just before the drop: the next catch-up brings it again
    const second = catchUp.connected(0)
    ;(await call(1)).answer({ ids: [11] })
    await second
    expect(got).toEqual([11])
  })

  it('asked again while a pass runs, goes on from the earliest point asked for (the earliest wins)', async () => {
    const { catchUp, call, clock } = catchUpOver()
    const done = catchUp.run()
    const first = await call(0)
    clock.now += 1000
    first.answer({ ids: [11, 12], has_more: true })
    const second = await call(1)
    // Two more requests while the pass runs: from 11, then from 12. Neither starts a pass of its own.
    void catchUp.run(11)
    void catchUp.run(12)
    second.answer({ ids: [20] })
    const third = await call(2)
    expect(third.after).toBe(11)
    third.answer({ ids: [] })
    await done
    expect(catchUp.cursor).toBe(20)
  })

  it('never starts a pass after the cursor, whatever it is asked', async () => {
    const { catchUp, call } = catchUpOver()
    void catchUp.run(500)
    expect((await call(0)).after).toBe(10)
  })

  it('retries a failed pass from where that pass began, not from its last page', async () => {
    const { catchUp, call, got } = catchUpOver()
    void catchUp.run()
    ;(await call(0)).answer({ ids: [11, 12], has_more: true })
    ;(await call(1)).fail()
    const retry = await call(2)
    expect(retry.after).toBe(10)
    retry.answer({ ids: [11, 12, 13] })
    await vi.waitFor(() => expect(got).toEqual([11, 12, 13]))
  })

  it('does not retry while disconnected; the next pass starts where the failed one began', async () => {
    let retries = 0
    const { catchUp, call, connected } = catchUpOver({ retryDelayMs: () => (retries++, 1) })
    const pass = catchUp.run()
    ;(await call(0)).answer({ ids: [11, 12], has_more: true })
    connected.value = false
    ;(await call(1)).fail()
    await pass
    expect(retries).toBe(0)
    expect(catchUp.cursor).toBe(12)
    // Back online, a pass asked from the cursor still starts at 10: 11 and 12 came out of a failed pass.
    connected.value = true
    void catchUp.run()
    expect((await call(2)).after).toBe(10)
  })

  it('rewinds to no later than where the cursor was some time ago, at most a minute back', async () => {
    const { catchUp, call, clock } = catchUpOver()
    const start = clock.now
    for (const [i, id] of [20, 30, 40].entries()) {
      clock.now = start + i * 10_000
      const done = catchUp.run()
      ;(await call(i)).answer({ ids: [id] })
      await done
    }
    // It moved to 20 at start, to 30 at start+10s, to 40 at start+20s. Looking back errs early: it
    // answers with where the cursor stood before the last move at or before the time asked.
    expect(catchUp.cursorAt(start - 1)).toBe(10)
    expect(catchUp.cursorAt(start + 5_000)).toBe(10)
    expect(catchUp.cursorAt(start + 15_000)).toBe(20)
    expect(catchUp.cursorAt(start + 25_000)).toBe(30)
    clock.now = start + 25_000
    void catchUp.rewind(10_000)
    expect((await call(3)).after).toBe(20)
    // Much later, only the last minute is remembered: a long rewind goes back as far as that.
    clock.now = start + REWIND_MAX_MS + 15_000
    ;(await call(3)).answer({ ids: [50] })
    await vi.waitFor(() => expect(catchUp.cursor).toBe(50))
    expect(catchUp.cursorAt(0)).toBe(30)
  })
})
