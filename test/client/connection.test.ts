import { afterEach, describe, expect, it, vi } from 'vitest'
import { Connection, type ConnectionOptions } from '../../electron/client/connection'
import type { MessageDto } from '../../electron/shared/dto'
import type { TypingEvent } from '../../electron/shared/events'
import { rooms } from '../../electron/shared/events'
import type { ConnectionState } from '../../electron/shared/messenger-api'
import type { ErrorInfo } from '../../electron/shared/result'
import { pair, person, type Person } from '../helpers/api'
import { noLimits, startServer, type TestServer } from '../helpers/server'

const connections: Connection[] = []
const servers: TestServer[] = []
afterEach(async () => {
  for (const c of connections.splice(0)) c.close()
  for (const s of servers.splice(0)) await s.close().catch(() => {})
})

async function server(config: Parameters<typeof startServer>[0] = {}): Promise<TestServer> {
  const s = await startServer({ ...noLimits, ...config })
  servers.push(s)
  return s
}

/** A connection with every state it went through recorded. */
function connection(url: string, who: Person, options: Partial<ConnectionOptions> = {}) {
  const c = new Connection({ url, token: who.token, userId: who.user.user_id, reconnectDelayMs: 50, reconnectDelayMaxMs: 200, ackTimeoutMs: 3000, ...options })
  connections.push(c)
  const states: ConnectionState[] = []
  c.events.on('state', (s) => states.push(s))
  return { c, states }
}

const online = (c: Connection) => vi.waitFor(() => expect(c.connected).toBe(true), { timeout: 15_000 })

describe('the connection', () => {
  it('connects, answers acked calls only while connected, and goes offline when closed', async () => {
    const srv = await server()
    const { ada, conversationId } = await pair(srv.url)
    const { c, states } = connection(srv.url, ada)
    await expect(c.call('get_presence', { user_ids: [] })).rejects.toThrow('not connected')
    expect(c.open()).toBe(true)
    expect(c.open()).toBe(false) // already open
    await online(c)
    expect(states).toEqual(['connecting', 'online'])
    expect(await c.join(conversationId)).toEqual([ada.user.user_id])
    // An error answer becomes a thrown error carrying the server's info.
    await expect(c.call('join_conversation', { conversation_id: 999_999, user_id: ada.user.user_id })).rejects.toMatchObject({ info: { code: 'not_found' } })
    c.close()
    expect(states.at(-1)).toBe('offline')
    expect(c.connected).toBe(false)
    expect(c.open()).toBe(false) // closed for good
    await expect(c.rawCall('get_presence', { user_ids: [] })).rejects.toThrow('not connected')
  })

  it('hands on what the server pushes, and fires typing without waiting for an answer', async () => {
    const srv = await server()
    const { ada, bob, conversationId } = await pair(srv.url)
    const a = connection(srv.url, ada).c
    const b = connection(srv.url, bob).c
    const messages: MessageDto[] = []
    const typing: TypingEvent[] = []
    b.events.on('new_message', ([m]) => messages.push(m))
    b.events.on('typing', ([t]) => typing.push(t))
    a.fire('typing', { conversation_id: conversationId, is_typing: true }) // not connected: nothing happens
    a.open()
    b.open()
    await online(a)
    await online(b)
    await b.join(conversationId)
    a.fire('typing', { conversation_id: conversationId, is_typing: true })
    await vi.waitFor(() => expect(typing).toEqual([{ conversation_id: conversationId, user_id: ada.user.user_id, is_typing: true }]))
    await ada.api.post(`/api/messages/${conversationId}`, { content: 'pushed', sender_id: ada.user.user_id })
    await vi.waitFor(() => expect(messages.map((m) => m.content)).toEqual(['pushed']))
  })

  it('joins its rooms again after the server restarts', async () => {
    const first = await server()
    const { ada, bob, conversationId } = await pair(first.url)
    const port = Number(new URL(first.url).port)
    const { c: a, states } = connection(first.url, ada)
    a.open()
    await online(a)
    expect(await a.join(conversationId)).toEqual([ada.user.user_id])
    await first.close({ keepData: true })
    servers.splice(servers.indexOf(first), 1)
    await vi.waitFor(() => expect(a.connected).toBe(false))
    const second = await server({ dataDir: first.dataDir, port })
    await vi.waitFor(() => expect(states.filter((s) => s === 'online')).toHaveLength(2), { timeout: 15_000 })
    const b = connection(second.url, bob).c
    b.open()
    await online(b)
    // Bob joining sees Ada in the room: her connection joined it again by itself.
    await vi.waitFor(async () => expect(await b.join(conversationId)).toEqual([ada.user.user_id, bob.user.user_id].sort((x, y) => x - y)))
  })

  it('comes back after the server disconnects it, and reconnects when asked', async () => {
    const srv = await server()
    const who = await person(srv.url, 'who')
    const { c, states } = connection(srv.url, who)
    c.open()
    await online(c)
    srv.server.io.in(rooms.user(who.user.user_id)).disconnectSockets()
    await vi.waitFor(() => expect(states).toEqual(['connecting', 'online', 'connecting', 'online']), { timeout: 15_000 })
    c.reconnect()
    await vi.waitFor(() => expect(states.slice(4)).toEqual(['connecting', 'online']), { timeout: 15_000 })
    expect(c.connected).toBe(true)
  })

  it('reports a refused token once and stops, offline', async () => {
    const srv = await server()
    const who = await person(srv.url, 'who')
    const { c, states } = connection(srv.url, { ...who, token: 'expired-or-forged' })
    const errors: ErrorInfo[] = []
    c.events.on('session_ended', (e) => errors.push(e))
    c.open()
    await vi.waitFor(() => expect(states.at(-1)).toBe('offline'))
    expect(errors).toEqual([{ code: 'unauthorized', message: expect.any(String) }])
    expect(states).toEqual(['connecting', 'offline'])
  })

  it('backs off doubling from the reconnect delay, up to its cap', () => {
    const c = new Connection({ url: 'http://127.0.0.1:9', token: 't', userId: 1, reconnectDelayMs: 100, reconnectDelayMaxMs: 1000 })
    expect([0, 1, 2, 3, 4, 20].map((n) => c.backoff(n))).toEqual([100, 200, 400, 800, 1000, 1000])
  })
})
