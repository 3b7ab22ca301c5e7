import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { MessageDto } from '../../electron/shared/dto'
import { pair, person, type Person } from '../helpers/api'
import { noLimits, startServer, type TestServer } from '../helpers/server'
import { call, closeAllSockets, collect, connect, next, refused } from '../helpers/sockets'

let srv: TestServer
let ada: Person
let bob: Person
let eve: Person
let conversationId: number

beforeAll(async () => {
  srv = await startServer(noLimits)
  ;({ ada, bob, conversationId } = await pair(srv.url))
  eve = await person(srv.url, 'eve')
})
afterEach(() => closeAllSockets())
afterAll(() => srv.close())

/** Ada and Eve's conversation: what Eve does receive, sent after what she must not, proves she did not. */
async function adaAndEve(): Promise<number> {
  return (await ada.api.post('/api/conversations', { participant1_id: ada.user.user_id, participant2_id: eve.user.user_id })).body.conversation_id
}

describe('handshake', () => {
  it('refuses a connection without a token, with a malformed one, or a forged one', async () => {
    for (const auth of [{}, { token: 'nope' }, { token: ada.token.slice(0, -4) + 'AAAA' }, { token: 42 }]) {
      const err = await refused(srv.url, auth)
      expect(err.message).toMatch(/unauthorized/)
      expect(err.data).toMatchObject({ code: 'unauthorized' })
    }
  })
})

describe('seed events', () => {
  it('join_conversation announces user_joined with activeUsers to the room', async () => {
    const a = await connect(srv.url, ada.token)
    const b = await connect(srv.url, bob.token)
    const joinedA = await call(a, 'join_conversation', { conversation_id: conversationId, user_id: ada.user.user_id })
    expect(joinedA).toEqual({ ok: true, activeUsers: [ada.user.user_id] })
    const seenByA = next(a, 'user_joined', (e) => e.user_id === bob.user.user_id)
    const joinedB = await call(b, 'join_conversation', { conversation_id: conversationId, user_id: bob.user.user_id })
    const both = [ada.user.user_id, bob.user.user_id].sort((x, y) => x - y)
    expect(joinedB).toEqual({ ok: true, activeUsers: both })
    expect(await seenByA).toEqual({ user_id: bob.user.user_id, conversation_id: conversationId, activeUsers: both })

    const left = next(a, 'user_left')
    expect(await call(b, 'leave_conversation', { conversation_id: conversationId, user_id: bob.user.user_id })).toEqual({ ok: true, activeUsers: [ada.user.user_id] })
    expect(await left).toEqual({ user_id: bob.user.user_id, conversation_id: conversationId, activeUsers: [ada.user.user_id] })
  })

  it('announces user_left when the last socket of a user disconnects', async () => {
    const a = await connect(srv.url, ada.token)
    const b = await connect(srv.url, bob.token)
    await call(a, 'join_conversation', { conversation_id: conversationId, user_id: ada.user.user_id })
    await call(b, 'join_conversation', { conversation_id: conversationId, user_id: bob.user.user_id })
    const left = next(a, 'user_left')
    b.disconnect()
    expect(await left).toEqual({ user_id: bob.user.user_id, conversation_id: conversationId, activeUsers: [ada.user.user_id] })
  })

  it('send_message acks after storing and broadcasts new_message to the room and to personal rooms', async () => {
    const a = await connect(srv.url, ada.token)
    const bInRoom = await connect(srv.url, bob.token)
    const bElsewhere = await connect(srv.url, bob.token) // another device of Bob's, not in the room
    const outsider = await connect(srv.url, eve.token)
    await call(bInRoom, 'join_conversation', { conversation_id: conversationId, user_id: bob.user.user_id })
    const leaked = collect(outsider, 'new_message')
    const inRoom = collect<MessageDto>(bInRoom, 'new_message')
    const atB = next<MessageDto>(bInRoom, 'new_message')
    const atBElsewhere = next<MessageDto>(bElsewhere, 'new_message')
    const ack = await call(a, 'send_message', { conversation_id: conversationId, content: 'over the socket', sender_id: ada.user.user_id, client_id: 'sock-1' })
    expect(ack.ok).toBe(true)
    expect(ack.duplicate).toBe(false)
    expect(ack.message).toMatchObject({ content: 'over the socket', sender: ada.user, client_id: 'sock-1', is_read: false })
    expect(await atB).toEqual(ack.message)
    expect(await atBElsewhere).toEqual(ack.message)
    // The message is stored by the time it is acked.
    const stored = (await bob.api.get<MessageDto[]>(`/api/messages/${conversationId}`)).body
    expect(stored.at(-1)).toEqual(ack.message)
    // A message after it in the room, and one to Eve: once they are here, a second copy or a leak would be too.
    const eveChat = await adaAndEve()
    const later = next<MessageDto>(bInRoom, 'new_message', (m) => m.content === 'later')
    const toEve = next<MessageDto>(outsider, 'new_message')
    await call(a, 'send_message', { conversation_id: conversationId, content: 'later', sender_id: ada.user.user_id })
    await call(a, 'send_message', { conversation_id: eveChat, content: 'to eve', sender_id: ada.user.user_id })
    await Promise.all([later, toEve])
    expect(inRoom.map((m) => m.content)).toEqual(['over the socket', 'later']) // room and personal room together deliver once
    expect(leaked.map((m: MessageDto) => m.content)).toEqual(['to eve'])
  })

  it('broadcasts a message sent over REST exactly like one sent over the socket', async () => {
    const b = await connect(srv.url, bob.token)
    const got = next<MessageDto>(b, 'new_message')
    const sent = await ada.api.post(`/api/messages/${conversationId}`, { content: 'over REST', sender_id: ada.user.user_id })
    expect(await got).toEqual(sent.body)
  })

  it('mark_as_read acks the read message and broadcasts message_read', async () => {
    const a = await connect(srv.url, ada.token)
    const b = await connect(srv.url, bob.token)
    const sent = await call(a, 'send_message', { conversation_id: conversationId, content: 'read me', sender_id: ada.user.user_id })
    const receipt = next<MessageDto>(a, 'message_read')
    const ack = await call(b, 'mark_as_read', { message_id: sent.message.message_id, conversation_id: conversationId })
    expect(ack).toMatchObject({ ok: true, message: { message_id: sent.message.message_id, is_read: true } })
    expect(await receipt).toMatchObject({ message_id: sent.message.message_id, is_read: true })
  })

  it('typing reaches the other participant only, not the typist', async () => {
    const a = await connect(srv.url, ada.token)
    const b = await connect(srv.url, bob.token)
    const o = await connect(srv.url, eve.token)
    const selfEcho = collect(a, 'typing')
    const leaked = collect(o, 'typing')
    const seen = next(b, 'typing')
    expect(await call(a, 'typing', { conversation_id: conversationId, is_typing: true })).toEqual({ ok: true })
    expect(await seen).toEqual({ conversation_id: conversationId, user_id: ada.user.user_id, is_typing: true })
    // Then Bob types to Ada, and Ada to Eve: once those are here, an echo or a leak would be too.
    const eveChat = await adaAndEve()
    const fromBob = next(a, 'typing')
    const toEve = next(o, 'typing')
    await call(b, 'typing', { conversation_id: conversationId, is_typing: true })
    await call(a, 'typing', { conversation_id: eveChat, is_typing: true })
    await Promise.all([fromBob, toEve])
    expect(selfEcho).toEqual([{ conversation_id: conversationId, user_id: bob.user.user_id, is_typing: true }])
    expect(leaked).toEqual([{ conversation_id: eveChat, user_id: ada.user.user_id, is_typing: true }])
    expect(await call(o, 'typing', { conversation_id: conversationId, is_typing: true })).toMatchObject({ ok: false, error: { code: 'forbidden' } })
  })

  it('tells contacts when a user comes online and goes offline, and answers get_presence', async () => {
    const a = await connect(srv.url, ada.token)
    const online = next(a, 'presence', (e) => e.user_id === bob.user.user_id && e.online)
    const b = await connect(srv.url, bob.token)
    expect(await online).toEqual({ user_id: bob.user.user_id, online: true })
    expect(await call(a, 'get_presence', { user_ids: [bob.user.user_id, eve.user.user_id] })).toEqual({ ok: true, online: [bob.user.user_id] })
    const offline = next(a, 'presence', (e) => e.user_id === bob.user.user_id && !e.online)
    b.disconnect()
    expect(await offline).toEqual({ user_id: bob.user.user_id, online: false })
  })
})

describe('socket guards', () => {
  it('refuses another user_id, a non-participant and a missing conversation', async () => {
    const a = await connect(srv.url, ada.token)
    const o = await connect(srv.url, eve.token)
    expect(await call(a, 'join_conversation', { conversation_id: conversationId, user_id: bob.user.user_id })).toMatchObject({ ok: false, error: { code: 'forbidden' } })
    expect(await call(o, 'join_conversation', { conversation_id: conversationId, user_id: eve.user.user_id })).toMatchObject({ ok: false, error: { code: 'forbidden' } })
    expect(await call(a, 'join_conversation', { conversation_id: 999_999, user_id: ada.user.user_id })).toMatchObject({ ok: false, error: { code: 'not_found' } })
    expect(await call(a, 'send_message', { conversation_id: conversationId, content: 'x', sender_id: bob.user.user_id })).toMatchObject({ ok: false, error: { code: 'forbidden' } })
    expect(await call(o, 'send_message', { conversation_id: conversationId, content: 'x', sender_id: eve.user.user_id })).toMatchObject({ ok: false, error: { code: 'forbidden' } })
    const own = await call(a, 'send_message', { conversation_id: conversationId, content: 'mine', sender_id: ada.user.user_id })
    expect(await call(a, 'mark_as_read', { message_id: own.message.message_id, conversation_id: conversationId })).toMatchObject({ ok: false, error: { code: 'forbidden' } })
    expect(await call(o, 'mark_as_read', { message_id: own.message.message_id, conversation_id: conversationId })).toMatchObject({ ok: false, error: { code: 'forbidden' } })
  })

  it.each([
    ['join_conversation', 'payload', null],
    ['join_conversation', 'conversation_id', { conversation_id: 'one', user_id: 1 }],
    ['send_message', 'content', { conversation_id: 1, sender_id: 1 }],
    ['send_message', 'content', { conversation_id: 1, sender_id: 1, content: 'x'.repeat(10_001) }],
    ['mark_as_read', 'message_id', { message_id: -3, conversation_id: 1 }],
    ['typing', 'is_typing', { conversation_id: 1, is_typing: 'yes' }],
    ['sync', 'after_message_id', { after_message_id: 'latest' }],
  ])('answers a malformed %s payload with a bad_request ack naming %s', async (event, field, payload) => {
    const a = await connect(srv.url, ada.token)
    const ack = await call(a, event as never, payload)
    expect(ack.ok).toBe(false)
    expect(ack.error.code).toBe('bad_request')
    expect(ack.error.message).toContain(field)
  })

  it('survives events without an acknowledgement callback', async () => {
    const a = await connect(srv.url, ada.token)
    ;(a as any).emit('send_message', { nonsense: true })
    ;(a as any).emit('typing', { conversation_id: conversationId, is_typing: true })
    expect(await call(a, 'get_presence', { user_ids: [] })).toEqual({ ok: true, online: [] })
  })
})
