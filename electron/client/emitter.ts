/** A small typed event emitter that runs in Node and browsers; `on` returns the unsubscribe. */
export class Emitter<Events extends { [K in keyof Events]: (...args: never[]) => void }> {
  private listeners = new Map<keyof Events, Set<(...args: never[]) => void>>()

  on<K extends keyof Events>(event: K, listener: Events[K]): () => void {
    let set = this.listeners.get(event)
    if (!set) this.listeners.set(event, (set = new Set()))
    set.add(listener)
    return () => {
      set.delete(listener)
    }
  }

  protected emit<K extends keyof Events>(event: K, ...args: Parameters<Events[K]>): void {
    for (const listener of this.listeners.get(event) ?? []) {
      try {
        ;(listener as (...a: Parameters<Events[K]>) => void)(...args)
      } catch (error) {
        // One broken listener must not stop the others, nor the client.
        console.error(`listener for ${String(event)} failed`, error)
      }
    }
  }
}
