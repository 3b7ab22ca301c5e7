import { afterAll, afterEach, beforeAll, expect, it } from 'vitest'
import type { MessageDto } from '../../electron/shared/dto'
import { pair, person } from '../helpers/api'
import { noLimits, startServer, type TestServer } from '../helpers/server'
import { call, closeAllSockets, collect, connect } from '../helpers/sockets'

let srv: TestServer
beforeAll(async () => {
  srv = await startServer(noLimits)
})
afterEach(() => closeAllSockets())
afterAll(() => srv.close())

it('delivers all 500 messages sent while a client was away, in order, on reconnect', async () => {
  const { ada, bob, conversationId } = await pair(srv.url)
  // Bob also has a second conversation, whose traffic interleaves.
  const carol = await person(srv.url, 'carol')
  const other = (await carol.api.post('/api/conversations', { participant1_id: carol.user.user_id, participant2_id: bob.user.user_id })).body.conversation_id

  const first = await connect(srv.url, bob.token)
  const live = collect<MessageDto>(first, 'new_message')
  await ada.api.post(`/api/messages/${conversationId}`, { content: 'before', sender_id: ada.user.user_id })
  await expect.poll(() => live.length).toBe(1)
  const lastSeen = live[0]!.message_id
  first.disconnect()

  const sent: number[] = []
  for (let i = 0; i < 500; i++) {
    const [who, where] = i % 5 === 4 ? [carol, other] : [ada, conversationId]
    const res = await who.api.post(`/api/messages/${where}`, { content: `missed ${i}`, sender_id: who.user.user_id, client_id: `away-${i}` })
    sent.push(res.body.message_id)
  }

  const back = await connect(srv.url, bob.token)
  const caught: MessageDto[] = []
  let after = lastSeen
  for (;;) {
    const page = await call(back, 'sync', { after_message_id: after, limit: 120 })
    expect(page.ok).toBe(true)
    caught.push(...page.messages)
    if (!page.has_more) break
    after = page.messages.at(-1).message_id
  }
  expect(caught.map((m) => m.message_id)).toEqual(sent)
  expect(caught.map((m) => m.content)).toEqual(Array.from({ length: 500 }, (_, i) => `missed ${i}`))
})

it('tells a returning sender how far the other side has read', async () => {
  const { ada, bob, conversationId } = await pair(srv.url)
  const m = (await ada.api.post(`/api/messages/${conversationId}`, { content: 'did you read it?', sender_id: ada.user.user_id })).body
  await bob.api.patch(`/api/messages/${m.message_id}`, { is_read: true })
  const s = await connect(srv.url, ada.token)
  const page = await call(s, 'sync', { after_message_id: m.message_id })
  expect(page.messages).toEqual([])
  expect(page.read_states).toContainEqual({ conversation_id: conversationId, user_id: bob.user.user_id, last_read_message_id: m.message_id })
})

it('never hands a user messages of conversations they are not in', async () => {
  const one = await pair(srv.url)
  const two = await pair(srv.url)
  await one.ada.api.post(`/api/messages/${one.conversationId}`, { content: 'private', sender_id: one.ada.user.user_id })
  const s = await connect(srv.url, two.bob.token)
  const page = await call(s, 'sync', { after_message_id: 0 })
  expect(page.messages.filter((m: MessageDto) => m.conversation_id === one.conversationId)).toEqual([])
})
