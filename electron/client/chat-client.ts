// ChatClient: the one client of the server, used by the desktop app's main process and by the web
// client in the page. Plain TypeScript over socket.io-client and fetch: no Node, no DOM. A facade over
// the connection, the outbox, the queue of actions, the catch-up and the sleep watch, which keeps
// their shared state (what the store saves) and the connection status.
import type { io as defaultIo } from 'socket.io-client'
import type { MessageDto, MessageVersionDto, UserDto } from '../shared/dto'
import { Emitter, type ListenerErrorHandler } from '../shared/emitter'
import type { FeedPosition, SyncResult } from '../shared/events'
import type { AppEventName, AppEvents, ConnectionState, ConnectionStatus } from '../shared/messenger-api'
import { AppError } from '../shared/result'
import { LIMITS } from '../shared/limits'
import { emoji as emojiSchema, type AttachmentInput } from '../shared/schemas'
import { ActionQueue } from './actions'
import { CatchUp, LIVE_CHANGES, type Cursor, type FeedEvents, type LiveChange } from './catch-up'
import { Connection } from './connection'
import { HttpApi } from './http'
import { Outbox } from './outbox'
import { watchForSleep } from './sleep-watch'
import { emptyState, MemoryStore, type ClientState, type ClientStore, type KnownMessagesState, type PendingAction, type PendingMessage } from './store'

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
  /** With nothing stored, catch up on every change ever (tests); by default only on what comes after the newest message. */
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

/** A position as the wire gave it, if it is one. */
const positionOf = (value: unknown): number | null => (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : null)

/** Where a stored state resumes, whatever version of the client saved it. */
function resumeFrom(state: ClientState): { cursor: Cursor; known: KnownMessagesState } {
  const seq = positionOf(state.seq)
  if (seq !== null) return { cursor: { seq }, known: state.known ?? { floor: 0, ids: [] } }
  // A store from before positions (or one saved before the server told one): bridge from its message id.
  const messageId = positionOf(state.cursor) ?? 0
  return { cursor: { message_id: messageId }, known: state.known ?? { floor: messageId, ids: [] } }
}

export class ChatClient {
  readonly api: HttpApi
  readonly user: UserDto
  private readonly events: Emitter<ChatClientEvents>
  private readonly connection: Connection
  private readonly queue: Outbox
  private readonly actions: ActionQueue
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
    const api = this.api
    this.queue = new Outbox({
      items: state.outbox,
      senderId: options.user.user_id,
      save: () => this.persist(),
      canSend: () => connection.connected,
      send: (payload) => connection.rawCall<{ message: MessageDto; duplicate: boolean }>('send_message', payload),
      backoff: (attempt) => connection.backoff(attempt),
    })
    this.actions = new ActionQueue({
      items: state.actions ?? [],
      save: () => this.persist(),
      canSend: () => connection.connected,
      perform: (action) => perform(api, action),
      backoff: (attempt) => connection.backoff(attempt),
    })
    const resume = resumeFrom(state)
    this.incoming = new CatchUp({
      ...resume,
      sync: (from) => connection.call<SyncResult>('sync', 'seq' in from ? { after_seq: from.seq } : { after_message_id: from.message_id }),
      save: () => this.persist(),
      canRetry: () => connection.connected,
      retryDelayMs: () => connection.backoff(1),
    })
    this.current = this.statusNow('offline')

    connection.events.on('state', (next) => {
      if (next !== 'online') this.incoming.disconnected()
      this.setStatus(next)
      if (next === 'online') {
        void this.queue.flush()
        void this.actions.flush()
        void this.incoming.connected()
      }
    })
    connection.events.on('session_ended', (error) => this.events.emit('session_ended', error))
    for (const event of LIVE_CHANGES) {
      connection.events.on(event, ([payload, at]: [unknown, FeedPosition?]) => this.incoming.live({ event, payload, seq: positionOf(at?.seq) } as LiveChange))
    }
    connection.events.on('typing', ([event]) => this.events.emit('typing', event))
    connection.events.on('presence', ([event]) => this.events.emit('presence', event))
    connection.events.on('user_joined', ([event]) => this.events.emit('user_joined', event))
    connection.events.on('user_left', ([event]) => this.events.emit('user_left', event))
    // A node skipped changes: sync again from the position it names if that is lower, else from the cursor.
    connection.events.on('resync', ([event]) => void this.incoming.run(positionOf(event?.after_seq) ?? undefined))
    this.queue.events.on('changed', (items) => {
      this.events.emit('outbox', items)
      this.setStatus(this.current.state)
    })
    this.queue.events.on('sent', (sent) => {
      this.events.emit('sent', sent)
      this.incoming.acked(sent.message)
    })
    this.actions.events.on('changed', (items) => this.events.emit('pending_actions', items))
    const forward = <K extends keyof FeedEvents>(event: K): void => {
      this.incoming.events.on(event, (payload) => this.events.emit(event, payload as ChatClientEvents[K]))
    }
    for (const event of [...LIVE_CHANGES, 'read_state'] as const) forward(event)
  }

  /** Loads what the store kept (outbox, actions, cursor) and returns a client that is not yet connected. */
  static async open(options: ChatClientOptions): Promise<ChatClient> {
    const store = options.store ?? new MemoryStore()
    const state = (await store.load()) ?? (await ChatClient.freshState(options))
    return new ChatClient(options, store, state)
  }

  /**
   * A client with nothing stored starts after the newest message the user already has (history is
   * paged in when a conversation opens), not at the beginning of time: it bridges from that message
   * to a position at its first catch-up, and every message up to it counts as known. Offline: at 0.
   */
  private static async freshState(options: ChatClientOptions): Promise<ClientState> {
    if (options.catchUpFromStart) return emptyState()
    let newest = 0
    try {
      const conversations = await new HttpApi(options.url, options.token, options.fetch).conversations(options.user.user_id)
      newest = Math.max(0, ...conversations.map((c) => c.messages[0]?.message_id ?? 0))
    } catch {
      // Offline: everything the server has comes at the first catch-up.
    }
    return { outbox: [], actions: [], cursor: newest, known: { floor: newest, ids: [] } }
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

  /** Edits, deletions and reactions not yet acknowledged, oldest first. */
  get pendingActions(): PendingAction[] {
    return this.actions.items
  }

  /** Where the next catch-up starts: the position in the change feed, or the message id while bridging (see `position`). */
  get cursor(): number {
    const cursor = this.incoming.cursor
    return 'seq' in cursor ? cursor.seq : cursor.message_id
  }

  /** The position in the change feed every change up to which has been handed on; null until the server told one. */
  get position(): number | null {
    const cursor = this.incoming.cursor
    return 'seq' in cursor ? cursor.seq : null
  }

  /** Opens the socket; it reconnects by itself with backoff until close(). */
  connect(): void {
    if (!this.connection.open()) return
    this.stopSleepWatch = watchForSleep({ periodMs: this.options.sleepCheckMs ?? 5000, onWake: () => this.resync(), ...(this.options.now ? { now: this.options.now } : {}) })
  }

  /** Queues a message (a reply with `replyToId`); it is kept (in the store) until the server acknowledges it, across reconnects and restarts. */
  send(conversationId: number, content: string, attachments?: AttachmentInput[], options: { replyToId?: number | undefined } = {}): Promise<PendingMessage> {
    return this.queue.add(conversationId, content, attachments, options.replyToId)
  }

  /** Queues an edit of one of the user's messages (the same rules as sends: kept, sent once connected). */
  async edit(messageId: number, conversationId: number, content: string): Promise<PendingAction> {
    // Refused here rather than queued to fail: the server would refuse it for good.
    if (content.trim().length === 0) throw new AppError('bad_request', 'The new text must not be empty (delete the message instead).', { field: 'content' })
    if (content.length > LIMITS.contentMaxChars) throw new AppError('bad_request', `The new text must be at most ${LIMITS.contentMaxChars} characters.`, { field: 'content' })
    return this.actions.add({ kind: 'edit', message_id: messageId, conversation_id: conversationId, content })
  }

  /** Queues a deletion for everyone. */
  delete(messageId: number, conversationId: number): Promise<PendingAction> {
    return this.actions.add({ kind: 'delete', message_id: messageId, conversation_id: conversationId })
  }

  /** Queues adding (`on`) or taking back the user's reaction with this emoji. */
  async react(messageId: number, conversationId: number, emoji: string, on: boolean): Promise<PendingAction> {
    if (!emojiSchema.safeParse(emoji).success) throw new AppError('bad_request', 'A reaction must be one emoji.', { field: 'emoji' })
    return this.actions.add({ kind: on ? 'react' : 'unreact', message_id: messageId, conversation_id: conversationId, emoji })
  }

  retryAction(actionId: string): Promise<void> {
    return this.actions.retry(actionId)
  }

  discardAction(actionId: string): Promise<void> {
    return this.actions.discard(actionId)
  }

  /** An edited message's earlier versions, oldest first. */
  versions(messageId: number): Promise<MessageVersionDto[]> {
    return this.api.versions(messageId)
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

  /** Pages through everything after the cursor (rewound to `rewindTo` if lower), in order; see CatchUp.run. */
  catchUp(rewindTo?: number): Promise<void> {
    return this.incoming.run(rewindTo)
  }

  /** After the computer wakes (or whenever in doubt): a fresh connection, then catch-up and the outbox. */
  resync(): void {
    this.connection.reconnect()
  }

  async close(): Promise<void> {
    this.stopSleepWatch()
    this.connection.close()
    await this.persist()
  }

  private persist(): Promise<void> {
    const { cursor, known } = this.incoming.saved
    const at = 'seq' in cursor ? { seq: cursor.seq } : { cursor: cursor.message_id }
    return this.store.save({ outbox: this.queue.items, actions: this.actions.items, ...at, known })
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

/** One attempt at an action, over HTTP. */
function perform(api: HttpApi, action: PendingAction): Promise<MessageDto> {
  switch (action.kind) {
    case 'edit':
      return api.editMessage(action.message_id, action.content ?? '')
    case 'delete':
      return api.deleteMessage(action.message_id)
    case 'react':
    case 'unreact':
      return api.react(action.message_id, action.emoji ?? '', action.kind === 'react')
  }
}
