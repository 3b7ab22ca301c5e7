// Stand-ins for the server at the client's two doors, for tests that must control every answer: a
// socket.io-client `io` whose sockets the test connects, drops and pushes events to, and a `fetch`
// whose answers a route function gives. Nothing here waits on a timer.
import type { io as realIo } from 'socket.io-client'
import type { MessageDto } from '../../electron/shared/dto'
import type { Ack } from '../../electron/shared/result'

type Listener = (...args: unknown[]) => void
/** How the fake server answers one acked event; undefined leaves it unanswered (an ack that never comes). */
export type EventHandler = (payload: any) => Ack | Promise<Ack> | undefined

export class FakeSocket {
  connected = false
  private readonly listeners = new Map<string, Listener[]>()

  constructor(private readonly server: FakeSocketServer) {}

  on(event: string, listener: Listener): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener])
    return this
  }

  /** The client asks to connect: it does once the server accepts. */
  connect(): this {
    if (!this.connected && this.server.accepting) this.open()
    return this
  }

  disconnect(): this {
    if (this.connected) {
      this.connected = false
      this.fire('disconnect', 'io client disconnect')
    }
    return this
  }

  timeout(_ms: number) {
    return { emitWithAck: (event: string, payload: unknown) => this.server.answer(event, payload) }
  }

  emit(event: string, payload: unknown, ack?: (answer: unknown) => void): this {
    void this.server.answer(event, payload).then((answer) => ack?.(answer))
    return this
  }

  /** Server side: the connection is made. */
  open(): void {
    this.connected = true
    this.fire('connect')
  }

  /** Server side: the connection is lost (the client does not come back until the server accepts again). */
  drop(): void {
    if (!this.connected) return
    this.connected = false
    this.fire('disconnect', 'transport close')
  }

  fire(event: string, ...args: unknown[]): void {
    for (const listener of this.listeners.get(event) ?? []) listener(...args)
  }
}

/** The server end of every socket the client opens through `io`. */
export class FakeSocketServer {
  readonly sockets: FakeSocket[] = []
  /** Every acked event the client sent, in order. */
  readonly calls: { event: string; payload: any }[] = []
  /** Whether connection attempts succeed. */
  accepting = true
  private readonly handlers = new Map<string, EventHandler>([
    ['join_conversation', () => ({ ok: true, activeUsers: [] })],
    ['get_presence', () => ({ ok: true, online: [] })],
  ])

  readonly io = ((_url: string, _options: unknown) => {
    const socket = new FakeSocket(this)
    this.sockets.push(socket)
    // Like socket.io-client, it connects after io() returned, once listeners are on.
    queueMicrotask(() => socket.connect())
    return socket
  }) as unknown as typeof realIo

  get socket(): FakeSocket {
    const socket = this.sockets.at(-1)
    if (!socket) throw new Error('the client opened no socket')
    return socket
  }

  on(event: string, handler: EventHandler): void {
    this.handlers.set(event, handler)
  }

  async answer(event: string, payload: unknown): Promise<Ack> {
    this.calls.push({ event, payload })
    const answer = this.handlers.get(event)?.(payload)
    if (answer === undefined) return new Promise<Ack>(() => {})
    return answer
  }

  /** The acked events sent under this name, their payloads in order. */
  sent(event: string): any[] {
    return this.calls.filter((c) => c.event === event).map((c) => c.payload)
  }

  /** The server pushes an event (with its arguments) to the connected socket. */
  push(event: string, ...args: unknown[]): void {
    for (const socket of this.sockets) if (socket.connected) socket.fire(event, ...args)
  }

  /** Lets the client connect again (after accepting was turned off). */
  accept(): void {
    this.accepting = true
    for (const socket of this.sockets) socket.connect()
  }
}

export interface FetchCall {
  method: string
  path: string
  body: unknown
}

/** A fetch that answers by `route`: a JSON body with a status, or a thrown error (no answer). */
export function fakeFetch(route: (call: FetchCall) => { status: number; body?: unknown } | Promise<{ status: number; body?: unknown }>) {
  const calls: FetchCall[] = []
  const fetch = (async (input: string | URL, init: RequestInit = {}) => {
    const url = new URL(String(input))
    const call = { method: init.method ?? 'GET', path: url.pathname + url.search, body: typeof init.body === 'string' ? JSON.parse(init.body) : undefined }
    calls.push(call)
    const { status, body } = await route(call)
    return new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })
  }) as typeof globalThis.fetch
  return { fetch, calls }
}

export const user = (id: number, name = `user${id}`) => ({ user_id: id, username: name, display_name: name })

export const message = (id: number, over: Partial<MessageDto> = {}): MessageDto => ({
  message_id: id,
  conversation_id: 1,
  sender_id: 2,
  content: `m${id}`,
  created_at: '2026-11-27T10:00:00.000Z',
  is_read: false,
  client_id: null,
  sender: user(2, 'bob'),
  attachments: [],
  system: null,
  reply_to: null,
  edited_at: null,
  deleted_at: null,
  reactions: [],
  ...over,
})
