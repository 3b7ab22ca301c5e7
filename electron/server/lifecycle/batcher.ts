/**
 * Groups work that arrives while earlier work is being done into one batch. The first job starts at
 * once (no added latency); jobs that come meanwhile share the next run, so under load one database
 * transaction stores many messages. Batches run one after another, in arrival order.
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
      if (!this.running) void this.drain()
    })
  }

  private async drain(): Promise<void> {
    this.running = true
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
