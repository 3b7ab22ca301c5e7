// The socket to the server: it connects and reconnects with backoff, joins its conversations' rooms
// again after every reconnect, gives up on a refused token, and makes acked calls only while connected.
import { io as defaultIo, type Socket } from 'socket.io-client'
import { Emitter } from '../shared/emitter'
import type { ClientToServerEvents, ServerToClientEvents } from '../shared/events'
import type { ConnectionState } from '../shared/messenger-api'
import { fromAck, unwrap, type Ack, type ErrorInfo } from '../shared/result'

type ChatSocket = Socket<ServerToClientEvents, ClientToServerEvents>

/** What the server pushes, by event: its arguments (a change's position in the feed comes second). */
export type ServerEvents = { [K in keyof ServerToClientEvents]: Parameters<ServerToClientEvents[K]> }

export type ConnectionEvents = ServerEvents & {
  /** Each change: online once connected (the rooms are being joined again), connecting while it tries, offline when it stopped. */
  state: ConnectionState
  /** The server refused the token; the connection has stopped trying. */
  session_ended: ErrorInfo
}

// Every event of the map (the record makes the compiler insist on each one).
const SERVER_EVENTS = Object.keys({
  new_message: true,
  message_read: true,
  message_updated: true,
  message_deleted: true,
  reaction_updated: true,
  typing: true,
  presence: true,
  user_joined: true,
  user_left: true,
  conversation_updated: true,
  resync: true,
} satisfies Record<keyof ServerToClientEvents, true>) as (keyof ServerToClientEvents)[]

export interface ConnectionOptions {
  /** The server's base URL. */
  url: string
  token: string
  /** Sent with every room join and leave. */
  userId: number
  io?: typeof defaultIo
  /** websocket only by default: no sticky sessions needed behind a load balancer. */
  transports?: ('websocket' | 'polling')[]
  ackTimeoutMs?: number
  reconnectDelayMs?: number
  reconnectDelayMaxMs?: number
}

export const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

export class Connection {
  readonly events = new Emitter<ConnectionEvents>()
  private socket: ChatSocket | null = null
  private closed = false
  private readonly rooms = new Set<number>()
  private current: ConnectionState = 'offline'

  constructor(private readonly options: ConnectionOptions) {}

  get connected(): boolean {
    return this.socket?.connected === true
  }

  /** Opens the socket, which then reconnects by itself until close(). False when already open or closed. */
  open(): boolean {
    if (this.socket || this.closed) return false
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
    this.setState('connecting')
    socket.on('connect', () => {
      for (const conversationId of this.rooms) this.call('join_conversation', this.roomPayload(conversationId)).catch(() => {})
      this.setState('online')
    })
    socket.on('disconnect', (reason) => {
      this.setState(this.closed ? 'offline' : 'connecting')
      // After a server-side disconnect (a restart, say) Socket.IO does not come back by itself.
      if (reason === 'io server disconnect' && !this.closed) {
        void delay(this.options.reconnectDelayMs ?? 500).then(() => {
          if (!this.closed && !socket.connected) socket.connect()
        })
      }
    })
    socket.on('connect_error', (error: Error & { data?: { code?: string; message?: string } }) => {
      if (error.data?.code === 'unauthorized') {
        this.events.emit('session_ended', { code: 'unauthorized', message: error.data.message ?? 'Sign in again.' })
        socket.disconnect()
        this.setState('offline')
      } else {
        this.setState('connecting')
      }
    })
    for (const event of SERVER_EVENTS) {
      ;(socket.on as (e: string, listener: (...args: unknown[]) => void) => void)(event, (...args) => this.events.emit(event, args as never))
    }
    return true
  }

  /** Joins a conversation's room, now and after every reconnect; resolves with who is in it. */
  async join(conversationId: number): Promise<number[]> {
    this.rooms.add(conversationId)
    return (await this.call<{ activeUsers: number[] }>('join_conversation', this.roomPayload(conversationId))).activeUsers
  }

  async leave(conversationId: number): Promise<void> {
    this.rooms.delete(conversationId)
    if (this.connected) await this.call('leave_conversation', this.roomPayload(conversationId))
  }

  /** A fresh connection (after the computer slept, or whenever in doubt). */
  reconnect(): void {
    const socket = this.socket
    if (!socket || this.closed) return
    socket.disconnect()
    this.setState('connecting')
    socket.connect()
  }

  close(): void {
    this.closed = true
    this.socket?.disconnect()
    this.socket = null
    this.setState('offline')
  }

  /** The wait before attempt `attempt` of something that failed: doubling from the reconnect delay, capped. */
  backoff(attempt: number): number {
    const base = this.options.reconnectDelayMs ?? 500
    return Math.min(this.options.reconnectDelayMaxMs ?? 10_000, base * 2 ** Math.min(attempt, 10))
  }

  /** The server's answer as it is; rejects when not connected or when no answer comes in time. */
  rawCall<T extends object>(event: keyof ClientToServerEvents, payload: unknown): Promise<Ack<T>> {
    const socket = this.socket
    if (!socket?.connected) return Promise.reject(new Error('not connected'))
    // Only emitted while connected: Socket.IO would otherwise buffer it and send it late, after we gave up.
    return (socket.timeout(this.options.ackTimeoutMs ?? 10_000) as unknown as { emitWithAck(e: string, p: unknown): Promise<Ack<T>> }).emitWithAck(event, payload)
  }

  /** An acked call whose error answer is thrown as an AppError. */
  async call<T extends object = object>(event: keyof ClientToServerEvents, payload: unknown): Promise<T> {
    return unwrap(fromAck(await this.rawCall<T>(event, payload)))
  }

  /** Best effort, unanswered and only while connected: for what is worthless once late (typing). */
  fire(event: keyof ClientToServerEvents, payload: unknown): void {
    if (this.socket?.connected) (this.socket.emit as (e: string, p: unknown, ack: () => void) => void)(event, payload, () => {})
  }

  private setState(state: ConnectionState): void {
    if (state === this.current) return
    this.current = state
    this.events.emit('state', state)
  }

  private roomPayload(conversationId: number) {
    return { conversation_id: conversationId, user_id: this.options.userId }
  }
}
