// The one event emitter of every process: a typed wrapper over mitt (tiny, with no dependencies, so it
// runs in Node and browsers alike). `on` returns the unsubscribe, as the MessengerApi's listeners do.
import mitt, { type Emitter as Mitt } from 'mitt'

/** What to do with an error a listener threw. */
export type ListenerErrorHandler = (error: unknown, event: string) => void

/**
 * The default: throw it again on its own, in a microtask. The emitter (a socket handler, a catch-up
 * pass) goes on with the other listeners, while the error still surfaces as an uncaught one: in the
 * test runner (a failed assertion fails the test), in the browser's console, in Node's
 * `uncaughtException`. Swallowing it would hide bugs; letting it unwind would stop the client.
 */
export const rethrowLater: ListenerErrorHandler = (error) => {
  queueMicrotask(() => {
    throw error
  })
}

export class Emitter<Events extends Record<string, unknown>> {
  private readonly bus: Mitt<Events> = mitt<Events>()

  constructor(private readonly onListenerError: ListenerErrorHandler = rethrowLater) {}

  on<K extends keyof Events & string>(event: K, listener: (payload: Events[K]) => void): () => void {
    // Each listener runs on its own: one that throws cannot keep the others from their event.
    const guarded = (payload: Events[K]): void => {
      try {
        listener(payload)
      } catch (error) {
        this.onListenerError(error, event)
      }
    }
    this.bus.on(event, guarded)
    return () => this.bus.off(event, guarded)
  }

  emit<K extends keyof Events & string>(event: K, payload: Events[K]): void {
    this.bus.emit(event, payload)
  }

  listenerCount(event: keyof Events & string): number {
    return this.bus.all.get(event)?.length ?? 0
  }
}
