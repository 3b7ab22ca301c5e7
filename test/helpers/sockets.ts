import { io, type Socket } from 'socket.io-client'
import type { ClientToServerEvents, ServerToClientEvents } from '../../electron/shared/events'
import type { Ack } from '../../electron/shared/result'

export type TestSocket = Socket<ServerToClientEvents, ClientToServerEvents>

const open: TestSocket[] = []

/** A connected, typed client (websocket only, no reconnection unless asked). */
export async function connect(url: string, token: string | undefined, options: { reconnection?: boolean } = {}): Promise<TestSocket> {
  const socket: TestSocket = io(url, { auth: token === undefined ? {} : { token }, transports: ['websocket'], reconnection: options.reconnection ?? false, forceNew: true })
  open.push(socket)
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve())
    socket.once('connect_error', (err) => reject(err))
  })
  return socket
}

/** Resolves with the connect_error a refused handshake produces. */
export function refused(url: string, auth: Record<string, unknown>): Promise<Error & { data?: any }> {
  const socket: TestSocket = io(url, { auth, transports: ['websocket'], reconnection: false, forceNew: true })
  open.push(socket)
  return new Promise((resolve, reject) => {
    socket.once('connect', () => reject(new Error('connected although it should have been refused')))
    socket.once('connect_error', (err) => resolve(err))
  })
}

/** Emits with an acknowledgement and resolves with the server's answer. */
export function call<T extends object = any>(socket: TestSocket, event: keyof ClientToServerEvents, payload: unknown): Promise<Ack<T> & Record<string, any>> {
  return (socket as any).timeout(10_000).emitWithAck(event, payload)
}

/** The next `event` (matching `where`) on the socket. */
export function next<T = any>(socket: TestSocket, event: keyof ServerToClientEvents, where: (payload: T) => boolean = () => true, timeoutMs = 10_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off(event, handler as never)
      reject(new Error(`no ${event} within ${timeoutMs} ms`))
    }, timeoutMs)
    const handler = (payload: T): void => {
      if (!where(payload)) return
      clearTimeout(timer)
      socket.off(event, handler as never)
      resolve(payload)
    }
    socket.on(event, handler as never)
  })
}

/** Collects every `event` the socket receives from now on. */
export function collect<T = any>(socket: TestSocket, event: keyof ServerToClientEvents): T[] {
  const seen: T[] = []
  socket.on(event, ((payload: T) => seen.push(payload)) as never)
  return seen
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

export function closeAllSockets(): void {
  for (const s of open.splice(0)) s.disconnect()
}
