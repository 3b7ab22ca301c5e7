import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ConversationDto, MessageDto } from '../../electron/shared/dto'
import { Api, pair, person, type Person } from '../helpers/api'
import { noLimits, startServer, type TestServer } from '../helpers/server'
import { rendererCsp } from '../../electron/shared/csp'

let srv: TestServer
let anon: Api
let ada: Person
let bob: Person
let eve: Person
let conversationId: number

beforeAll(async () => {
  srv = await startServer(noLimits)
  anon = new Api(srv.url)
  ;({ ada, bob, conversationId } = await pair(srv.url))
  eve = await person(srv.url, 'eve')
})
afterAll(() => srv.close())

describe('auth', () => {
  it('registers, logs in case-insensitively, and answers /api/me', async () => {
    const reg = await anon.post('/api/auth/register', { username: 'Grace_H', password: 'hopper-1906', display_name: 'Grace Hopper' })
    expect(reg.status).toBe(201)
    expect(reg.body.user).toEqual({ user_id: expect.any(Number), username: 'grace_h', display_name: 'Grace Hopper' })
    expect(reg.body.user).not.toHaveProperty('password_hash')
    const login = await anon.post('/api/auth/login', { username: 'GRACE_h', password: 'hopper-1906' })
    expect(login.status).toBe(200)
    const me = await anon.as(login.body.token).get('/api/me')
    expect(me.body).toEqual(reg.body.user)
  })

  it('refuses a taken username whatever its case, with 409', async () => {
    const res = await anon.post('/api/auth/register', { username: ada.user.username.toUpperCase(), password: 'whatever-123' })
    expect(res.status).toBe(409)
    expect(res.body.error).toMatchObject({ code: 'conflict', field: 'username' })
  })

  it('answers bad credentials with 401 and the same message for unknown users', async () => {
    const wrong = await anon.post('/api/auth/login', { username: ada.user.username, password: 'not-the-password' })
    const unknown = await anon.post('/api/auth/login', { username: 'nobody-at-all', password: 'not-the-password' })
    expect(wrong.status).toBe(401)
    expect(unknown.status).toBe(401)
    expect(wrong.body.error.message).toBe(unknown.body.error.message)
  })

  it.each([
    [{}, 'username', 'is required'],
    [{ username: 'ab', password: 'long-enough' }, 'username', 'at least 3'],
    [{ username: 'has space', password: 'long-enough' }, 'username', 'may contain only'],
    [{ username: 'okname', password: 'short' }, 'password', 'at least 8'],
    [{ username: 'okname', password: 12345678 }, 'password', 'must be text'],
    [{ username: 'okname', password: 'long-enough', display_name: '   ' }, 'display_name', 'must not be empty'],
  ])('rejects register body %j naming %s', async (body, field, words) => {
    const res = await anon.post('/api/auth/register', body)
    expect(res.status).toBe(400)
    expect(res.body.error.field).toBe(field)
    expect(res.body.error.message).toContain(words)
  })

  it('rejects malformed JSON with a clear 400', async () => {
    const res = await anon.request('POST', '/api/auth/login', '{"username":', { 'content-type': 'application/json' })
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('bad_request')
  })

  it('answers health without a token', async () => {
    const res = await anon.get('/api/health')
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ status: 'ok', version: expect.any(String) })
  })
})

describe('every protected route needs a valid token', () => {
  const routes: [string, string, unknown?][] = [
    ['GET', '/api/me'],
    ['GET', '/api/users?query=a'],
    ['GET', '/api/conversations/1'],
    ['POST', '/api/conversations', { participant1_id: 1, participant2_id: 2 }],
    ['GET', '/api/messages/1'],
    ['POST', '/api/messages/1', { content: 'x', sender_id: 1 }],
    ['PATCH', '/api/messages/1', { is_read: true }],
    ['POST', '/api/files'],
    ['GET', '/api/files/00000000-0000-0000-0000-000000000000'],
  ]
  const forged =
    'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIiwiaWF0IjoxNzAwMDAwMDAwLCJleHAiOjQ4NTUwMDAwMDB9.c2lnbmF0dXJlLW9mLWFub3RoZXIta2V5LXh4eHh4eHh4eHg'
  it.each(routes)('%s %s: 401 with no token, a malformed one and a forged one', async (method, path, body) => {
    for (const token of [undefined, 'not-a-jwt', forged]) {
      const res = await anon.as(token).request(method, path, body)
      expect(res.status, `${method} ${path} with ${token}`).toBe(401)
      expect(res.body.error.code).toBe('unauthorized')
    }
  })
})

describe('users', () => {
  it('finds people by username or display name, never the caller', async () => {
    const res = await ada.api.get(`/api/users?query=${encodeURIComponent(bob.user.username.slice(0, 6))}`)
    expect(res.status).toBe(200)
    expect(res.body.map((u: { user_id: number }) => u.user_id)).toContain(bob.user.user_id)
    expect(res.body.map((u: { user_id: number }) => u.user_id)).not.toContain(ada.user.user_id)
    expect(res.body[0]).not.toHaveProperty('password_hash')
  })
})

describe('conversations', () => {
  it('creates once (201) and then returns the same one (200) from either side', async () => {
    const a = await person(srv.url, 'p')
    const b = await person(srv.url, 'q')
    const first = await a.api.post('/api/conversations', { participant1_id: a.user.user_id, participant2_id: b.user.user_id })
    const again = await b.api.post('/api/conversations', { participant1_id: b.user.user_id, participant2_id: a.user.user_id })
    expect(first.status).toBe(201)
    expect(again.status).toBe(200)
    expect(again.body.conversation_id).toBe(first.body.conversation_id)
    expect(first.body.participants.map((u: { user_id: number }) => u.user_id).sort()).toEqual([a.user.user_id, b.user.user_id].sort())
  })

  it('refuses conversations the caller is not part of, with itself, or with nobody', async () => {
    expect((await eve.api.post('/api/conversations', { participant1_id: ada.user.user_id, participant2_id: bob.user.user_id })).status).toBe(403)
    expect((await eve.api.post('/api/conversations', { participant1_id: eve.user.user_id, participant2_id: eve.user.user_id })).status).toBe(400)
    expect((await eve.api.post('/api/conversations', { participant1_id: eve.user.user_id, participant2_id: 999_999 })).status).toBe(404)
    const bad = await eve.api.post('/api/conversations', { participant1_id: eve.user.user_id, participant2_id: '2' })
    expect(bad.status).toBe(400)
    expect(bad.body.error.field).toBe('participant2_id')
  })

  it('lists the caller’s conversations newest first with participants, latest message and unread count', async () => {
    const carol = await person(srv.url, 'carol')
    const older = (await carol.api.post('/api/conversations', { participant1_id: carol.user.user_id, participant2_id: ada.user.user_id })).body
    const newer = (await carol.api.post('/api/conversations', { participant1_id: carol.user.user_id, participant2_id: bob.user.user_id })).body
    await ada.api.post(`/api/messages/${older.conversation_id}`, { content: 'one', sender_id: ada.user.user_id })
    await ada.api.post(`/api/messages/${older.conversation_id}`, { content: 'two', sender_id: ada.user.user_id })
    await carol.api.post(`/api/messages/${newer.conversation_id}`, { content: 'mine', sender_id: carol.user.user_id })
    let list = (await carol.api.get<ConversationDto[]>(`/api/conversations/${carol.user.user_id}`)).body
    expect(list.map((c) => c.conversation_id)).toEqual([newer.conversation_id, older.conversation_id])
    expect(list[0]).toMatchObject({ unread_count: 0, messages: [{ content: 'mine' }] })
    expect(list[1]).toMatchObject({ unread_count: 2, messages: [{ content: 'two', sender: { user_id: ada.user.user_id } }] })
    // A new message moves the older conversation to the top.
    await ada.api.post(`/api/messages/${older.conversation_id}`, { content: 'three', sender_id: ada.user.user_id })
    list = (await carol.api.get<ConversationDto[]>(`/api/conversations/${carol.user.user_id}`)).body
    expect(list.map((c) => c.conversation_id)).toEqual([older.conversation_id, newer.conversation_id])
    expect(list[0]?.unread_count).toBe(3)
  })

  it('lists an empty inbox as []', async () => {
    const loner = await person(srv.url, 'loner')
    expect((await loner.api.get(`/api/conversations/${loner.user.user_id}`)).body).toEqual([])
  })

  it("refuses to list someone else's conversations", async () => {
    const res = await eve.api.get(`/api/conversations/${ada.user.user_id}`)
    expect(res.status).toBe(403)
    expect((await eve.api.get('/api/conversations/abc')).status).toBe(400)
  })
})

describe('messages', () => {
  it('sends with the seed shape, 201, and lists ascending', async () => {
    const sent = await ada.api.post<MessageDto>(`/api/messages/${conversationId}`, { content: 'Hello!', sender_id: ada.user.user_id })
    expect(sent.status).toBe(201)
    expect(sent.body).toEqual({
      message_id: expect.any(Number),
      conversation_id: conversationId,
      sender_id: ada.user.user_id,
      content: 'Hello!',
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      is_read: false,
      client_id: null,
      sender: ada.user,
      attachments: [],
      system: null,
      reply_to: null,
      edited_at: null,
      deleted_at: null,
      reactions: [],
    })
    await bob.api.post(`/api/messages/${conversationId}`, { content: 'Hi Ada', sender_id: bob.user.user_id })
    const list = (await bob.api.get<MessageDto[]>(`/api/messages/${conversationId}`)).body
    const times = list.map((m) => m.created_at)
    expect([...times].sort()).toEqual(times)
    expect(list.at(-1)?.content).toBe('Hi Ada')
  })

  it('keeps user text exactly as text', async () => {
    const content = '<img src=x onerror=alert(1)> & "quotes" \u202Eright-to-left'
    const sent = await ada.api.post(`/api/messages/${conversationId}`, { content, sender_id: ada.user.user_id })
    expect(sent.body.content).toBe(content)
  })

  it('strips control characters other than tab and newline', async () => {
    const sent = await ada.api.post(`/api/messages/${conversationId}`, { content: 'a\u0000b\u0007c\td\ne', sender_id: ada.user.user_id })
    expect(sent.body.content).toBe('abc\td\ne')
  })

  it('refuses a wrong sender_id, a non-participant and a missing conversation', async () => {
    const wrongSender = await ada.api.post(`/api/messages/${conversationId}`, { content: 'x', sender_id: bob.user.user_id })
    expect(wrongSender.status).toBe(403)
    const outsider = await eve.api.post(`/api/messages/${conversationId}`, { content: 'x', sender_id: eve.user.user_id })
    expect(outsider.status).toBe(403)
    expect((await eve.api.get(`/api/messages/${conversationId}`)).status).toBe(403)
    expect((await ada.api.get('/api/messages/999999')).status).toBe(404)
    expect((await ada.api.post('/api/messages/999999', { content: 'x', sender_id: ada.user.user_id })).status).toBe(404)
  })

  it.each([
    [{ sender_id: 1 }, 'content', 'is required'],
    [{ content: '', sender_id: 1 }, 'content', 'must not be empty'],
    [{ content: '   ', sender_id: 1 }, 'content', 'must not be empty'],
    [{ content: 'x'.repeat(10_001), sender_id: 1 }, 'content', 'at most 10000'],
    [{ content: 'x' }, 'sender_id', 'is required'],
    [{ content: 'x', sender_id: -1 }, 'sender_id', 'positive'],
    [{ content: 'x', sender_id: 1.5 }, 'sender_id', 'whole number'],
    [{ content: 'x', sender_id: 1, client_id: '' }, 'client_id', 'must not be empty'],
    [{ content: 'x', sender_id: 1, attachments: 'no' }, 'attachments', 'must be a list'],
    [{ content: 'x', sender_id: 1, attachments: [{}] }, 'attachments.0.file_url', 'is required'],
  ])('rejects message body %j naming %s, storing nothing', async (body, field, words) => {
    const before = (await ada.api.get<MessageDto[]>(`/api/messages/${conversationId}?limit=200`)).body.length
    const res = await ada.api.post(`/api/messages/${conversationId}`, body)
    expect(res.status).toBe(400)
    expect(res.body.error.field).toBe(field)
    expect(res.body.error.message).toContain(words)
    expect((await ada.api.get<MessageDto[]>(`/api/messages/${conversationId}?limit=200`)).body.length).toBe(before)
  })

  it('returns the first message for a repeated client_id and refuses it in another conversation', async () => {
    const body = { content: 'once', sender_id: ada.user.user_id, client_id: 'rest-retry-1' }
    const first = await ada.api.post(`/api/messages/${conversationId}`, body)
    const again = await ada.api.post(`/api/messages/${conversationId}`, { ...body, content: 'changed' })
    expect(first.status).toBe(201)
    expect(again.status).toBe(200)
    expect(again.body).toEqual(first.body)
    const other = (await ada.api.post('/api/conversations', { participant1_id: ada.user.user_id, participant2_id: eve.user.user_id })).body
    const elsewhere = await ada.api.post(`/api/messages/${other.conversation_id}`, body)
    expect(elsewhere.status).toBe(409)
    expect(elsewhere.body.error.field).toBe('client_id')
  })

  it('validates paging parameters', async () => {
    for (const q of ['limit=0', 'limit=201', 'limit=abc', 'before=-1', 'before=x']) {
      const res = await ada.api.get(`/api/messages/${conversationId}?${q}`)
      expect(res.status, q).toBe(400)
    }
  })

  it('lets only a recipient mark a message read, and marks what came before it too', async () => {
    const m1 = (await ada.api.post<MessageDto>(`/api/messages/${conversationId}`, { content: 'r1', sender_id: ada.user.user_id })).body
    const m2 = (await ada.api.post<MessageDto>(`/api/messages/${conversationId}`, { content: 'r2', sender_id: ada.user.user_id })).body
    expect((await ada.api.patch(`/api/messages/${m2.message_id}`, { is_read: true })).status).toBe(403)
    expect((await eve.api.patch(`/api/messages/${m2.message_id}`, { is_read: true })).status).toBe(403)
    expect((await bob.api.patch(`/api/messages/${m2.message_id}`, { is_read: false })).status).toBe(400)
    expect((await bob.api.patch(`/api/messages/${m2.message_id}`, {})).status).toBe(400)
    expect((await bob.api.patch('/api/messages/999999', { is_read: true })).status).toBe(404)
    const read = await bob.api.patch<MessageDto>(`/api/messages/${m2.message_id}`, { is_read: true })
    expect(read.status).toBe(200)
    expect(read.body).toMatchObject({ message_id: m2.message_id, is_read: true, sender: ada.user })
    const list = (await bob.api.get<MessageDto[]>(`/api/messages/${conversationId}?limit=200`)).body
    expect(list.find((m) => m.message_id === m1.message_id)?.is_read).toBe(true)
    const inbox = (await bob.api.get<ConversationDto[]>(`/api/conversations/${bob.user.user_id}`)).body
    expect(inbox.find((c) => c.conversation_id === conversationId)?.unread_count).toBe(0)
  })
})

describe('the HTTP surface', () => {
  it('answers unknown routes with a JSON 404', async () => {
    const res = await ada.api.get('/api/nothing-here')
    expect(res.status).toBe(404)
    expect(res.body.error.code).toBe('not_found')
  })

  it('refuses a body over the limit with 413', async () => {
    const res = await ada.api.post(`/api/messages/${conversationId}`, { content: 'x'.repeat(300 * 1024), sender_id: ada.user.user_id })
    expect(res.status).toBe(413)
    expect(res.body.error.code).toBe('payload_too_large')
  })

  it('sends security headers and no CORS unless configured', async () => {
    const res = await fetch(`${srv.url}/api/health`, { headers: { origin: 'http://evil.example' } })
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    expect(res.headers.get('content-security-policy')).toBe(rendererCsp(null))
    expect(res.headers.get('x-frame-options')).toBeTruthy()
    expect(res.headers.get('access-control-allow-origin')).toBeNull()
    expect(res.headers.get('strict-transport-security')).toBeNull()
  })
})
