// A clustered node stopped with SIGTERM while its clients send, type and join: it closes in order
// (sockets, the Redis adapter, Redis, the database) and exits 0 without an unhandled rejection from a
// Redis client that was already closed.
import { afterAll, expect, it } from 'vitest'
import type { ConversationDto } from '../../electron/shared/dto'
import { Api, person } from '../helpers/api'
import { startCluster, type Cluster, type Node } from '../helpers/cluster'
import { call, closeAllSockets, connect, type TestSocket } from '../helpers/sockets'

const IDLE_WINDOWS = 8

let cluster: Cluster | undefined
afterAll(async () => {
  closeAllSockets()
  await cluster?.close()
})

it('exits 0 on SIGTERM under traffic, with nothing unhandled', { timeout: 120_000 }, async () => {
  cluster = await startCluster(3)
  const [doomed, ...others] = cluster.nodes
  const url = doomed!.url
  const people = await Promise.all(Array.from({ length: 6 }, (_, i) => person(url, `p${i}`)))
  const conversations: number[] = []
  for (let i = 0; i < people.length; i += 2) {
    const [a, b] = [people[i]!, people[i + 1]!]
    conversations.push((await new Api(url, a.token).post<ConversationDto>('/api/conversations', { participant1_id: a.user.user_id, participant2_id: b.user.user_id })).body.conversation_id)
  }
  // Half of each pair on the node that will stop, half on the others: every broadcast crosses Redis.
  const sockets: { socket: TestSocket; conversationId: number }[] = []
  for (const [i, p] of people.entries()) {
    const node = i % 2 === 0 ? doomed! : others[i % others.length]!
    sockets.push({ socket: await connect(node.url, p.token, { reconnection: false }), conversationId: conversations[Math.floor(i / 2)]! })
  }
  for (const [i, { socket, conversationId }] of sockets.entries()) {
    expect((await call(socket, 'join_conversation', { conversation_id: conversationId, user_id: people[i]!.user.user_id })).ok).toBe(true)
  }
  // More windows of the same people in the conversation, idle: each one leaving asks the cluster who
  // is still in the room (as many requests in flight as the benchmark's crowd makes at its end).
  const idle: TestSocket[] = []
  for (const [i, p] of people.entries()) {
    for (let k = 0; k < IDLE_WINDOWS; k++) {
      const socket = await connect(others[(i + k) % others.length]!.url, p.token, { reconnection: false })
      expect((await call(socket, 'join_conversation', { conversation_id: conversations[Math.floor(i / 2)]!, user_id: p.user.user_id })).ok).toBe(true)
      idle.push(socket)
    }
  }

  // Each node's stderr from now on, and how it exits.
  const watch = (node: Node) => {
    const stderr: string[] = []
    node.process.stderr!.on('data', (d) => stderr.push(String(d)))
    const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
      node.process.once('exit', (code, signal) => resolve({ code, signal, stderr: stderr.join('') })),
    )
    return exit
  }
  const exits = cluster.nodes.map(watch)

  // Traffic that publishes through the adapter in every way: broadcasts (stream), typing and joins
  // (fetchSockets over pub/sub), disconnections (presence), until every node is gone.
  let acked = 0
  const traffic = sockets.map(async ({ socket, conversationId }, i) => {
    for (let n = 0; socket.connected; n++) {
      socket.emit('typing', { conversation_id: conversationId, is_typing: n % 2 === 0 }, () => {})
      const ack = await call(socket, n % 5 === 0 ? 'join_conversation' : 'send_message', n % 5 === 0
        ? { conversation_id: conversationId, user_id: people[i]!.user.user_id }
        : { conversation_id: conversationId, sender_id: people[i]!.user.user_id, content: `m${n}`, client_id: `c-${i}-${n}` }).catch(() => null)
      if (ack?.ok) acked += 1
    }
  })
  await expect.poll(() => acked, { timeout: 30_000 }).toBeGreaterThan(60)

  // One node leaves while the others carry on: it disconnects only its own sockets.
  doomed!.process.kill('SIGTERM')
  expect(await exits[0]).toEqual({ code: 0, signal: null, stderr: '' })
  expect(sockets.filter((_, i) => i % 2 === 1).every((s) => s.socket.connected)).toBe(true)
  const before = acked
  await expect.poll(() => acked, { timeout: 30_000 }).toBeGreaterThan(before + 30)

  // Then the rest stop together while their clients leave (each leaving asks the cluster whether
  // that person is still online somewhere), as the benchmark ends.
  for (const socket of [...idle, ...sockets.map((s) => s.socket)]) socket.disconnect()
  for (const node of others) node.process.kill('SIGTERM')
  for (const exit of exits.slice(1)) expect(await exit).toEqual({ code: 0, signal: null, stderr: '' })
  await Promise.all(traffic)
})
