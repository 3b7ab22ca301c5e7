/**
 * Runs tasks one after another, each finished (committed and broadcast) before the next begins.
 * Read receipts go through one; sends go through the Batcher, which keeps the same order per batch.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve()

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task)
    this.tail = result.catch(() => {})
    return result
  }
}
