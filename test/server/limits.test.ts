import http from 'node:http'
import { readdirSync } from 'node:fs'
import path from 'node:path'
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest'
import { defaultConfig, type ServerConfig } from '../../electron/server/config'
import { Api, pair, person, type Answer, type Person } from '../helpers/api'
import { noLimits, startServer, type TestServer } from '../helpers/server'
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
/** Servers a single test started for limits of its own. */
const ownServers: TestServer[] = []
afterEach(async () => {
  closeAllSockets()
  await Promise.all(ownServers.splice(0).map((s) => s.close()))
})
afterAll(() => srv.close())

async function serverWith(config: Partial<ServerConfig>): Promise<TestServer> {
  const server = await startServer({ ...noLimits, ...config })
  ownServers.push(server)
  return server
}

const PASSWORD = 'correct horse battery'
/** Addresses a client may claim in X-Forwarded-For; the server must not believe them. */
const forwarded = (i: number): Record<string, string> => ({ 'x-forwarded-for': `203.0.113.${i}` })

/**
 * A JSON request sent from another loopback address (all of 127.0.0.0/8 is this machine): the server
 * sees a second client address, which fetch cannot choose.
 */
function postFrom(localAddress: string, url: string, route: string, body: unknown): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = http.request(new URL(route, url), { method: 'POST', localAddress, headers: { 'content-type': 'application/json' } }, (res) => {
      let text = ''
      res.on('data', (chunk) => (text += chunk))
      res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) }))
    })
    req.on('error', reject)
    req.end(JSON.stringify(body))
  })
}

/** A 429 in the API's shape, with a reason and a Retry-After. */
function expectRateLimited(answer: Answer, reason: RegExp): void {
  expect(answer.status).toBe(429)
  expect(answer.body.error).toMatchObject({ code: 'rate_limited', message: expect.stringMatching(reason), retry_after_ms: expect.any(Number) })
  expect(answer.body.error.message).toMatch(/try again in \d+ s/)
  expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0)
}

it('has the limits the README lists by default', () => {
  expect(defaultConfig()).toMatchObject({
    sendRate: { points: 60, windowSeconds: 10 },
    loginFailures: { points: 5, windowSeconds: 15 * 60 },
    loginFailuresPerAddress: { points: 20, windowSeconds: 15 * 60 },
    registerRate: { points: 30, windowSeconds: 60 * 60 },
    uploadRate: { points: 30, windowSeconds: 60 },
    groupRate: { points: 60, windowSeconds: 60 },
    uploadMaxBytes: 25 * 1024 * 1024,
    bodyMaxBytes: 256 * 1024,
  })
})

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

it('slows down sign-in failures from one address across usernames, whatever X-Forwarded-For claims, without blocking other addresses', async () => {
  const own = await serverWith({ loginFailures: { points: 3, windowSeconds: 60 }, loginFailuresPerAddress: { points: 5, windowSeconds: 60 } })
  const real = await person(own.url, 'real')
  const anon = new Api(own.url)
  // One failure per username, so no username meets its own limit of 3; each claims another address.
  const guess = (i: number) => anon.request('POST', '/api/auth/login', { username: `nobody${i}`, password: 'guess' }, forwarded(i))
  for (let i = 0; i < 4; i++) expect((await guess(i)).status).toBe(401)
  // Signing in to an account of one's own between guesses forgives nothing for the address.
  expect((await anon.post('/api/auth/login', { username: real.user.username, password: PASSWORD })).status).toBe(200)
  expect((await guess(4)).status).toBe(401)
  expectRateLimited(await anon.request('POST', '/api/auth/login', { username: real.user.username, password: PASSWORD }, forwarded(5)), /Too many failed sign-ins from this address/)
  // The limit is this address's: another one signs in.
  expect((await postFrom('127.0.0.2', own.url, '/api/auth/login', { username: real.user.username, password: PASSWORD })).status).toBe(200)
})

it('limits the accounts made from one address, whatever X-Forwarded-For claims, storing none of the refused, without blocking other addresses', async () => {
  const own = await serverWith({ registerRate: { points: 3, windowSeconds: 60 * 60 } })
  const anon = new Api(own.url)
  const register = (name: string, i: number) => anon.request('POST', '/api/auth/register', { username: name, password: PASSWORD }, forwarded(i))
  for (let i = 0; i < 3; i++) expect((await register(`made${i}`, i)).status).toBe(201)
  expectRateLimited(await register('refused', 3), /Too many accounts were created from this address/)
  const users = own.server.database.db.user
  expect(await users.findUnique({ where: { username: 'refused' } })).toBeNull()
  expect(await users.count()).toBe(3)
  expect((await postFrom('127.0.0.2', own.url, '/api/auth/register', { username: 'elsewhere', password: PASSWORD })).status).toBe(201)
})

it('limits uploads per user with a clear 429, keeping nothing of the refused one, without slowing anyone else', async () => {
  const own = await serverWith({ uploadRate: { points: 3, windowSeconds: 60 } })
  const { ada, bob } = await pair(own.url)
  const upload = (who: Person, i: number) => {
    const form = new FormData()
    form.append('file', new Blob([`file number ${i}`]), `f${i}.txt`)
    return who.api.request('POST', '/api/files', form)
  }
  for (let i = 0; i < 3; i++) expect((await upload(ada, i)).status).toBe(201)
  const filesDir = path.join(own.dataDir, 'files')
  const files = readdirSync(filesDir).sort()
  expectRateLimited(await upload(ada, 3), /You are uploading files too fast/)
  expect(readdirSync(filesDir).sort()).toEqual(files)
  expect(await own.server.database.db.storedFile.count()).toBe(3)
  expect((await upload(bob, 4)).status).toBe(201)
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
