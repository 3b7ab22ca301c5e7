import { afterEach, describe, expect, it, vi } from 'vitest'
import { Emitter } from '../../electron/shared/emitter'

interface Events extends Record<string, unknown> {
  ping: number
  note: { text: string }
}

afterEach(() => {
  vi.unstubAllGlobals()
})

describe('Emitter', () => {
  it('hands each payload to every listener of its event, until unsubscribed', () => {
    const events = new Emitter<Events>()
    const pings: number[] = []
    const notes: string[] = []
    const off = events.on('ping', (n) => pings.push(n))
    events.on('ping', (n) => pings.push(n * 10))
    events.on('note', ({ text }) => notes.push(text))
    events.emit('ping', 1)
    events.emit('note', { text: 'hi' })
    expect(events.listenerCount('ping')).toBe(2)
    off()
    off() // a second call removes nothing else
    events.emit('ping', 2)
    expect(pings).toEqual([1, 10, 20])
    expect(notes).toEqual(['hi'])
    expect(events.listenerCount('ping')).toBe(1)
  })

  it('lets a listener unsubscribe while its event is being handed out', () => {
    const events = new Emitter<Events>()
    const got: string[] = []
    const off = events.on('ping', () => {
      got.push('once')
      off()
    })
    events.on('ping', () => got.push('always'))
    events.emit('ping', 1)
    events.emit('ping', 2)
    expect(got).toEqual(['once', 'always', 'always'])
  })

  it('runs the other listeners when one throws, and reports the error with its event', () => {
    const reported: [unknown, string][] = []
    const events = new Emitter<Events>((error, event) => reported.push([error, event]))
    const broken = new Error('listener bug')
    const got: number[] = []
    events.on('ping', () => {
      throw broken
    })
    events.on('ping', (n) => got.push(n))
    expect(() => events.emit('ping', 7)).not.toThrow()
    expect(got).toEqual([7])
    expect(reported).toEqual([[broken, 'ping']])
  })

  it('by default throws a listener’s error again on its own, so it is never swallowed', () => {
    const scheduled: (() => void)[] = []
    vi.stubGlobal('queueMicrotask', (task: () => void) => scheduled.push(task))
    const events = new Emitter<Events>()
    const failed = new Error('expected 1 to be 2')
    const got: number[] = []
    events.on('ping', () => {
      throw failed
    })
    events.on('ping', (n) => got.push(n))
    events.emit('ping', 3)
    // The emitter went on; the error waits in a task of its own, which throws it as uncaught.
    expect(got).toEqual([3])
    expect(scheduled).toHaveLength(1)
    expect(() => scheduled[0]!()).toThrow(failed)
  })
})
