// ChatClient: the one client of the server, used by the desktop app's main process and by the web
// client in the page. Plain TypeScript over socket.io-client and fetch: no Node, no DOM. A facade over
// the connection, the outbox, the catch-up and the sleep watch, which keeps their shared state (what
// the store saves) and the connection status.
import type { io as defaultIo } from 'socket.io-client'
import type { MessageDto, UserDto } from '../shared/dto'
import { Emitter, type ListenerErrorHandler } from '../shared/emitter'
import type { SyncResult } from '../shared/events'
import type { AppEventName, AppEvents, ConnectionState, ConnectionStatus } from '../shared/messenger-api'
import type { AttachmentInput } from '../shared/schemas'
import { CatchUp } from './catch-up'
import { Connection } from './connection'
import { HttpApi } from './http'
import { Outbox } from './outbox'
import { watchForSleep } from './sleep-watch'
import { emptyState, MemoryStore, type ClientState, type ClientStore, type PendingMessage } from './store'

export type { ConnectionState, ConnectionStatus }
export { newClientId } from './outbox'

/** The app's events that only the desktop shell raises (a notification clicked, a link opened). */
export const SHELL_EVENTS = ['open_conversation', 'join_requested'] as const satisfies readonly AppEventName[]

/** The app events a client raises, under their app-wide names (AppEvents in messenger-api.ts): all but the shell's. */
export type ClientAppEvent = Exclude<AppEventName, (typeof SHELL_EVENTS)[number]>

export type ChatClientEvents = Pick<AppEvents, ClientAppEvent> & {
  /** A queued send was stored by the server. */
  sent: { client_id: string; message: MessageDto }
}

export interface ChatClientOptions {
  /** The server's base URL, e.g. http://192.168.1.20:3000 */
  url: string
  token: string
  user: UserDto
  /** Where the outbox and the catch-up cursor live between runs; memory by default. */
  store?: ClientStore
  /** With nothing stored, catch up on every message ever (tests); by default only on what comes after the newest one. */
  catchUpFromStart?: boolean
  fetch?: typeof fetch
  /** socket.io-client's `io`, replaceable in tests. */
  io?: typeof defaultIo
  /** websocket only by default: no sticky sessions needed behind a load balancer. */
  transports?: ('websocket' | 'polling')[]
  ackTimeoutMs?: number
  reconnectDelayMs?: number
  reconnectDelayMaxMs?: number
  /** How often to look for a jump of the clock that means the computer slept; 0 turns it off. */
  sleepCheckMs?: number
  now?: () => number
  /** Where an error thrown by one of this client's listeners goes; by default it is thrown again in a microtask. */
  onListenerError?: ListenerErrorHandler
}

/** How far back a reconnect looks again (several nodes: a broadcast lost with a dying node). */
const RECONNECT_REWIND_MS = 10_000

export class ChatClient {
  readonly api: HttpApi
  readonly user: UserDto
  private readonly events: Emitter<ChatClientEvents>
  private readonly connection: Connection
  private readonly queue: Outbox
  private readonly incoming: CatchUp
  private stopSleepWatch = (): void => {}
  private current: ConnectionStatus

  private constructor(
    private readonly options: ChatClientOptions,
    private readonly store: ClientStore,
    state: ClientState,
  ) {
    this.user = options.user
    this.events = new Emitter(options.onListenerError)
    this.api = new HttpApi(options.url, options.token, options.fetch)
    const connection = (this.connection = new Connection({ ...options, userId: options.user.user_id }))
    const now = options.now ?? Date.now
    this.queue = new Outbox({
      items: state.outbox,
      senderId: options.user.user_id,
      save: () => this.persist(),
      canSend: () => connection.connected,
      send: (payload) => connection.rawCall<{ message: MessageDto; duplicate: boolean }>('send_message', payload),
      backoff: (attempt) => connection.backoff(attempt),
    })
    this.incoming = new CatchUp({
      cursor: state.cursor,
      sync: (after) => connection.call<SyncResult>('sync', { after_message_id: after }),
      save: () => this.persist(),
      canRetry: () => connection.connected,
      retryDelayMs: () => connection.backoff(1),
      now: () => now(),
    })
    this.current = this.statusNow('offline')

    connection.events.on('state', (next) => {
      if (next !== 'online') this.incoming.disconnected()
      this.setStatus(next)
      if (next === 'online') {
        void this.queue.flush()
        void this.incoming.connected(RECONNECT_REWIND_MS)
      }
    })
    connection.events.on('session_ended', (error) => this.events.emit('session_ended', error))
    connection.events.on('new_message', (message) => this.incoming.live(message))
    connection.events.on('message_read', (message) => this.events.emit('message_read', message))
    connection.events.on('typing', (event) => this.events.emit('typing', event))
    connection.events.on('presence', (event) => this.events.emit('presence', event))
    connection.events.on('user_joined', (event) => this.events.emit('user_joined', event))
    connection.events.on('user_left', (event) => this.events.emit('user_left', event))
    connection.events.on('conversation_updated', (event) => this.events.emit('conversation_updated', event))
    connection.events.on('resync', ({ window_ms }) => void this.incoming.rewind(window_ms))
    this.queue.events.on('changed', (items) => {
      this.events.emit('outbox', items)
      this.setStatus(this.current.state)
    })
    this.queue.events.on('sent', (sent) => {
      this.events.emit('sent', sent)
      this.incoming.acked(sent.message)
    })
    this.incoming.events.on('new_message', (message) => this.events.emit('new_message', message))
    this.incoming.events.on('read_state', (state) => this.events.emit('read_state', state))
  }

  /** Loads what the store kept (outbox, cursor) and returns a client that is not yet connected. */
  static async open(options: ChatClientOptions): Promise<ChatClient> {
    const store = options.store ?? new MemoryStore()
    const state = (await store.load()) ?? { ...emptyState(), cursor: await ChatClient.startingCursor(options) }
    return new ChatClient(options, store, state)
  }

  /**
   * A client with nothing stored starts its catch-up after the newest message the user already has
   * (history is paged in when a conversation opens), not at the beginning of time. Offline: at 0.
   */
  private static async startingCursor(options: ChatClientOptions): Promise<number> {
    if (options.catchUpFromStart) return 0
    try {
      const conversations = await new HttpApi(options.url, options.token, options.fetch).conversations(options.user.user_id)
      return Math.max(0, ...conversations.map((c) => c.messages[0]?.message_id ?? 0))
    } catch {
      return 0
    }
  }

  on<K extends keyof ChatClientEvents & string>(event: K, listener: (payload: ChatClientEvents[K]) => void): () => void {
    return this.events.on(event, listener)
  }

  get status(): ConnectionStatus {
    return this.current
  }

  /** Unacknowledged sends, oldest first. */
  get outbox(): PendingMessage[] {
    return this.queue.items
  }

  /** The id after which the next catch-up starts. */
  get cursor(): number {
    return this.incoming.cursor
  }

  /** Opens the socket; it reconnects by itself with backoff until close(). */
  connect(): void {
    if (!this.connection.open()) return
    this.stopSleepWatch = watchForSleep({ periodMs: this.options.sleepCheckMs ?? 5000, onWake: () => this.resync(), ...(this.options.now ? { now: this.options.now } : {}) })
  }

  /** Queues a message; it is kept (in the store) until the server acknowledges it, across reconnects and restarts. */
  send(conversationId: number, content: string, attachments?: AttachmentInput[]): Promise<PendingMessage> {
    return this.queue.add(conversationId, content, attachments)
  }

  /** Sends a failed message again. */
  retry(clientId: string): Promise<void> {
    return this.queue.retry(clientId)
  }

  /** Gives up on a failed message. */
  discard(clientId: string): Promise<void> {
    return this.queue.discard(clientId)
  }

  /** Joins a conversation's room (and again after every reconnect); resolves with who is in it. */
  joinConversation(conversationId: number): Promise<number[]> {
    return this.connection.join(conversationId)
  }

  leaveConversation(conversationId: number): Promise<void> {
    return this.connection.leave(conversationId)
  }

  /** Marks a message (and what came before it) read: over the socket when online, else over HTTP. */
  async markAsRead(messageId: number, conversationId: number): Promise<MessageDto> {
    if (this.connection.connected) {
      return (await this.connection.call<{ message: MessageDto }>('mark_as_read', { message_id: messageId, conversation_id: conversationId })).message
    }
    return this.api.markRead(messageId)
  }

  /** Best effort: typing is worthless once late, so it is not queued while offline. */
  setTyping(conversationId: number, isTyping: boolean): void {
    this.connection.fire('typing', { conversation_id: conversationId, is_typing: isTyping })
  }

  async onlineUsers(userIds: number[]): Promise<number[]> {
    if (!this.connection.connected) return []
    return (await this.connection.call<{ online: number[] }>('get_presence', { user_ids: userIds })).online
  }

  /** Pages through everything after `from` (the cursor by default), in order; see CatchUp.run. */
  catchUp(from?: number): Promise<void> {
    return this.incoming.run(from)
  }

  /** After the computer wakes (or whenever in doubt): a fresh connection, then catch-up and the outbox. */
  resync(): void {
    this.connection.reconnect()
  }

  async close(): Promise<void> {
    this.stopSleepWatch()
    this.incoming.stop()
    this.connection.close()
    await this.persist()
  }

  private persist(): Promise<void> {
    return this.store.save({ outbox: this.queue.items, cursor: this.incoming.savedCursor })
  }

  private statusNow(state: ConnectionState): ConnectionStatus {
    return { state, ...this.queue.counts }
  }

  private setStatus(state: ConnectionState): void {
    const next = this.statusNow(state)
    if (next.state === this.current.state && next.pending === this.current.pending && next.failed === this.current.failed) return
    this.current = next
    this.events.emit('status', next)
  }
}
