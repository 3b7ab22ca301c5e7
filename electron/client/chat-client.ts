// ChatClient: the one client of the server, used by the desktop app's main process and by the web
// client in the page. Plain TypeScript over socket.io-client and fetch: no Node, no DOM.
import { io as defaultIo, type Socket } from 'socket.io-client'
import type { MessageDto, ReadStateDto, UserDto } from '../shared/dto'
import type { ClientToServerEvents, PresenceEvent, ServerToClientEvents, TypingEvent, UserJoinedEvent, UserLeftEvent } from '../shared/events'
import type { ConnectionState, ConnectionStatus } from '../shared/messenger-api'
import type { Ack, ErrorInfo } from '../shared/result'
import type { AttachmentInput } from '../shared/schemas'
import { Emitter } from './emitter'
import { HttpApi } from './http'
import { emptyState, MemoryStore, type ClientState, type ClientStore, type PendingMessage } from './store'

export type { ConnectionState, ConnectionStatus }

export interface ChatClientEvents {
  /** Each new message once, whether it came live, by catch-up, or as the answer to our own send. */
  message(message: MessageDto): void
  /** A message was read; every earlier message from the same sender in that conversation is read too. */
  read(message: MessageDto): void
  /** Where another participant had read up to, learned at catch-up. */
  read_state(state: ReadStateDto): void
  typing(event: TypingEvent): void
  presence(event: PresenceEvent): void
  user_joined(event: UserJoinedEvent): void
  user_left(event: UserLeftEvent): void
  /** The outbox changed (queued, sent, failed, retried, discarded). */
  outbox(items: PendingMessage[]): void
  /** A queued send was stored by the server. */
  sent(event: { client_id: string; message: MessageDto }): void
  status(status: ConnectionStatus): void
  /** The server refused the token: sign in again. */
  auth_error(error: ErrorInfo): void
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
}

type ChatSocket = Socket<ServerToClientEvents, ClientToServerEvents>

const SEEN_IDS = 10_000
/** How far back a reconnect looks again (several nodes: a broadcast lost with a dying node). */
const RECONNECT_REWIND_MS = 10_000
/** The cursor's recent history, for rewinding; kept for this long. */
const REWIND_MAX_MS = 60_000

/** Remembers the last N ids, to hand each message to listeners once. */
class RecentIds {
  private ids = new Set<number>()
  constructor(private readonly max: number) {}
  /** True when the id is new. */
  add(id: number): boolean {
    if (this.ids.has(id)) return false
    this.ids.add(id)
    if (this.ids.size > this.max) this.ids.delete(this.ids.values().next().value as number)
    return true
  }
}

/** A client_id no other send of this user will have. Works where crypto.randomUUID does not (plain-HTTP pages). */
export function newClientId(): string {
  const bytes = new Uint8Array(16)
  globalThis.crypto.getRandomValues(bytes)
  return 'c-' + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
}

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

export class ChatClient extends Emitter<ChatClientEvents> {
  readonly api: HttpApi
  readonly user: UserDto
  private socket: ChatSocket | null = null
  private readonly joined = new Set<number>()
  private readonly seen = new RecentIds(SEEN_IDS)
  private flushing = false
  private syncing: Promise<void> | null = null
  /** True once a catch-up finished on the current connection: only then may live messages move the cursor. */
  private caughtUp = false
  /** Live messages that arrived before the catch-up finished: handed on after it, in id order. */
  private heldLive: MessageDto[] = []
  private closed = false
  private sleepTimer: ReturnType<typeof setInterval> | undefined
  private lastTick = 0
  private current: ConnectionStatus = { state: 'offline', pending: 0, failed: 0 }
  /** Where the next catch-up pass starts, when one is wanted. */
  private catchUpFrom: number | null = null
  /** [when, cursor] as the cursor moved, oldest first, for the last REWIND_MAX_MS. */
  private cursorHistory: [number, number][] = []

  private constructor(
    private readonly options: ChatClientOptions,
    private readonly store: ClientStore,
    private state: ClientState,
  ) {
    super()
    this.user = options.user
    this.api = new HttpApi(options.url, options.token, options.fetch)
    this.current = this.statusNow('offline')
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

  get status(): ConnectionStatus {
    return this.current
  }

  /** Unacknowledged sends, oldest first. */
  get outbox(): PendingMessage[] {
    return this.state.outbox.map((item) => ({ ...item }))
  }

  /** The id after which the next catch-up starts. */
  get cursor(): number {
    return this.state.cursor
  }

  /** Opens the socket; it reconnects by itself with backoff until close(). */
  connect(): void {
    if (this.socket || this.closed) return
    const io = this.options.io ?? defaultIo
    const socket: ChatSocket = io(this.options.url, {
      auth: { token: this.options.token },
      transports: this.options.transports ?? ['websocket'],
      reconnectionDelay: this.options.reconnectDelayMs ?? 500,
      reconnectionDelayMax: this.options.reconnectDelayMaxMs ?? 10_000,
      randomizationFactor: 0.5,
      forceNew: true,
    })
    this.socket = socket
    this.setStatus('connecting')
    socket.on('connect', () => void this.onConnect())
    socket.on('disconnect', (reason) => {
      this.caughtUp = false
      this.setStatus(this.closed ? 'offline' : 'connecting')
      // After a server-side disconnect (a restart, say) Socket.IO does not come back by itself.
      if (reason === 'io server disconnect' && !this.closed) {
        void delay(this.options.reconnectDelayMs ?? 500).then(() => {
          if (!this.closed && !socket.connected) socket.connect()
        })
      }
    })
    socket.on('connect_error', (error: Error & { data?: { code?: string; message?: string } }) => {
      if (error.data?.code === 'unauthorized') {
        this.emit('auth_error', { code: 'unauthorized', message: error.data.message ?? 'Sign in again.' })
        socket.disconnect()
        this.setStatus('offline')
      } else {
        this.setStatus('connecting')
      }
    })
    socket.on('new_message', (message) => this.receive(message, 'live'))
    socket.on('message_read', (message) => this.emit('read', message))
    socket.on('typing', (event) => this.emit('typing', event))
    socket.on('presence', (event) => this.emit('presence', event))
    socket.on('user_joined', (event) => this.emit('user_joined', event))
    socket.on('user_left', (event) => this.emit('user_left', event))
    socket.on('resync', ({ window_ms }) => void this.catchUp(this.cursorAt(Date.now() - Math.min(Math.max(0, window_ms), REWIND_MAX_MS))))
    this.watchForSleep()
  }

  /** Queues a message; it is kept (in the store) until the server acknowledges it, across reconnects and restarts. */
  async send(conversationId: number, content: string, attachments?: AttachmentInput[]): Promise<PendingMessage> {
    const item: PendingMessage = {
      client_id: newClientId(),
      conversation_id: conversationId,
      content,
      ...(attachments && attachments.length > 0 ? { attachments } : {}),
      queued_at: new Date().toISOString(),
      state: 'pending',
      attempts: 0,
    }
    this.state.outbox.push(item)
    await this.persist()
    this.outboxChanged()
    void this.flush()
    return { ...item }
  }

  /** Sends a failed message again. */
  async retry(clientId: string): Promise<void> {
    const item = this.state.outbox.find((i) => i.client_id === clientId)
    if (!item || item.state !== 'failed') return
    item.state = 'pending'
    delete item.error
    await this.persist()
    this.outboxChanged()
    void this.flush()
  }

  /** Gives up on a failed message. */
  async discard(clientId: string): Promise<void> {
    const before = this.state.outbox.length
    this.state.outbox = this.state.outbox.filter((i) => !(i.client_id === clientId && i.state === 'failed'))
    if (this.state.outbox.length === before) return
    await this.persist()
    this.outboxChanged()
  }

  /** Joins a conversation's room (and again after every reconnect); resolves with who is in it. */
  async joinConversation(conversationId: number): Promise<number[]> {
    this.joined.add(conversationId)
    const ack = await this.call<{ activeUsers: number[] }>('join_conversation', { conversation_id: conversationId, user_id: this.user.user_id })
    return ack.activeUsers
  }

  async leaveConversation(conversationId: number): Promise<void> {
    this.joined.delete(conversationId)
    if (this.socket?.connected) await this.call('leave_conversation', { conversation_id: conversationId, user_id: this.user.user_id })
  }

  /** Marks a message (and what came before it) read: over the socket when online, else over HTTP. */
  async markAsRead(messageId: number, conversationId: number): Promise<MessageDto> {
    if (this.socket?.connected) {
      return (await this.call<{ message: MessageDto }>('mark_as_read', { message_id: messageId, conversation_id: conversationId })).message
    }
    return this.api.markRead(messageId)
  }

  /** Best effort: typing is worthless once late, so it is not queued while offline. */
  setTyping(conversationId: number, isTyping: boolean): void {
    if (this.socket?.connected) this.socket.emit('typing', { conversation_id: conversationId, is_typing: isTyping }, () => {})
  }

  async onlineUsers(userIds: number[]): Promise<number[]> {
    if (!this.socket?.connected) return []
    return (await this.call<{ online: number[] }>('get_presence', { user_ids: userIds })).online
  }

  /** After the computer wakes (or whenever in doubt): a fresh connection, then catch-up and the outbox. */
  resync(): void {
    const socket = this.socket
    if (!socket || this.closed) return
    socket.disconnect()
    this.setStatus('connecting')
    socket.connect()
  }

  async close(): Promise<void> {
    this.closed = true
    if (this.sleepTimer) clearInterval(this.sleepTimer)
    this.socket?.disconnect()
    this.socket = null
    this.setStatus('offline')
    await this.persist()
  }

  private async onConnect(): Promise<void> {
    this.caughtUp = false
    // Anything held from an earlier connection is after the cursor: this catch-up brings it again.
    this.heldLive = []
    this.setStatus('online')
    for (const conversationId of this.joined) {
      this.call('join_conversation', { conversation_id: conversationId, user_id: this.user.user_id }).catch(() => {})
    }
    void this.flush()
    // With several server nodes, a node that died may have stored messages it never broadcast, after
    // messages from other nodes moved the cursor on: look again at the last few seconds (what is
    // already here is dropped). One node broadcasts in commit order, and this costs one small page.
    await this.catchUp(this.cursorAt(this.now() - RECONNECT_REWIND_MS))
  }

  private now(): number {
    return this.options.now?.() ?? Date.now()
  }

  /** The cursor as it was at `time` (the oldest remembered if earlier). */
  private cursorAt(time: number): number {
    let cursor = this.cursorHistory[0]?.[1] ?? this.state.cursor
    for (const [at, value] of this.cursorHistory) {
      if (at > time) break
      cursor = value
    }
    return Math.min(cursor, this.state.cursor)
  }

  private moveCursor(to: number): void {
    if (to <= this.state.cursor) return
    // Remember where it was before this move, so a rewind can come back to it.
    const now = this.now()
    const last = this.cursorHistory.at(-1)
    if (!last || now - last[0] > 250) this.cursorHistory.push([now, this.state.cursor])
    while (this.cursorHistory.length > 1 && now - this.cursorHistory[0]![0] > REWIND_MAX_MS) this.cursorHistory.shift()
    this.state.cursor = to
  }

  /**
   * Pages through everything after `from` (the cursor by default); the server returns it in
   * message_id order. Asked again while one runs (a reconnect, a resync), it goes on from the
   * earliest point asked for once the running one is done; a failed one is retried from where it began.
   */
  catchUp(from = this.state.cursor): Promise<void> {
    this.catchUpFrom = Math.min(this.catchUpFrom ?? Infinity, from, this.state.cursor)
    this.syncing ??= (async () => {
      let started = this.catchUpFrom ?? this.state.cursor
      try {
        while (this.catchUpFrom !== null) {
          started = this.catchUpFrom
          this.catchUpFrom = null
          let after = started
          for (;;) {
            const page = await this.call<{ messages: MessageDto[]; has_more: boolean; read_states: ReadStateDto[] }>('sync', { after_message_id: after })
            for (const message of page.messages) this.receive(message, 'sync')
            for (const readState of page.read_states) this.emit('read_state', readState)
            const last = page.messages.at(-1)
            if (last) {
              after = last.message_id
              this.moveCursor(last.message_id)
            }
            if (!page.has_more) break
            await this.persist()
          }
        }
        // Live messages that came during the catch-up are contiguous with it now: hand them on in order.
        const held = this.heldLive.sort((a, b) => a.message_id - b.message_id)
        this.heldLive = []
        for (const message of held) {
          this.moveCursor(message.message_id)
          if (this.seen.add(message.message_id)) this.emit('message', message)
        }
        this.caughtUp = true
        await this.persist()
      } catch {
        // Nothing after `started` is known to have arrived in order: the retry (or the next connect) begins there.
        this.catchUpFrom = Math.min(this.catchUpFrom ?? Infinity, started)
        if (this.socket?.connected && !this.closed) {
          void delay(this.backoff(1)).then(() => {
            if (this.socket?.connected && this.catchUpFrom !== null) void this.catchUp(this.catchUpFrom)
          })
        }
      } finally {
        this.syncing = null
      }
    })()
    return this.syncing
  }

  private receive(message: MessageDto, how: 'live' | 'sync' | 'ack'): void {
    if (how === 'live') {
      // Until the catch-up is done, live messages wait, so listeners see every message in id order.
      if (!this.caughtUp) {
        this.heldLive.push(message)
        return
      }
      // Live messages arrive in id order (the server broadcasts writes in commit order), so once a
      // catch-up is done the cursor may follow them.
      if (message.message_id > this.state.cursor) {
        this.moveCursor(message.message_id)
        void this.persist()
      }
    }
    if (this.seen.add(message.message_id)) this.emit('message', message)
  }

  /** Sends queued messages one at a time, oldest first, until the outbox is empty or the socket drops. */
  private async flush(): Promise<void> {
    if (this.flushing) return
    this.flushing = true
    try {
      while (!this.closed && this.socket?.connected) {
        const item = this.state.outbox.find((i) => i.state === 'pending')
        if (!item) break
        item.attempts++
        let ack: Ack<{ message: MessageDto; duplicate: boolean }>
        try {
          ack = await this.rawCall('send_message', {
            conversation_id: item.conversation_id,
            content: item.content,
            sender_id: this.user.user_id,
            client_id: item.client_id,
            ...(item.attachments ? { attachments: item.attachments } : {}),
          })
        } catch {
          // No answer (timeout or disconnect): the same client_id is safe to send again.
          await delay(this.backoff(item.attempts))
          continue
        }
        if (ack.ok) {
          this.state.outbox = this.state.outbox.filter((i) => i.client_id !== item.client_id)
          await this.persist()
          this.outboxChanged()
          this.emit('sent', { client_id: item.client_id, message: ack.message })
          this.receive(ack.message, 'ack')
          continue
        }
        const { code } = ack.error
        if (code === 'rate_limited') {
          await delay(ack.error.retry_after_ms ?? 1000)
        } else if (code === 'unavailable' || code === 'internal') {
          await delay(this.backoff(item.attempts))
        } else {
          // The server will never take it as it is (not a participant, too long, ...): the user decides.
          item.state = 'failed'
          item.error = ack.error
          await this.persist()
          this.outboxChanged()
        }
      }
    } finally {
      this.flushing = false
    }
  }

  private backoff(attempt: number): number {
    const base = this.options.reconnectDelayMs ?? 500
    return Math.min(this.options.reconnectDelayMaxMs ?? 10_000, base * 2 ** Math.min(attempt, 10))
  }

  private rawCall<T extends object>(event: keyof ClientToServerEvents, payload: unknown): Promise<Ack<T>> {
    const socket = this.socket
    if (!socket?.connected) return Promise.reject(new Error('not connected'))
    // Only emitted while connected: Socket.IO would otherwise buffer it and send it late, after we gave up.
    return (socket.timeout(this.options.ackTimeoutMs ?? 10_000) as unknown as { emitWithAck(e: string, p: unknown): Promise<Ack<T>> }).emitWithAck(event, payload)
  }

  /** An acked call whose error answer becomes a thrown error. */
  private async call<T extends object = object>(event: keyof ClientToServerEvents, payload: unknown): Promise<T> {
    const ack = await this.rawCall<T>(event, payload)
    if (!ack.ok) throw Object.assign(new Error(ack.error.message), { info: ack.error })
    return ack
  }

  private persist(): Promise<void> {
    return this.store.save(this.state)
  }

  private outboxChanged(): void {
    this.emit('outbox', this.outbox)
    this.setStatus(this.current.state)
  }

  private statusNow(state: ConnectionState): ConnectionStatus {
    return {
      state,
      pending: this.state.outbox.filter((i) => i.state === 'pending').length,
      failed: this.state.outbox.filter((i) => i.state === 'failed').length,
    }
  }

  private setStatus(state: ConnectionState): void {
    const next = this.statusNow(state)
    if (next.state === this.current.state && next.pending === this.current.pending && next.failed === this.current.failed) return
    this.current = next
    this.emit('status', next)
  }

  /** A timer that fires late by much more than its period means the process was suspended. */
  private watchForSleep(): void {
    const period = this.options.sleepCheckMs ?? 5000
    if (period <= 0) return
    const now = this.options.now ?? Date.now
    this.lastTick = now()
    this.sleepTimer = setInterval(() => {
      const t = now()
      if (t - this.lastTick > period * 3) this.resync()
      this.lastTick = t
    }, period)
    ;(this.sleepTimer as { unref?: () => void }).unref?.()
  }
}
