// The one way tests wait: for a condition, never for a fixed time. On timeout the error says what was
// awaited and, when a test gives one, the state it saw, so a failure explains itself.
import { vi } from 'vitest'

export interface UntilOptions {
  timeoutMs?: number
  /** Describes what was seen, for the timeout's message. */
  state?: () => string
}

/** Resolves once `condition` holds (polled every 20 ms); rejects after `timeoutMs` (20 s by default). */
export async function until(what: string, condition: () => boolean | Promise<boolean>, { timeoutMs = 20_000, state }: UntilOptions = {}): Promise<void> {
  await vi.waitFor(
    async () => {
      if (!(await condition())) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${state ? `: ${state()}` : ''}`)
    },
    { timeout: timeoutMs, interval: 20 },
  )
}
