import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { ChatClient, type ChatClientOptions } from '../../electron/client/chat-client'
import { FileStore } from '../../electron/main/file-store'
import { MemoryStore, WebStorageStore } from '../../electron/client/store'
import type { ConversationDto, ConversationUpdateDto, MessageDto } from '../../electron/shared/dto'
import { rooms } from '../../electron/shared/events'
import { pair, person, type Person } from '../helpers/api'
import { noLimits, startServer, tempDir, type TestServer } from '../helpers/server'
import { sleep } from '../helpers/sockets'
import { until } from '../helpers/wait'

const clients: ChatClient[] = []
const servers: TestServer[] = []
afterEach(async () => {
  for (const c of clients.splice(0)) await c.close()
  for (const s of servers.splice(0)) await s.close().catch(() => {})
})

async function server(config: Parameters<typeof startServer>[0] = {}): Promise<TestServer> {
  const s = await startServer({ ...noLimits, ...config })
  servers.push(s)
  return s
}

async function client(url: string, who: Person, options: Partial<ChatClientOptions> = {}): Promise<ChatClient> {
  const c = await ChatClient.open({ url, token: who.token, user: who.user, reconnectDelayMs: 100, reconnectDelayMaxMs: 500, ackTimeoutMs: 3000, sleepCheckMs: 0, ...options })
  clients.push(c)
  return c
}

/** Every message the client hands to listeners, in order. */
function received(c: ChatClient): MessageDto[] {
  const list: MessageDto[] = []
  c.on('new_message', (m) => list.push(m))
  return list
}

/** Bob's client got one message from Ada (its cursor saved) and closed: what it stored, for the client that comes back. */
async function goneAway(srv: TestServer, ada: Person, bob: Person, conversationId: number): Promise<MemoryStore> {
  const store = new MemoryStore()
  const before = await client(srv.url, bob, { store })
  const early = received(before)
  before.connect()
  await until('online', () => before.status.state === 'online')
  const first = (await ada.api.post<MessageDto>(`/api/messages/${conversationId}`, { content: 'hello', sender_id: ada.user.user_id })).body
  await until('first message', () => early.some((m) => m.message_id === first.message_id))
  // Saved past it: the position of its change (the first live change gives a client its first position).
  await until('position saved', async () => (await store.load())?.seq === (await changeOf(srv, first.message_id)))
  await before.close()
  return store
}

/** The position of a message's last change in the server's feed. */
const changeOf = async (s: TestServer, messageId: number): Promise<number> => (await s.server.database.db.message.findUniqueOrThrow({ where: { message_id: messageId } })).seq

const stored = (s: TestServer, conversationId: number) =>
  s.server.database.db.message.findMany({ where: { conversation_id: conversationId }, orderBy: { message_id: 'asc' } })

describe('outbox', () => {
  it('keeps sends made offline across a client restart and delivers each once, in order', async () => {
    const srv = await server()
    const { ada, conversationId } = await pair(srv.url)
    const file = path.join(tempDir(), 'ada-client.json')
    const offline = await client(srv.url, ada, { store: new FileStore(file) })
    for (const text of ['one', 'two', 'three']) await offline.send(conversationId, text)
    expect(offline.status).toMatchObject({ state: 'offline', pending: 3 })
    await offline.close() // quits without ever connecting

    const restarted = await client(srv.url, ada, { store: new FileStore(file) })
    expect(restarted.outbox.map((i) => i.content)).toEqual(['one', 'two', 'three'])
    restarted.connect()
    await until('outbox empty', () => restarted.outbox.length === 0)
    const rows = await stored(srv, conversationId)
    expect(rows.map((r) => r.content)).toEqual(['one', 'two', 'three'])
    expect(rows.map((r) => r.client_id)).toEqual(offline.outbox.map((i) => i.client_id))
  })

  it('keeps the outbox in browser storage for the web client, across a reload', async () => {
    const srv = await server()
    const { ada, conversationId } = await pair(srv.url)
    // localStorage's interface, backed by a Map: what a page reload keeps.
    const backing = new Map<string, string>()
    const localStorage = { getItem: (k: string) => backing.get(k) ?? null, setItem: (k: string, v: string) => void backing.set(k, v) }
    const key = `switchboard:${srv.url}:${ada.user.user_id}`
    const before = await client(srv.url, ada, { store: new WebStorageStore(localStorage, key) })
    await before.send(conversationId, 'typed before the reload')
    await before.close()
    expect(JSON.parse(backing.get(key)!).outbox).toHaveLength(1)

    const after = await client(srv.url, ada, { store: new WebStorageStore(localStorage, key) })
    after.connect()
    await until('sent', () => after.outbox.length === 0)
    expect((await stored(srv, conversationId)).map((r) => r.content)).toEqual(['typed before the reload'])
  })

  it('delivers every message exactly once, in order, to the database and the recipient across a server restart', async () => {
    const first = await server()
    const { ada, bob, conversationId } = await pair(first.url)
    const port = Number(new URL(first.url).port)
    const sender = await client(first.url, ada)
    const recipient = await client(first.url, bob)
    const got = received(recipient)
    sender.connect()
    recipient.connect()
    await until('both online', () => sender.status.state === 'online' && recipient.status.state === 'online')

    let current = first
    for (let i = 0; i < 100; i++) {
      await sender.send(conversationId, `m${i}`)
      if (i === 40) {
        // Restart on the same data folder and port while sends are in flight.
        await current.close({ keepData: true })
        servers.splice(servers.indexOf(current), 1)
        current = await server({ dataDir: first.dataDir, port })
      }
      if (i % 10 === 0) await sleep(5)
    }
    await until('outbox empty', () => sender.outbox.length === 0, { timeoutMs: 30_000 })
    await until('recipient has all', () => got.length >= 100, { timeoutMs: 30_000 })
    // Nothing more comes after them: a sentinel sent last arrives right after the hundredth.
    await sender.send(conversationId, 'sentinel')
    await until('the sentinel', () => got.some((m) => m.content === 'sentinel'), { timeoutMs: 30_000 })
    const rows = await stored(current, conversationId)
    const expected = [...Array.from({ length: 100 }, (_, i) => `m${i}`), 'sentinel']
    expect(rows.map((r) => r.content)).toEqual(expected)
    expect(got.map((m) => m.content)).toEqual(expected)
    expect(new Set(got.map((m) => m.message_id)).size).toBe(101)
  })

  it('marks a send the server refuses for good as failed, and lets the user retry or discard it', async () => {
    const srv = await server()
    const { conversationId } = await pair(srv.url)
    const outsider = await person(srv.url, 'outsider')
    const c = await client(srv.url, outsider)
    const statuses: string[] = []
    c.on('status', (s) => statuses.push(`${s.state}:${s.pending}:${s.failed}`))
    c.connect()
    const item = await c.send(conversationId, 'let me in')
    await until('failed', () => c.status.failed === 1)
    expect(c.outbox[0]).toMatchObject({ client_id: item.client_id, state: 'failed', error: { code: 'forbidden' } })
    await c.retry(item.client_id)
    await until('failed again', () => c.outbox[0]?.state === 'failed' && c.outbox[0].attempts === 2)
    await c.discard(item.client_id)
    expect(c.outbox).toEqual([])
    expect(statuses.at(-1)).toBe('online:0:0')
    expect(await srv.server.database.db.message.count()).toBe(0)
  })
})

describe('catch-up', () => {
  it('receives the 300 messages sent while it was away, in order, once', async () => {
    const srv = await server()
    const { ada, bob, conversationId } = await pair(srv.url)
    const store = await goneAway(srv, ada, bob, conversationId)

    const sent: number[] = []
    for (let i = 0; i < 300; i++) sent.push((await ada.api.post(`/api/messages/${conversationId}`, { content: `away ${i}`, sender_id: ada.user.user_id })).body.message_id)

    const after = await client(srv.url, bob, { store })
    const got = received(after)
    after.connect()
    await until('caught up', () => got.length >= 300)
    // Nothing replayed twice: a message sent after the catch-up is the next one to arrive.
    const sentinel = (await ada.api.post(`/api/messages/${conversationId}`, { content: 'sentinel', sender_id: ada.user.user_id })).body.message_id
    await until('the sentinel', () => got.some((m) => m.message_id === sentinel))
    expect(got.map((m) => m.message_id)).toEqual([...sent, sentinel])
    expect(after.position).toBe(await changeOf(srv, sentinel))
  })

  it('a client with nothing stored starts after the newest message the user has, not at the beginning', async () => {
    const srv = await server()
    const { ada, bob, conversationId } = await pair(srv.url)
    const old: number[] = []
    for (let i = 0; i < 30; i++) old.push((await ada.api.post(`/api/messages/${conversationId}`, { content: `old ${i}`, sender_id: ada.user.user_id })).body.message_id)
    const fresh = await client(srv.url, bob)
    expect(fresh.cursor).toBe(old.at(-1))
    const got = received(fresh)
    fresh.connect()
    await until('online', () => fresh.status.state === 'online')
    const next = (await ada.api.post(`/api/messages/${conversationId}`, { content: 'new', sender_id: ada.user.user_id })).body.message_id
    await until('new message', () => got.length >= 1)
    // Nothing of the old history follows: a message sent after arrives right after it.
    const sentinel = (await ada.api.post(`/api/messages/${conversationId}`, { content: 'sentinel', sender_id: ada.user.user_id })).body.message_id
    await until('the sentinel', () => got.some((m) => m.message_id === sentinel))
    expect(got.map((m) => m.message_id)).toEqual([next, sentinel])
    // Asked to, it catches up on everything.
    const everything = await client(srv.url, bob, { catchUpFromStart: true })
    expect(everything.cursor).toBe(0)
  })

  it('resyncs after the computer sleeps: a jump of the clock brings a fresh connection and what it missed', async () => {
    const srv = await server()
    const { ada, bob, conversationId } = await pair(srv.url)
    let clock = 1_000_000
    const c = await client(srv.url, bob, { sleepCheckMs: 25, now: () => clock })
    const got = received(c)
    c.connect()
    await until('online', () => c.status.state === 'online')
    // Ada's own client sees each broadcast; Bob's would have gone out in the same emit.
    const witness = await client(srv.url, ada)
    const seenByAda = received(witness)
    witness.connect()
    await until('witness online', () => witness.status.state === 'online')
    // While "asleep" the connection is dead in all but name: events stop reaching it.
    srv.server.io.in(rooms.user(bob.user.user_id)).socketsLeave(rooms.user(bob.user.user_id))
    for (let i = 0; i < 5; i++) await ada.api.post(`/api/messages/${conversationId}`, { content: `while asleep ${i}`, sender_id: ada.user.user_id })
    await until('the broadcasts went out', () => seenByAda.length === 5)
    expect(got).toHaveLength(0)
    clock += 60 * 60 * 1000 // the machine wakes an hour later
    await until('caught up after wake', () => got.length === 5)
    expect(got.map((m) => m.content)).toEqual(Array.from({ length: 5 }, (_, i) => `while asleep ${i}`))
  })
})

describe('message actions', () => {
  it('catches up on what changed while away: a known message edited and reacted to comes once as message_updated, one sent and edited as new_message, one sent and deleted as its tombstone', async () => {
    const srv = await server()
    const { ada, bob, conversationId } = await pair(srv.url)
    const store = await goneAway(srv, ada, bob, conversationId)
    const post = async (content: string) => (await ada.api.post<MessageDto>(`/api/messages/${conversationId}`, { content, sender_id: ada.user.user_id })).body
    const [hello] = (await ada.api.get<MessageDto[]>(`/api/messages/${conversationId}`)).body
    const fixed = await post('typo')
    expect((await ada.api.patch(`/api/messages/${fixed.message_id}`, { content: 'fixed' })).status).toBe(200)
    const gone = await post('oops')
    expect((await ada.api.request('DELETE', `/api/messages/${gone.message_id}`)).status).toBe(200)
    expect((await ada.api.patch(`/api/messages/${hello!.message_id}`, { content: 'hello, edited' })).status).toBe(200)
    expect((await ada.api.request('PUT', `/api/messages/${hello!.message_id}/reactions/${encodeURIComponent('👍')}`)).status).toBe(200)

    const back = await client(srv.url, bob, { store })
    const events: string[] = []
    const states = new Map<number, MessageDto>()
    for (const event of ['new_message', 'message_updated', 'message_deleted'] as const) {
      back.on(event, (m) => {
        events.push(`${event}:${m.content}`)
        states.set(m.message_id, m)
      })
    }
    back.on('reaction_updated', (r) => events.push(`reaction_updated:${r.message_id}`))
    back.connect()
    const sentinel = await post('sentinel')
    await until('the sentinel', () => states.has(sentinel.message_id), { state: () => events.join(', ') })
    expect(events).toEqual(['new_message:fixed', 'message_deleted:', 'message_updated:hello, edited', 'new_message:sentinel'])
    expect(states.get(hello!.message_id)).toMatchObject({ edited_at: expect.any(String), reactions: [{ emoji: '👍', count: 1, user_ids: [ada.user.user_id] }] })
    expect(states.get(gone.message_id)).toMatchObject({ deleted_at: expect.any(String), content: '' })
  })

  it('delivers an edit and a reaction made offline once, even when an answer is lost and the action is sent again', async () => {
    const srv = await server()
    const { ada, bob, conversationId } = await pair(srv.url)
    const mine = (await bob.api.post<MessageDto>(`/api/messages/${conversationId}`, { content: 'draft', sender_id: bob.user.user_id })).body
    const store = new MemoryStore()
    const offline = await client(srv.url, bob, { store })
    await offline.edit(mine.message_id, conversationId, 'final')
    await offline.react(mine.message_id, conversationId, '🎉', true)
    await offline.close()

    // Back online, the first answer to each action is lost on the way back: the server applied it, the client cannot know.
    let lose = 2
    const lossy: typeof fetch = async (input, init) => {
      const answer = await fetch(input, init)
      if (init?.method && init.method !== 'GET' && lose > 0) {
        lose--
        throw new TypeError('socket hang up')
      }
      return answer
    }
    const online = await client(srv.url, bob, { store, fetch: lossy })
    const seenByAda = await client(srv.url, ada)
    const updates: MessageDto[] = []
    seenByAda.on('message_updated', (m) => updates.push(m))
    const reactions: number[] = []
    seenByAda.on('reaction_updated', (r) => reactions.push(r.reactions[0]?.count ?? 0))
    seenByAda.connect()
    await until('ada online', () => seenByAda.status.state === 'online')
    expect(online.pendingActions.map((a) => a.kind)).toEqual(['edit', 'react'])
    online.connect()
    await until('actions delivered', () => online.pendingActions.length === 0)
    await until('ada saw the reaction', () => reactions.length > 0)
    expect(lose).toBe(0)
    const row = await srv.server.database.db.message.findUniqueOrThrow({ where: { message_id: mine.message_id }, include: { versions: true, reactions: true } })
    expect(row.content).toBe('final')
    expect(row.versions.map((v) => v.content)).toEqual(['draft'])
    expect(row.reactions.map((r) => r.emoji)).toEqual(['🎉'])
    // Ada heard of the edit once and of the reaction once, though each was sent twice.
    expect(updates.map((m) => m.content)).toEqual(['final'])
    expect(reactions).toEqual([1])
  })
})

describe('groups', () => {
  it('hands on conversation_updated live: a member added gets the group at once, and its messages after', async () => {
    const srv = await server()
    const { ada, bob } = await pair(srv.url)
    const cy = await person(srv.url, 'cy')
    const bobs = await client(srv.url, bob)
    const updates: ConversationUpdateDto[] = []
    bobs.on('conversation_updated', (c) => updates.push(c))
    const got = received(bobs)
    bobs.connect()
    await until('online', () => bobs.status.state === 'online')
    const made = await ada.api.post<ConversationDto>('/api/groups', { title: 'Team', member_ids: [cy.user.user_id] })
    expect(made.status).toBe(201)
    const groupId = made.body.conversation_id
    await ada.api.post(`/api/conversations/${groupId}/members`, { user_ids: [bob.user.user_id] })
    await until('the update', () => updates.some((u) => u.participants.some((p) => p.user_id === bob.user.user_id)))
    expect(updates.at(-1)).toMatchObject({ conversation_id: groupId, kind: 'group', title: 'Team' })
    expect(updates.at(-1)!.participants.map((p) => [p.user_id, p.role])).toEqual([
      [ada.user.user_id, 'owner'],
      [bob.user.user_id, 'member'],
      [cy.user.user_id, 'member'],
    ])
    const hello = (await cy.api.post<MessageDto>(`/api/messages/${groupId}`, { content: 'welcome bob', sender_id: cy.user.user_id })).body
    await until('the group message', () => got.some((m) => m.message_id === hello.message_id))
    // Bob got the notice of his being added, then the message: not the group's earlier notice.
    expect(got.filter((m) => m.conversation_id === groupId).map((m) => [m.content, m.system?.type ?? null])).toEqual([
      ['ada added bob', 'added'],
      ['welcome bob', null],
    ])
  })

  it('catches up on a group it was added to while away, and on nothing after it was removed', async () => {
    const srv = await server()
    const { ada, bob, conversationId } = await pair(srv.url)
    const store = await goneAway(srv, ada, bob, conversationId)

    // Away: added to a group, written to, removed, and the group goes on without him.
    const groupId = (await ada.api.post<ConversationDto>('/api/groups', { title: 'Team', member_ids: [bob.user.user_id] })).body.conversation_id
    const inGroup = (await ada.api.post<MessageDto>(`/api/messages/${groupId}`, { content: 'for bob too', sender_id: ada.user.user_id })).body
    expect((await ada.api.request('DELETE', `/api/conversations/${groupId}/members/${bob.user.user_id}`)).status).toBe(200)
    const after = (await ada.api.post<MessageDto>(`/api/messages/${groupId}`, { content: 'not for bob', sender_id: ada.user.user_id })).body

    const back = await client(srv.url, bob, { store })
    const got = received(back)
    back.connect()
    const sentinel = (await ada.api.post<MessageDto>(`/api/messages/${conversationId}`, { content: 'sentinel', sender_id: ada.user.user_id })).body
    await until('the sentinel', () => got.some((m) => m.message_id === sentinel.message_id))
    expect(got.map((m) => [m.content, m.system?.type ?? null])).toEqual([
      ['ada created the group “Team”', 'created'],
      ['for bob too', null],
      ['ada removed bob', 'removed'],
      ['sentinel', null],
    ])
    expect(got.map((m) => m.message_id)).not.toContain(after.message_id)
    expect(got.map((m) => m.message_id)).toContain(inGroup.message_id)
  })
})

describe('connection', () => {
  it('rejoins its conversations after a reconnect', async () => {
    const first = await server()
    const { ada, bob, conversationId } = await pair(first.url)
    const port = Number(new URL(first.url).port)
    const a = await client(first.url, ada)
    a.connect()
    await until('online', () => a.status.state === 'online')
    expect(await a.joinConversation(conversationId)).toEqual([ada.user.user_id])
    await first.close({ keepData: true })
    servers.splice(servers.indexOf(first), 1)
    const second = await server({ dataDir: first.dataDir, port })
    await until('back online', () => a.status.state === 'online')
    await until('ada back in the conversation', async () => (await second.server.io.in(rooms.conversation(conversationId)).fetchSockets()).length === 1)
    const b = await client(second.url, bob)
    b.connect()
    await until('b online', () => b.status.state === 'online')
    expect(await b.joinConversation(conversationId)).toEqual([ada.user.user_id, bob.user.user_id].sort((x, y) => x - y))
  })

  it('reports a refused token as auth_error and stops trying', async () => {
    const srv = await server()
    const who = await person(srv.url, 'who')
    const c = await client(srv.url, { ...who, token: 'expired-or-forged' })
    const errors: string[] = []
    c.on('session_ended', (e) => errors.push(e.code))
    c.connect()
    await until('auth error', () => errors.length > 0)
    // No retry: none within twice the longest delay the client waits between tries (500 ms here).
    await sleep(2 * 500)
    expect(errors).toEqual(['unauthorized'])
    expect(c.status.state).toBe('offline')
  })
})

describe('listeners', () => {
  it('one that throws does not stop the client: the others get every message, and each error is reported', async () => {
    const srv = await server()
    const { ada, bob, conversationId } = await pair(srv.url)
    const errors: string[] = []
    const c = await client(srv.url, bob, { onListenerError: (error, event) => errors.push(`${event}: ${(error as Error).message}`) })
    c.on('new_message', () => {
      throw new Error('broken listener')
    })
    const got = received(c)
    c.connect()
    await until('online', () => c.status.state === 'online')
    for (let i = 0; i < 3; i++) await ada.api.post(`/api/messages/${conversationId}`, { content: `m${i}`, sender_id: ada.user.user_id })
    await until('all three', () => got.length === 3)
    expect(got.map((m) => m.content)).toEqual(['m0', 'm1', 'm2'])
    expect(errors).toEqual(Array(3).fill('new_message: broken listener'))
  })
})
