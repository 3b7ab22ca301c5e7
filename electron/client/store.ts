import type { PendingActionDto, PendingMessageDto } from '../shared/messenger-api'

/** A message the user sent that the server has not acknowledged yet (the contract's shape). */
export type PendingMessage = PendingMessageDto

/** An edit, deletion or reaction the server has not acknowledged yet (the contract's shape). */
export type PendingAction = PendingActionDto

/** The messages handed on as new, so that a catch-up can tell a changed message from a new one. */
export interface KnownMessagesState {
  /** Every message at or below this id is known (handed on, or older than what this client hands on). */
  floor: number
  /** Ids above the floor handed on as new, in the order they were (the newest few thousand). */
  ids: number[]
}

/** What a client keeps between runs. */
export interface ClientState {
  /** Unacknowledged sends, in the order the user made them. */
  outbox: PendingMessage[]
  /** Unacknowledged edits, deletions and reactions, in the order the user made them (absent in older stores). */
  actions?: PendingAction[] | undefined
  /** The change feed position every change up to which has been handed on: catch-up resumes after it. */
  seq?: number | undefined
  /**
   * The id of the last message received, as older clients kept it (they had no position). Read once to
   * bridge from (see CatchUp); written only while the server has not yet told this client a position.
   */
  cursor?: number | undefined
  /** See KnownMessagesState; absent in older stores (then everything up to `cursor` counts as known). */
  known?: KnownMessagesState | undefined
}

/** Where ChatClient keeps its state: a file in the desktop app, browser storage in the web client. */
export interface ClientStore {
  load(): Promise<ClientState | null>
  save(state: ClientState): Promise<void>
}

export const emptyState = (): ClientState => ({ outbox: [], actions: [], seq: 0, known: { floor: 0, ids: [] } })

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
