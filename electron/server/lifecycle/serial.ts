/**
 * Runs tasks one after another. Message writes go through one of these so that each commit is
 * broadcast before the next begins: live `new_message` events then arrive in message_id order, and a
 * client may advance its catch-up cursor with them without risking a gap. SQLite has one writer
 * anyway, so nothing is lost by it.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve()

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task)
    this.tail = result.catch(() => {})
    return result
  }
}
