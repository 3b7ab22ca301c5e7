// ChatClient over a fake socket and a fake fetch: the change cursor as it is kept and stored, the
// bridge from an older store, resync, replies, and edits/deletions/reactions through the outbox.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { ChatClient, type ChatClientOptions } from '../../electron/client/chat-client'
import { MemoryStore, type ClientState } from '../../electron/client/store'
import type { SyncResult } from '../../electron/shared/events'
import type { PendingActionDto } from '../../electron/shared/messenger-api'
import { FakeSocketServer, fakeFetch, message, user, type FetchCall } from './fakes'

const clients: ChatClient[] = []
afterEach(async () => {
  for (const c of clients.splice(0)) await c.close()
})

const page = (over: Partial<SyncResult> = {}): { ok: true } & SyncResult => ({ ok: true, messages: [], has_more: false, read_states: [], conversations: [], ...over })

async function open(options: { stored?: ClientState; route?: (call: FetchCall) => { status: number; body?: unknown }; server?: FakeSocketServer } & Partial<ChatClientOptions> = {}) {
  const server = options.server ?? new FakeSocketServer()
  const store = new MemoryStore()
  if (options.stored) await store.save(options.stored)
  const http = fakeFetch(options.route ?? (() => ({ status: 404, body: { error: { code: 'not_found', message: 'No such route.' } } })))
  const client = await ChatClient.open({ url: 'http://chat.test', token: 't', user: user(1, 'ada'), store, io: server.io, fetch: http.fetch, sleepCheckMs: 0, reconnectDelayMs: 1, reconnectDelayMaxMs: 2, ...options })
  clients.push(client)
  const events: string[] = []
  for (const event of ['new_message', 'message_updated', 'message_deleted', 'reaction_updated', 'read_state', 'conversation_updated'] as const) {
    client.on(event, (payload) => events.push(`${event}:${'message_id' in payload ? payload.message_id : 'user_id' in payload ? payload.user_id : payload.conversation_id}`))
  }
  const pending: PendingActionDto[][] = []
  client.on('pending_actions', (list) => pending.push(list))
  return { client, server, store, http, events, pending }
}

const online = (client: ChatClient) => vi.waitFor(() => expect(client.status.state).toBe('online'))

describe('the change cursor', () => {
  it('syncs after the stored position, follows live positions, and stores where it got to', async () => {
    const server = new FakeSocketServer()
    server.on('sync', (p) => (p.after_seq === 10 ? page({ messages: [message(101)], position: 20 }) : page({ position: p.after_seq })))
    const { client, store, events } = await open({ server, stored: { outbox: [], seq: 10, known: { floor: 100, ids: [] } } })
    client.connect()
    await vi.waitFor(() => expect(events).toEqual(['new_message:101']))
    expect(server.sent('sync')).toEqual([{ after_seq: 10 }])
    server.push('new_message', message(102), { seq: 21 })
    server.push('message_updated', message(101, { content: 'edited', edited_at: '2026-11-27T11:00:00.000Z' }), { seq: 22 })
    server.push('reaction_updated', { conversation_id: 1, message_id: 101, reactions: [{ emoji: '👍', count: 1, user_ids: [2] }] }, { seq: 23 })
    server.push('message_deleted', message(102, { content: '', deleted_at: '2026-11-27T12:00:00.000Z' }), { seq: 24 })
    server.push('new_message', message(102), { seq: 21 }) // a repeat, behind the cursor
    // (Held until the catch-up's pass has saved, then handed on in order.)
    await vi.waitFor(() => expect(events).toHaveLength(5))
    expect(events).toEqual(['new_message:101', 'new_message:102', 'message_updated:101', 'reaction_updated:101', 'message_deleted:102'])
    expect(client.position).toBe(24)
    await vi.waitFor(async () => expect((await store.load())?.seq).toBe(24))
    expect((await store.load())?.known?.ids).toEqual([101, 102])
  })

  it('bridges an older store’s message id once: sync by after_message_id, then by position, and stores only the position', async () => {
    const server = new FakeSocketServer()
    server.on('sync', (p) =>
      p.after_message_id === 55 ? page({ messages: [message(56)], position: 70 }) : page({ messages: p.after_seq === 70 ? [message(56, { content: 'edited meanwhile', edited_at: '2026-11-27T11:00:00.000Z' })] : [], position: 71 }),
    )
    const { client, store, events } = await open({ server, stored: { outbox: [], cursor: 55 } })
    expect(client.position).toBeNull()
    client.connect()
    await vi.waitFor(() => expect(client.position).toBe(71))
    expect(server.sent('sync')).toEqual([{ after_message_id: 55 }, { after_seq: 70 }])
    // 56 is new to this client; messages up to the old cursor count as history.
    expect(events).toEqual(['new_message:56', 'message_updated:56'])
    await vi.waitFor(async () => expect(await store.load()).toMatchObject({ seq: 71, known: { floor: 55, ids: [56] } }))
    expect(await store.load()).not.toHaveProperty('cursor')
  })

  it('a client with nothing stored starts after the newest message the user has', async () => {
    const server = new FakeSocketServer()
    server.on('sync', (p) => page(p.after_message_id === undefined ? { position: p.after_seq } : { position: 300 }))
    const conversations = [
      { conversation_id: 1, messages: [message(40)] },
      { conversation_id: 2, messages: [message(38, { conversation_id: 2 })] },
      { conversation_id: 3, messages: [] },
    ]
    const { client, http } = await open({ server, route: (call) => (call.path === '/api/conversations/1' ? { status: 200, body: conversations } : { status: 404 }) })
    expect(http.calls.map((c) => c.path)).toEqual(['/api/conversations/1'])
    expect(client.cursor).toBe(40)
    client.connect()
    await vi.waitFor(() => expect(client.position).toBe(300))
    expect(server.sent('sync')[0]).toEqual({ after_message_id: 40 })
  })

  it('a resync rewinds to the position it names when that is lower, else syncs from the cursor', async () => {
    const server = new FakeSocketServer()
    server.on('sync', (p) => page({ position: Math.max(p.after_seq, 40) }))
    const { client } = await open({ server, stored: { outbox: [], seq: 40, known: { floor: 0, ids: [] } } })
    client.connect()
    await vi.waitFor(() => expect(server.sent('sync')).toHaveLength(1))
    await online(client)
    server.push('resync', { window_ms: 10_000, after_seq: 33 })
    await vi.waitFor(() => expect(server.sent('sync')).toHaveLength(2))
    server.push('resync', { window_ms: 10_000 })
    await vi.waitFor(() => expect(server.sent('sync')).toHaveLength(3))
    server.push('resync', { window_ms: 10_000, after_seq: 90 })
    await vi.waitFor(() => expect(server.sent('sync')).toHaveLength(4))
    expect(server.sent('sync')).toEqual([{ after_seq: 40 }, { after_seq: 33 }, { after_seq: 40 }, { after_seq: 40 }])
  })

  it('a reconnect catches up from the cursor, holding what comes live meanwhile', async () => {
    const server = new FakeSocketServer()
    let answer: ((answer: { ok: true } & SyncResult) => void) | null = null
    server.on('sync', (p) => (p.after_seq === 10 ? page({ position: 10 }) : new Promise((resolve) => (answer = resolve))))
    const { client, events } = await open({ server, stored: { outbox: [], seq: 10, known: { floor: 100, ids: [] } } })
    client.connect()
    await vi.waitFor(() => expect(client.status.state).toBe('online'))
    server.push('new_message', message(101), { seq: 11 })
    await vi.waitFor(() => expect(events).toEqual(['new_message:101']))
    server.socket.drop()
    server.push('new_message', message(102), { seq: 12 }) // lost with the connection
    server.accept()
    await vi.waitFor(() => expect(answer).not.toBeNull())
    expect(server.sent('sync').at(-1)).toEqual({ after_seq: 11 })
    server.push('message_updated', message(102, { content: 'edited' }), { seq: 13 })
    expect(events).toEqual(['new_message:101'])
    answer!(page({ messages: [message(102)], position: 12 }))
    await vi.waitFor(() => expect(events).toEqual(['new_message:101', 'new_message:102', 'message_updated:102']))
    expect(client.position).toBe(13)
  })
})

describe('replies and actions', () => {
  it('sends a reply with reply_to_id', async () => {
    const server = new FakeSocketServer()
    server.on('sync', () => page({ position: 1 }))
    server.on('send_message', (p) => ({ ok: true, duplicate: false, message: message(9, { sender_id: 1, content: p.content, client_id: p.client_id, reply_to: { message_id: 4, sender: user(2, 'bob'), excerpt: 'm4', deleted: false } }) }))
    const { client, events } = await open({ server, stored: { outbox: [], seq: 0 } })
    client.connect()
    const pending = await client.send(1, 'answering', undefined, { replyToId: 4 })
    expect(pending).toMatchObject({ reply_to_id: 4, state: 'pending' })
    await vi.waitFor(() => expect(events).toEqual(['new_message:9']))
    expect(client.outbox).toEqual([])
    expect(server.sent('send_message')).toEqual([expect.objectContaining({ conversation_id: 1, content: 'answering', reply_to_id: 4, client_id: pending.client_id })])
  })

  it('queues an edit, a reaction and a deletion made offline, keeps them across a restart, and sends each once when connected', async () => {
    const server = new FakeSocketServer()
    server.accepting = false
    server.on('sync', () => page({ position: 1 }))
    const route = (call: FetchCall) => ({ status: 200, body: message(Number(call.path.split('/')[3])) })
    const first = await open({ server, route, stored: { outbox: [], seq: 0 } })
    first.client.connect()
    const edit = await first.client.edit(5, 1, 'fixed text')
    await first.client.react(5, 1, '👍', true)
    await first.client.react(6, 1, '❤️', false)
    await first.client.delete(6, 1)
    expect(edit).toMatchObject({ kind: 'edit', message_id: 5, conversation_id: 1, content: 'fixed text', state: 'pending' })
    expect(first.pending.at(-1)!.map((a) => a.kind)).toEqual(['edit', 'react', 'unreact', 'delete'])
    expect(first.http.calls).toEqual([])
    await first.client.close()
    clients.splice(clients.indexOf(first.client), 1)

    const stored = (await first.store.load())!
    expect(stored.actions!.map((a) => a.kind)).toEqual(['edit', 'react', 'unreact', 'delete'])
    const second = await open({ server, route, stored })
    expect(second.client.pendingActions.map((a) => a.action_id)).toEqual(stored.actions!.map((a) => a.action_id))
    second.client.connect()
    server.accept()
    await vi.waitFor(() => expect(second.client.pendingActions).toEqual([]))
    expect(second.http.calls).toEqual([
      { method: 'PATCH', path: '/api/messages/5', body: { content: 'fixed text' } },
      { method: 'PUT', path: `/api/messages/5/reactions/${encodeURIComponent('👍')}`, body: undefined },
      { method: 'DELETE', path: `/api/messages/6/reactions/${encodeURIComponent('❤️')}`, body: undefined },
      { method: 'DELETE', path: '/api/messages/6', body: undefined },
    ])
    expect(second.pending.at(-1)).toEqual([])
    await vi.waitFor(async () => expect((await second.store.load())?.actions).toEqual([]))
  })

  it('marks an action refused for good (4xx) as failed, and lets the user retry or discard it', async () => {
    const server = new FakeSocketServer()
    server.on('sync', () => page({ position: 1 }))
    let refusing = true
    const route = () => (refusing ? { status: 403, body: { error: { code: 'forbidden', message: 'The time to edit this message has passed.' } } } : { status: 200, body: message(5) })
    const { client, http, pending } = await open({ server, route, stored: { outbox: [], seq: 0 } })
    client.connect()
    await online(client)
    const edit = await client.edit(5, 1, 'too late')
    await vi.waitFor(() => expect(client.pendingActions[0]?.state).toBe('failed'))
    expect(client.pendingActions[0]).toMatchObject({ action_id: edit.action_id, error: { code: 'forbidden', message: 'The time to edit this message has passed.' } })
    expect(http.calls).toHaveLength(1)
    await client.retryAction(edit.action_id)
    await vi.waitFor(() => expect(http.calls).toHaveLength(2))
    await vi.waitFor(() => expect(client.pendingActions[0]?.state).toBe('failed'))
    await client.discardAction(edit.action_id)
    expect(client.pendingActions).toEqual([])
    expect(pending.at(-1)).toEqual([])
    refusing = false
  })

  it('refuses an empty edit and a reaction that is not one emoji before queueing anything', async () => {
    const { client, pending } = await open({ stored: { outbox: [], seq: 0 } })
    await expect(client.edit(5, 1, '   ')).rejects.toMatchObject({ info: { code: 'bad_request', field: 'content' } })
    await expect(client.react(5, 1, 'ok', true)).rejects.toMatchObject({ info: { code: 'bad_request', field: 'emoji' } })
    await expect(client.react(5, 1, '👍👍', true)).rejects.toMatchObject({ info: { code: 'bad_request' } })
    expect(client.pendingActions).toEqual([])
    expect(pending).toEqual([])
  })

  it('asks for an edited message’s versions and for history around a message', async () => {
    const versions = [{ content: 'first', written_at: '2026-11-27T10:00:00.000Z' }]
    const { client, http } = await open({
      stored: { outbox: [], seq: 0 },
      route: (call) => (call.path.endsWith('/edits') ? { status: 200, body: versions } : { status: 200, body: [message(4)] }),
    })
    expect(await client.versions(5)).toEqual(versions)
    expect(await client.api.messages(1, { around: 4, limit: 20 })).toEqual([message(4)])
    expect(http.calls.map((c) => c.path)).toEqual(['/api/messages/5/edits', '/api/messages/1?around=4&limit=20'])
  })
})
