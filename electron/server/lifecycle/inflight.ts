import { AppError } from '../../shared/result'

/** Counts writes under way so that shutdown finishes them, and refuses new ones once closing. */
export class InflightWrites {
  private pending = new Set<Promise<unknown>>()
  private closing = false

  run<T>(write: () => Promise<T>): Promise<T> {
    if (this.closing) return Promise.reject(new AppError('unavailable', 'The server is shutting down; your client will resend when it is back.'))
    const promise = write()
    this.pending.add(promise)
    const forget = (): void => {
      this.pending.delete(promise)
    }
    promise.then(forget, forget)
    return promise
  }

  /** Refuses new writes, then waits for those under way. */
  async drain(): Promise<void> {
    this.closing = true
    while (this.pending.size > 0) await Promise.allSettled([...this.pending])
  }

  get size(): number {
    return this.pending.size
  }
}
