// FeedOrder: a node hands the cluster's changes to its sockets strictly in position order, whatever
// order they reach it in, each once; a hole is waited for, then skipped with a call to catch up.
import fc from 'fast-check'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { FeedOrder, type FeedEntry } from '../../electron/server/realtime/feed-order'

const entry = (seq: number): FeedEntry => ({ seq, event: 'message_read', payload: { message_id: seq } as never, to: [1] })
const GAP_MS = 1_000

function order(start: number | null = 0) {
  const delivered: number[] = []
  const skipped: [number, number][] = []
  const feed = new FeedOrder(
    (e) => delivered.push(e.seq),
    (from, to) => skipped.push([from, to]),
    GAP_MS,
  )
  if (start !== null) feed.start(start)
  return { feed, delivered, skipped }
}

afterEach(() => {
  vi.useRealTimers()
})

describe('FeedOrder', () => {
  it('delivers every position once and in order, whatever the order and the repeats of arrival (fast-check, seeded)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1_000 }),
        fc.integer({ min: 1, max: 60 }).chain((n) => fc.tuple(fc.constant(n), fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n }), fc.array(fc.nat(n - 1), { maxLength: 20 }))),
        fc.array(fc.nat(5), { maxLength: 10 }),
        (start, [n, shuffled, repeats], splits) => {
          const { feed, delivered, skipped } = order(start)
          // Arrives in slices of varying size (a node's batches), with some positions heard twice.
          const arrivals = [...shuffled, ...repeats].map((k) => entry(start + 1 + k))
          let i = 0
          for (const size of [...splits, arrivals.length]) {
            feed.add(arrivals.slice(i, i + size))
            i += size
          }
          feed.close()
          expect(delivered).toEqual(Array.from({ length: n }, (_, k) => start + 1 + k))
          expect(skipped).toEqual([])
        },
      ),
      { seed: 20261203, numRuns: 300 },
    )
  })

  it('holds what arrives before it knows where the feed stood, then drops what was committed before', () => {
    const { feed, delivered } = order(null)
    feed.add([entry(9), entry(11), entry(10)])
    expect(delivered).toEqual([])
    expect(feed.delivered).toBeNull()
    feed.start(9)
    expect(delivered).toEqual([10, 11])
    feed.add([entry(9), entry(10), entry(12)])
    expect(delivered).toEqual([10, 11, 12])
    expect(feed.delivered).toBe(12)
  })

  it('waits for a late position and delivers it in its place', () => {
    vi.useFakeTimers()
    const { feed, delivered, skipped } = order(0)
    feed.add([entry(1), entry(3), entry(4)])
    expect(delivered).toEqual([1])
    vi.advanceTimersByTime(GAP_MS - 1)
    feed.add([entry(2)])
    expect(delivered).toEqual([1, 2, 3, 4])
    vi.advanceTimersByTime(GAP_MS * 5)
    expect(skipped).toEqual([])
  })

  it('skips a hole that stays open for the gap, asks to catch up once, and never delivers the late one out of order', () => {
    vi.useFakeTimers()
    const { feed, delivered, skipped } = order(0)
    feed.add([entry(1), entry(4), entry(5)])
    vi.advanceTimersByTime(GAP_MS - 1)
    expect(delivered).toEqual([1])
    expect(skipped).toEqual([])
    vi.advanceTimersByTime(1)
    expect(skipped).toEqual([[2, 4]])
    expect(delivered).toEqual([1, 4, 5])
    // The lost ones turning up after all: already behind, dropped (the catch-up brought them).
    feed.add([entry(2), entry(3), entry(6)])
    expect(delivered).toEqual([1, 4, 5, 6])
    // A second hole gets its own full wait.
    feed.add([entry(8)])
    vi.advanceTimersByTime(GAP_MS - 1)
    expect(skipped).toEqual([[2, 4]])
    vi.advanceTimersByTime(1)
    expect(skipped).toEqual([
      [2, 4],
      [7, 8],
    ])
    expect(delivered).toEqual([1, 4, 5, 6, 8])
  })
})
