import { afterAll, expect, it } from 'vitest'
import { Seeder } from '../../bench/lib/seed'
import { ChatClient } from '../../electron/client/chat-client'
import { MemoryStore } from '../../electron/client/store'
import type { MessageDto } from '../../electron/shared/dto'
import { Api } from '../helpers/api'
import { noLimits, startServer, tempDir, type TestServer } from '../helpers/server'
import { sleep } from '../helpers/sockets'

let srv: TestServer
afterAll(() => srv.close())

it('a client cut off while 2,000 messages arrive in 20 conversations catches up completely and in order; its queued sends go out once', async () => {
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
  while (before.status.state !== 'online') await sleep(20)
  await before.close() // the laptop lid closes

  // While away: 100 messages in each of the 20 conversations, interleaved; and 30 sends of our own.
  const away = await open()
  const mine = []
  for (let i = 0; i < 30; i++) mine.push((await away.send(conversations[i % 20]!, `mine ${i}`)).client_id)
  const sent: number[] = []
  for (let round = 0; round < 100; round++) {
    for (let c = 0; c < 20; c++) {
      const peer = peers[c]!
      const res = await new Api(srv.url, peer.token).post(`/api/messages/${conversations[c]}`, { content: `from ${c}: ${round}`, sender_id: peer.user_id })
      sent.push(res.body.message_id)
    }
  }

  // Back online.
  const got: MessageDto[] = []
  away.on('message', (m) => m.sender_id !== me!.user_id && got.push(m))
  away.connect()
  const deadline = Date.now() + 60_000
  while (got.length < 2000 || away.outbox.length > 0) {
    if (Date.now() > deadline) throw new Error(`caught up ${got.length} of 2000, ${away.outbox.length} still queued`)
    await sleep(50)
  }
  await sleep(300)
  expect(got.map((m) => m.message_id)).toEqual(sent) // all of them, each once, in order
  const stored = await srv.server.database.db.message.findMany({ where: { sender_id: me!.user_id }, orderBy: { message_id: 'asc' } })
  expect(stored.map((m) => m.client_id)).toEqual(mine) // our own, each once, in the order sent
  await away.close()
})
