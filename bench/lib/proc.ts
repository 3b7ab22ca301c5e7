import { readFileSync } from 'node:fs'

const TICKS_PER_SECOND = 100 // USER_HZ on Linux

/** CPU seconds used so far by a process (user + system), from /proc. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND
}

/** Resident memory of a process in bytes, from /proc. */
export function rssBytes(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return match ? Number(match[1]) * 1024 : NaN
}

/** Measures a process's CPU use (percent of one core) over a stretch of time. */
export function cpuMeter(pid: number): () => number {
  const cpu0 = cpuSeconds(pid)
  const t0 = performance.now()
  return () => (100 * (cpuSeconds(pid) - cpu0)) / ((performance.now() - t0) / 1000)
}
