import type { PendingMessageDto } from '../shared/messenger-api'

/** A message the user sent that the server has not acknowledged yet (the contract's shape). */
export type PendingMessage = PendingMessageDto

/** What a client keeps between runs. */
export interface ClientState {
  /** Unacknowledged sends, in the order the user made them. */
  outbox: PendingMessage[]
  /** Every message with a smaller or equal id has been received: catch-up starts after it. */
  cursor: number
}

/** Where ChatClient keeps its state: a file in the desktop app, browser storage in the web client. */
export interface ClientStore {
  load(): Promise<ClientState | null>
  save(state: ClientState): Promise<void>
}

export const emptyState = (): ClientState => ({ outbox: [], cursor: 0 })

/** Keeps state in memory only (tests, or a client that must not persist). */
export class MemoryStore implements ClientStore {
  private state: ClientState | null = null

  async load(): Promise<ClientState | null> {
    return this.state && structuredClone(this.state)
  }

  async save(state: ClientState): Promise<void> {
    this.state = structuredClone(state)
  }
}

/** The part of the browser's Storage (localStorage) that WebStorageStore uses. */
export interface KeyValueStorage {
  getItem(key: string): string | null
  setItem(key: string, value: string): void
}

/** Browser storage (localStorage) under one key per server and user. */
export class WebStorageStore implements ClientStore {
  constructor(
    private readonly storage: KeyValueStorage,
    private readonly key: string,
  ) {}

  async load(): Promise<ClientState | null> {
    const text = this.storage.getItem(this.key)
    return text ? (JSON.parse(text) as ClientState) : null
  }

  async save(state: ClientState): Promise<void> {
    this.storage.setItem(this.key, JSON.stringify(state))
  }
}
