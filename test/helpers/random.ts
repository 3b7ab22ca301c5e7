// Random choices in tests come from one seed, shown in the test's name, so a failing run can be
// replayed: SWITCHBOARD_SEED=<seed> npx vitest run <file>.
import { randomInt } from 'node:crypto'

/** SWITCHBOARD_SEED when set (an integer from 0 to 2^32 - 1), otherwise a fresh one. */
export function testSeed(): number {
  const given = process.env.SWITCHBOARD_SEED
  if (given === undefined || given === '') return randomInt(2 ** 32)
  const seed = Number(given)
  if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32) throw new Error(`SWITCHBOARD_SEED must be an integer from 0 to 2^32 - 1, not ${given}`)
  return seed
}

export interface Random {
  /** In [0, 1). */
  next(): number
  /** An integer in [min, max]. */
  int(min: number, max: number): number
  /** A shuffled copy. */
  shuffle<T>(items: readonly T[]): T[]
}

/** mulberry32: tiny and fast, and the same seed always gives the same sequence. */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32
  }
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1))
  return {
    next,
    int,
    shuffle: (items) => {
      const copy = [...items]
      for (let i = copy.length - 1; i > 0; i--) {
        const j = int(0, i)
        ;[copy[i], copy[j]] = [copy[j]!, copy[i]!]
      }
      return copy
    },
  }
}
