// Three server processes on one PostgreSQL and one Redis: whatever node a person's sockets are on,
// every message reaches each of them once; rooms, presence and rate limits are the cluster's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ConversationDto, MessageDto } from '../../electron/shared/dto'
import { Api, person, type Person } from '../helpers/api'
import { clusterForFile, startCluster, type Cluster } from '../helpers/cluster'
import { call, collect, connect, next, type TestSocket } from '../helpers/sockets'
import { until } from '../helpers/wait'

const { url: on } = clusterForFile(3)
const as = (who: Person, node: number) => new Api(on(node), who.token)

async function converse(a: Person, b: Person, node: number): Promise<number> {
  return ((await as(a, node).post<ConversationDto>('/api/conversations', { participant1_id: a.user.user_id, participant2_id: b.user.user_id })).body).conversation_id
}

describe('three nodes', () => {
  it('delivers every message to every member’s sockets exactly once, whatever node each is on', async () => {
    const [ada, bob, cyd] = [await person(on(0), 'ada'), await person(on(1), 'bob'), await person(on(2), 'cyd')]
    const conversations = [
      { id: await converse(ada, bob, 0), members: [ada, bob] },
      { id: await converse(bob, cyd, 1), members: [bob, cyd] },
      { id: await converse(cyd, ada, 2), members: [cyd, ada] },
    ]
    // Each person has two sockets, on two different nodes, and joins their conversations on both.
    const sockets: { who: Person; socket: TestSocket; got: MessageDto[] }[] = []
    for (const [i, who] of [ada, bob, cyd].entries()) {
      for (const node of [i, (i + 1) % 3]) {
        const socket = await connect(on(node), who.token)
        sockets.push({ who, socket, got: collect<MessageDto>(socket, 'new_message') })
        for (const c of conversations.filter((c) => c.members.includes(who))) expect((await call(socket, 'join_conversation', { conversation_id: c.id, user_id: who.user.user_id })).ok).toBe(true)
      }
    }
    // 30 messages per conversation, each sent through a node picked in turn, over REST or a socket.
    const sent = new Map<number, number[]>()
    let k = 0
    for (const c of conversations) {
      for (let i = 0; i < 30; i++, k++) {
        const sender = c.members[i % 2]!
        const body = { conversation_id: c.id, content: `m${k}`, sender_id: sender.user.user_id, client_id: `cluster-${k}` }
        const message: MessageDto =
          k % 2 === 0
            ? (await as(sender, k % 3).post(`/api/messages/${c.id}`, body)).body
            : (await call(sockets.find((s) => s.who === sender)!.socket, 'send_message', body)).message
        sent.set(c.id, [...(sent.get(c.id) ?? []), message.message_id])
      }
    }
    const expectedFor = (who: Person): number[] => conversations.filter((c) => c.members.includes(who)).flatMap((c) => sent.get(c.id)!)
    for (const s of sockets) await until(`${s.who.user.username}'s messages`, () => s.got.length >= expectedFor(s.who).length)
    // Then one more message per conversation through each node: once a socket has those, a second
    // copy of anything earlier, local or from across Redis, would have reached it too.
    const lasts = new Set<number>()
    for (const c of conversations) {
      for (let node = 0; node < 3; node++) {
        const sender = c.members[0]!
        const last = (await as(sender, node).post<MessageDto>(`/api/messages/${c.id}`, { content: `last via ${node}`, sender_id: sender.user.user_id })).body
        sent.get(c.id)!.push(last.message_id)
        lasts.add(last.message_id)
      }
    }
    for (const s of sockets) {
      const awaited = expectedFor(s.who).filter((id) => lasts.has(id))
      await until(`${s.who.user.username}'s last messages`, () => awaited.every((id) => s.got.some((m) => m.message_id === id)))
    }
    for (const s of sockets) {
      const ids = s.got.map((m) => m.message_id)
      expect(new Set(ids).size, 'no duplicates').toBe(ids.length)
      expect([...ids].sort((a, b) => a - b)).toEqual([...expectedFor(s.who)].sort((a, b) => a - b))
    }
    console.log(`three nodes: ${k + lasts.size} messages, ${sockets.length} sockets on 3 nodes, ${sockets.reduce((n, s) => n + s.got.length, 0)} deliveries, each once`)
  })

  it('agrees on user_joined, activeUsers and presence across nodes', async () => {
    const [ada, bob] = [await person(on(0), 'ada'), await person(on(1), 'bob')]
    const id = await converse(ada, bob, 2)
    const a = await connect(on(0), ada.token)
    const b = await connect(on(1), bob.token)
    expect((await call(a, 'join_conversation', { conversation_id: id, user_id: ada.user.user_id })).activeUsers).toEqual([ada.user.user_id])
    const joined = next<{ user_id: number; activeUsers: number[] }>(a, 'user_joined', (e) => e.user_id === bob.user.user_id)
    const answer = await call(b, 'join_conversation', { conversation_id: id, user_id: bob.user.user_id })
    const both = [ada.user.user_id, bob.user.user_id].sort((x, y) => x - y)
    expect(answer.activeUsers).toEqual(both)
    expect((await joined).activeUsers).toEqual(both)
    // Presence: Ada, on node 0, sees Bob, on node 1, online; then offline when his socket goes.
    expect((await call(a, 'get_presence', { user_ids: [bob.user.user_id] })).online).toEqual([bob.user.user_id])
    const offline = next<{ user_id: number; online: boolean }>(a, 'presence', (e) => e.user_id === bob.user.user_id && !e.online)
    b.disconnect()
    await offline
    expect((await call(a, 'get_presence', { user_ids: [bob.user.user_id] })).online).toEqual([])
    // Typing crosses nodes too.
    const b2 = await connect(on(2), bob.token)
    const typing = next<{ user_id: number; is_typing: boolean }>(a, 'typing', (e) => e.user_id === bob.user.user_id)
    await call(b2, 'typing', { conversation_id: id, is_typing: true })
    expect((await typing).is_typing).toBe(true)
  })

  it('gives one conversation for 20 simultaneous create-or-get calls spread over the nodes', async () => {
    const [ada, bob] = [await person(on(0), 'ada'), await person(on(1), 'bob')]
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => {
        const [me, other] = i % 2 ? [ada, bob] : [bob, ada]
        return as(me, i % 3).post<ConversationDto>('/api/conversations', { participant1_id: me.user.user_id, participant2_id: other.user.user_id })
      }),
    )
    expect(answers.every((r) => r.status === 200 || r.status === 201)).toBe(true)
    expect(new Set(answers.map((r) => r.body.conversation_id)).size).toBe(1)
  })

  it('serves a file uploaded on one node from the others (one shared storage folder)', async () => {
    const [ada, bob] = [await person(on(0), 'ada'), await person(on(1), 'bob')]
    const id = await converse(ada, bob, 0)
    const form = new FormData()
    form.append('file', new Blob(['shared across nodes']), 'notes.txt')
    const file = (await as(ada, 0).request('POST', '/api/files', form)).body
    await as(ada, 1).post(`/api/messages/${id}`, { content: 'see file', sender_id: ada.user.user_id, attachments: [file] })
    const res = await fetch(`${on(2)}${file.file_url}`, { headers: { authorization: `Bearer ${bob.token}` } })
    expect(res.status).toBe(200)
    expect(await res.text()).toBe('shared across nodes')
  })
})

describe('rate limits across nodes', () => {
  let strict: Cluster
  beforeAll(async () => {
    strict = await startCluster(2, { SWITCHBOARD_SEND_RATE: '10/60' })
  }, 120_000)
  afterAll(async () => {
    await strict?.close()
  })

  it('counts a sender’s messages on every node together', async () => {
    const ada = await person(strict.nodes[0]!.url, 'ada')
    const bob = await person(strict.nodes[0]!.url, 'bob')
    const id = ((await new Api(strict.nodes[0]!.url, ada.token).post('/api/conversations', { participant1_id: ada.user.user_id, participant2_id: bob.user.user_id })).body as ConversationDto).conversation_id
    const statuses: number[] = []
    for (let i = 0; i < 16; i++) {
      const node = strict.nodes[i % 2]!.url
      statuses.push((await new Api(node, ada.token).post(`/api/messages/${id}`, { content: `n${i}`, sender_id: ada.user.user_id })).status)
    }
    // Ten allowed in all, not ten per node.
    expect(statuses.filter((s) => s === 201)).toHaveLength(10)
    expect(statuses.filter((s) => s === 429)).toHaveLength(6)
    // Bob is not affected.
    expect((await new Api(strict.nodes[1]!.url, bob.token).post(`/api/messages/${id}`, { content: 'fine', sender_id: bob.user.user_id })).status).toBe(201)
  })
})
