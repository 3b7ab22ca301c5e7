import { afterAll, afterEach, beforeAll, expect, it } from 'vitest'
import type { MessageDto } from '../../electron/shared/dto'
import { pair, person } from '../helpers/api'
import { noLimits, startServer, type TestServer } from '../helpers/server'
import { call, closeAllSockets, collect, connect, next } from '../helpers/sockets'

let srv: TestServer
beforeAll(async () => {
  srv = await startServer(noLimits)
})
afterEach(() => closeAllSockets())
afterAll(() => srv.close())

it('gives one conversation for 20 simultaneous create-or-get calls on the same pair, from both sides', async () => {
  const a = await person(srv.url, 'a')
  const b = await person(srv.url, 'b')
  const answers = await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      (i % 2 ? b : a).api.post('/api/conversations', {
        participant1_id: i % 3 ? a.user.user_id : b.user.user_id,
        participant2_id: i % 3 ? b.user.user_id : a.user.user_id,
      }),
    ),
  )
  const ids = new Set(answers.map((r) => r.body.conversation_id))
  expect(ids.size).toBe(1)
  expect(answers.filter((r) => r.status === 201)).toHaveLength(1)
  expect(answers.filter((r) => r.status === 200)).toHaveLength(19)
  const count = await srv.server.database.db.conversation.count({ where: { participants: { some: { user_id: a.user.user_id } } } })
  expect(count).toBe(1)
})

it('stays single when 20 create-or-get calls reach the service layer in the same tick', async () => {
  // Over HTTP the calls arrive a little apart; here every call reads "absent" before any writes,
  // so only the unique key and the retry after a conflict keep the conversation single.
  const a = await person(srv.url, 'a')
  const b = await person(srv.url, 'b')
  const results = await Promise.all(
    Array.from({ length: 20 }, (_, i) => srv.server.services.conversations.getOrCreateDirect(i % 2 ? a.user : b.user, a.user.user_id, b.user.user_id)),
  )
  expect(new Set(results.map((r) => r.conversation.conversation_id)).size).toBe(1)
  expect(results.filter((r) => r.created)).toHaveLength(1)
})

it('stores one message for one client_id sent 5 times at once over REST and socket mixed, and broadcasts it once', async () => {
  const { ada, bob, conversationId } = await pair(srv.url)
  const s1 = await connect(srv.url, ada.token)
  const s2 = await connect(srv.url, ada.token)
  const watcher = await connect(srv.url, bob.token)
  const seen = collect<MessageDto>(watcher, 'new_message')
  const body = { content: 'exactly once', sender_id: ada.user.user_id, client_id: 'mixed-retry-42' }
  const results = await Promise.all([
    ada.api.post(`/api/messages/${conversationId}`, body).then((r) => r.body as MessageDto),
    call(s1, 'send_message', { conversation_id: conversationId, ...body }).then((r) => r.message as MessageDto),
    ada.api.post(`/api/messages/${conversationId}`, body).then((r) => r.body as MessageDto),
    call(s2, 'send_message', { conversation_id: conversationId, ...body }).then((r) => r.message as MessageDto),
    call(s1, 'send_message', { conversation_id: conversationId, ...body }).then((r) => r.message as MessageDto),
  ])
  expect(new Set(results.map((m) => m.message_id)).size).toBe(1)
  const stored = await srv.server.database.db.message.count({ where: { conversation_id: conversationId } })
  expect(stored).toBe(1)
  // One more message after it: once the watcher has that, a second broadcast of the first would be there too.
  const later = next<MessageDto>(watcher, 'new_message', (m) => m.content === 'later')
  await ada.api.post(`/api/messages/${conversationId}`, { content: 'later', sender_id: ada.user.user_id })
  await later
  expect(seen.map((m) => m.content)).toEqual(['exactly once', 'later'])
})
