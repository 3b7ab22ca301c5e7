/**
 * Groups work into batches. A batch starts on setImmediate, after the event loop has handled every
 * socket read of the current turn, so all sends that arrived together share one transaction without
 * waiting on a timer; jobs that come while a batch runs share the next. Batches run one after
 * another, in arrival order.
 */
export class Batcher<J, R> {
  private queue: { job: J; resolve(result: R): void; reject(error: unknown): void }[] = []
  private running = false

  constructor(
    private readonly process: (jobs: J[]) => Promise<(R | Error)[]>,
    private readonly maxBatch = 256,
  ) {}

  add(job: J): Promise<R> {
    return new Promise((resolve, reject) => {
      this.queue.push({ job, resolve, reject })
      if (!this.running) {
        this.running = true
        setImmediate(() => void this.drain())
      }
    })
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.maxBatch)
        try {
          const results = await this.process(batch.map((b) => b.job))
          batch.forEach((b, i) => {
            const result = results[i]
            if (result instanceof Error) b.reject(result)
            else b.resolve(result as R)
          })
        } catch (error) {
          for (const b of batch) b.reject(error)
        }
      }
    } finally {
      this.running = false
    }
  }
}
