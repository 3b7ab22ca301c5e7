export interface Summary {
  n: number
  p50: number
  p95: number
  p99: number
  max: number
}

/** Percentiles by nearest rank; all values in the unit they came in. */
export function summarize(values: number[]): Summary {
  if (values.length === 0) return { n: 0, p50: NaN, p95: NaN, p99: NaN, max: NaN }
  const sorted = Float64Array.from(values).sort()
  const at = (p: number): number => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!
  return { n: sorted.length, p50: at(50), p95: at(95), p99: at(99), max: sorted[sorted.length - 1]! }
}

export const median = (values: number[]): number => summarize(values).p50

/** Milliseconds since the epoch with sub-millisecond precision, comparable across processes. */
export const nowMs = (): number => performance.timeOrigin + performance.now()

/** The middle and the extremes of a few repeated measurements. */
export interface Spread {
  p50: number
  min: number
  max: number
}

export function spread(values: number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b)
  return { p50: median(values), min: sorted[0] ?? NaN, max: sorted.at(-1) ?? NaN }
}
