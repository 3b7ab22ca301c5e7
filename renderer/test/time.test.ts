import { describe, expect, it } from 'vitest'
import { dayLabel, formatTime } from '../src/inbox/time'

// Local times, so the tests hold in any time zone.
const at = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0) => new Date(y, mo - 1, d, h, mi, s)
const now = at(2026, 11, 27, 14, 30, 0)

describe('formatTime', () => {
  it.each([
    [at(2026, 11, 27, 14, 30, 0), 'now'],
    [at(2026, 11, 27, 14, 29, 1), 'now'], // 59 s
    [at(2026, 11, 27, 14, 29, 0), '1m ago'], // 60 s
    [at(2026, 11, 27, 13, 31, 0), '59m ago'],
    [at(2026, 11, 27, 13, 30, 1), '59m ago'], // 59 min 59 s
    [at(2026, 11, 27, 13, 30, 0), '13:30'], // one hour
    [at(2026, 11, 27, 0, 0, 0), '00:00'], // midnight, same day
    [at(2026, 11, 26, 23, 59, 0), 'Nov 26'], // yesterday
    [at(2026, 1, 5, 9, 0, 0), 'Jan 05'],
    [at(2025, 12, 31, 9, 0, 0), 'Dec 31'],
  ])('%s → %s', (date, expected) => {
    expect(formatTime(date.toISOString(), now)).toBe(expected)
  })

  it('says now for a clock slightly ahead of ours', () => {
    expect(formatTime(at(2026, 11, 27, 14, 30, 5).toISOString(), now)).toBe('now')
  })
})

describe('dayLabel', () => {
  it('names today, yesterday, a day this year and a day of another year', () => {
    expect(dayLabel(at(2026, 11, 27, 0, 1).toISOString(), now)).toBe('Today')
    expect(dayLabel(at(2026, 11, 26, 23, 59).toISOString(), now)).toBe('Yesterday')
    expect(dayLabel(at(2026, 11, 23, 12).toISOString(), now)).toBe('Mon, Nov 23')
    expect(dayLabel(at(2025, 11, 23, 12).toISOString(), now)).toBe('Nov 23, 2025')
  })
})
