import http from 'node:http'
import { readdirSync } from 'node:fs'
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest'
import { Api, pair, person } from '../helpers/api'
import { startServer, type TestServer } from '../helpers/server'
import { call, closeAllSockets, connect } from '../helpers/sockets'

let srv: TestServer
beforeAll(async () => {
  srv = await startServer({
    sendRate: { points: 10, windowSeconds: 60 },
    loginFailures: { points: 3, windowSeconds: 60 },
    registerRate: { points: 100, windowSeconds: 60 },
    bodyMaxBytes: 64 * 1024,
  })
})
afterEach(() => closeAllSockets())
afterAll(() => srv.close())

it('throttles a sender over REST and socket alike with a clear 429, without hurting anyone else', async () => {
  const { ada, bob, conversationId } = await pair(srv.url)
  const socket = await connect(srv.url, ada.token)
  for (let i = 0; i < 5; i++) expect((await ada.api.post(`/api/messages/${conversationId}`, { content: `r${i}`, sender_id: ada.user.user_id })).status).toBe(201)
  for (let i = 0; i < 5; i++) expect((await call(socket, 'send_message', { conversation_id: conversationId, content: `s${i}`, sender_id: ada.user.user_id })).ok).toBe(true)
  const rest = await ada.api.post(`/api/messages/${conversationId}`, { content: 'one too many', sender_id: ada.user.user_id })
  expect(rest.status).toBe(429)
  expect(rest.body.error).toMatchObject({ code: 'rate_limited', message: expect.stringMatching(/too fast; try again in \d+ s/) })
  expect(Number(rest.headers.get('retry-after'))).toBeGreaterThan(0)
  const sock = await call(socket, 'send_message', { conversation_id: conversationId, content: 'still too many', sender_id: ada.user.user_id })
  expect(sock).toMatchObject({ ok: false, error: { code: 'rate_limited', retry_after_ms: expect.any(Number) } })
  // Bob is not slowed down by Ada.
  expect((await bob.api.post(`/api/messages/${conversationId}`, { content: 'fine', sender_id: bob.user.user_id })).status).toBe(201)
  // A retry of an acknowledged message is answered even when throttled: it stores nothing new.
  const stored = await srv.server.database.db.message.count({ where: { conversation_id: conversationId } })
  expect(stored).toBe(11)
})

it('answers a retried client_id while the sender is throttled', async () => {
  const { ada, conversationId } = await pair(srv.url)
  const first = await ada.api.post(`/api/messages/${conversationId}`, { content: 'x', sender_id: ada.user.user_id, client_id: 'before-limit' })
  for (let i = 0; i < 12; i++) await ada.api.post(`/api/messages/${conversationId}`, { content: `fill ${i}`, sender_id: ada.user.user_id })
  const retry = await ada.api.post(`/api/messages/${conversationId}`, { content: 'x', sender_id: ada.user.user_id, client_id: 'before-limit' })
  expect(retry.status).toBe(200)
  expect(retry.body.message_id).toBe(first.body.message_id)
})

it('slows down password guessing per username and address with a clear error, without locking out other usernames', async () => {
  const victim = await person(srv.url, 'victim')
  const anon = new Api(srv.url)
  for (let i = 0; i < 3; i++) expect((await anon.post('/api/auth/login', { username: victim.user.username, password: `guess-${i}` })).status).toBe(401)
  const blocked = await anon.post('/api/auth/login', { username: victim.user.username, password: 'correct horse battery' })
  expect(blocked.status).toBe(429)
  expect(blocked.body.error.message).toMatch(/Too many failed sign-ins/)
  // Another username from the same address is not blocked.
  const other = await person(srv.url, 'other')
  expect((await anon.post('/api/auth/login', { username: other.user.username, password: 'correct horse battery' })).status).toBe(200)
})

it('drops a socket that sends a frame over the limit', async () => {
  const { ada, conversationId } = await pair(srv.url)
  const socket = await connect(srv.url, ada.token)
  const dropped = new Promise<string>((resolve) => socket.once('disconnect', (reason) => resolve(reason)))
  socket.emit('send_message', { conversation_id: conversationId, content: 'x'.repeat(100 * 1024), sender_id: ada.user.user_id } as never, () => {})
  expect(await dropped).toBe('transport close')
  expect(await srv.server.database.db.message.count({ where: { conversation_id: conversationId } })).toBe(0)
})

/** Sends only the headers of a request that announces `length` bytes, and waits for the answer. */
function announce(path: string, headers: Record<string, string>, length: number): Promise<{ status: number; body: any; sentBytes: number }> {
  const url = new URL(path, srv.url)
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers: { ...headers, 'content-length': String(length) } }, (res) => {
      let text = ''
      res.on('data', (chunk) => (text += chunk))
      res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text), sentBytes: req.socket?.bytesWritten ?? 0 }))
    })
    req.on('error', reject)
    req.flushHeaders()
  })
}

it('refuses a body or an upload announced too large at once, before a byte of it is read', async () => {
  const { ada } = await pair(srv.url)
  const files = readdirSync(srv.server.config.dataDir, { recursive: true }).length
  const body = await announce('/api/auth/login', { 'content-type': 'application/json' }, 10 * 1024 * 1024)
  expect(body.status).toBe(413)
  expect(body.body.error.code).toBe('payload_too_large')
  const upload = await announce('/api/files', { 'content-type': 'multipart/form-data; boundary=x', authorization: `Bearer ${ada.token}` }, 1024 * 1024 * 1024)
  expect(upload.status).toBe(413)
  expect(upload.body.error).toMatchObject({ code: 'payload_too_large', message: expect.stringMatching(/larger than the \d+ MiB limit/) })
  // Only headers went out: the answer came before any body was sent.
  expect(upload.sentBytes).toBeLessThan(1024)
  expect(readdirSync(srv.server.config.dataDir, { recursive: true })).toHaveLength(files)
})
