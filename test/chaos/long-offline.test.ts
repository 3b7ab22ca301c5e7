import { afterAll, expect, it } from 'vitest'
import { Seeder } from '../../bench/lib/seed'
import { ChatClient } from '../../electron/client/chat-client'
import { MemoryStore } from '../../electron/client/store'
import type { MessageDto } from '../../electron/shared/dto'
import { Api } from '../helpers/api'
import { seededRandom, testSeed } from '../helpers/random'
import { noLimits, startServer, tempDir, type TestServer } from '../helpers/server'
import { until } from '../helpers/wait'

const SEED = testSeed()

let srv: TestServer
afterAll(() => srv.close())

it(`a client cut off while 2,000 messages arrive in 20 conversations catches up completely and in order; its queued sends go out once (seed ${SEED}: SWITCHBOARD_SEED replays it)`, async () => {
  const random = seededRandom(SEED)
  const dataDir = tempDir()
  const seed = await Seeder.open(dataDir)
  const [me, ...peers] = await seed.users(21, 'offline')
  const conversations = peers.map((p) => seed.conversation(me!.user_id, p.user_id))
  seed.close()
  srv = await startServer({ ...noLimits, dataDir })

  const store = new MemoryStore()
  const open = () => ChatClient.open({ url: srv.url, token: me!.token, user: { user_id: me!.user_id, username: 'offline0', display_name: 'me' }, store, sleepCheckMs: 0, reconnectDelayMs: 50 })
  const before = await open()
  before.connect()
  await until('online', () => before.status.state === 'online')
  await before.close() // the laptop lid closes

  // While away: 30 sends of our own to conversations picked at random; then 100 messages in each of
  // the 20 conversations, interleaved in a random order (each conversation's own in sequence).
  const away = await open()
  const mine = []
  for (let i = 0; i < 30; i++) mine.push((await away.send(conversations[random.int(0, 19)]!, `mine ${i}`)).client_id)
  const order = random.shuffle(Array.from({ length: 2000 }, (_, i) => i % 20))
  const rounds = conversations.map(() => 0)
  const sent: number[] = []
  for (const c of order) {
    const peer = peers[c]!
    const res = await new Api(srv.url, peer.token).post(`/api/messages/${conversations[c]}`, { content: `from ${c}: ${rounds[c]!++}`, sender_id: peer.user_id })
    sent.push(res.body.message_id)
  }

  // Back online.
  const got: MessageDto[] = []
  away.on('new_message', (m) => m.sender_id !== me!.user_id && got.push(m))
  away.connect()
  await until('caught up, outbox empty', () => got.length >= 2000 && away.outbox.length === 0, { timeoutMs: 60_000, state: () => `caught up ${got.length} of 2000, ${away.outbox.length} still queued` })
  // One more message once caught up: when it is here, a duplicate of anything earlier would be too.
  const last = await new Api(srv.url, peers[0]!.token).post(`/api/messages/${conversations[0]}`, { content: 'last', sender_id: peers[0]!.user_id })
  await until('the last message', () => got.some((m) => m.message_id === last.body.message_id))
  expect(got.map((m) => m.message_id)).toEqual([...sent, last.body.message_id]) // all of them, each once, in order
  const stored = await srv.server.database.db.message.findMany({ where: { sender_id: me!.user_id }, orderBy: { message_id: 'asc' } })
  expect(stored.map((m) => m.client_id)).toEqual(mine) // our own, each once, in the order sent
  await away.close()
})
