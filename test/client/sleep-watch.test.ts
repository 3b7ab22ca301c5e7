import { afterEach, beforeEach, expect, it, vi } from 'vitest'
import { watchForSleep } from '../../electron/client/sleep-watch'

beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2026-11-27T10:00:00.000Z') })
})
afterEach(() => {
  vi.useRealTimers()
})

it('stays quiet while its timer keeps time', () => {
  const onWake = vi.fn()
  const stop = watchForSleep({ periodMs: 5000, onWake })
  vi.advanceTimersByTime(60_000)
  expect(onWake).not.toHaveBeenCalled()
  stop()
})

it('calls onWake once when a tick comes much later than its period (the computer slept)', () => {
  const onWake = vi.fn()
  const stop = watchForSleep({ periodMs: 5000, onWake })
  vi.advanceTimersByTime(5000)
  // Asleep for an hour: the clock jumps while no timer fires.
  vi.setSystemTime(Date.now() + 60 * 60 * 1000)
  vi.advanceTimersByTime(5000)
  expect(onWake).toHaveBeenCalledTimes(1)
  vi.advanceTimersByTime(30_000)
  expect(onWake).toHaveBeenCalledTimes(1)
  stop()
})

it('lets a tick be late by up to three periods (a busy machine) without calling it sleep', () => {
  const onWake = vi.fn()
  const stop = watchForSleep({ periodMs: 5000, onWake })
  vi.setSystemTime(Date.now() + 10_000)
  vi.advanceTimersByTime(5000)
  expect(onWake).not.toHaveBeenCalled()
  stop()
})

it('reads the clock it is given', () => {
  let clock = 0
  const onWake = vi.fn()
  const stop = watchForSleep({ periodMs: 25, onWake, now: () => clock })
  vi.advanceTimersByTime(25)
  clock += 1000
  vi.advanceTimersByTime(25)
  expect(onWake).toHaveBeenCalledTimes(1)
  stop()
})

it('stops watching when stopped, and watches nothing with a period of 0', () => {
  const onWake = vi.fn()
  const stop = watchForSleep({ periodMs: 5000, onWake })
  stop()
  vi.setSystemTime(Date.now() + 60 * 60 * 1000)
  vi.advanceTimersByTime(20_000)
  expect(vi.getTimerCount()).toBe(0)
  watchForSleep({ periodMs: 0, onWake })
  expect(vi.getTimerCount()).toBe(0)
  expect(onWake).not.toHaveBeenCalled()
})
