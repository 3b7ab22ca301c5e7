// A computer that slept leaves its sockets dead in all but name. Timers stop while it sleeps, so a
// timer that fires much later than its period says it did.

export interface SleepWatchOptions {
  /** How often to look; 0 or less watches nothing. */
  periodMs: number
  onWake(): void
  now?: () => number
}

/** Calls `onWake` when a tick comes more than three periods after the one before; returns the stop. */
export function watchForSleep({ periodMs, onWake, now = Date.now }: SleepWatchOptions): () => void {
  if (periodMs <= 0) return () => {}
  let lastTick = now()
  const timer = setInterval(() => {
    const t = now()
    if (t - lastTick > periodMs * 3) onWake()
    lastTick = t
  }, periodMs)
  // It must not keep a Node process (a test, the bench) alive by itself.
  ;(timer as { unref?: () => void }).unref?.()
  return () => clearInterval(timer)
}
