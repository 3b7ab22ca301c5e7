// Property-based fuzzing of every REST body, query, path parameter and socket payload: 10,000 cases
// of wrong types, huge and empty strings, deep nesting, __proto__ / constructor keys, control and RTL
// characters, negative and enormous ids, SQL and HTML fragments. The server must answer each with a
// 2xx or a clear 4xx (never a 5xx, never a hang), and a rejected input must change nothing.
import Database from 'better-sqlite3'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sqliteFile } from '../../electron/server/db/database'
import { pair, type Person } from '../helpers/api'
import { noLimits, startServer, type TestServer } from '../helpers/server'
import { closeAllSockets, connect, type TestSocket } from '../helpers/sockets'

const RUNS = 625 // × 16 targets = 10,000 cases

const tricky = fc.constantFrom(
  '', ' ', '\u0000', '\u0007bell', '\u202Eevil\u202C', '\uFEFF', "'; DROP TABLE Message; --", '" OR 1=1 --',
  '<img src=x onerror=alert(1)>', '<script>alert(1)</script>', '__proto__', 'constructor', 'prototype', '../../etc/passwd',
  '%00', '%2e%2e%2f', 'null', 'undefined', 'NaN', '-1', '1e309', '0x10', ' 42 ', 'x'.repeat(10_001), '😀'.repeat(3000),
)
const nastyString = fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), tricky)
const nastyNumber = fc.oneof(fc.integer(), fc.double(), fc.constantFrom(-1, 0, -0, 0.5, 2 ** 31, 2 ** 31 - 1, 2 ** 53, Number.MAX_SAFE_INTEGER, 1e308, -1e308))
const nastyKey = fc.oneof(nastyString, fc.constantFrom('__proto__', 'constructor', 'prototype', 'sender_id', 'content', 'user_id', 'is_read'))
const { value: nastyValue } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    nastyString,
    nastyNumber,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(nastyKey, tie('value'), { maxKeys: 5 }),
  ),
}))
/** Objects with the fields a route expects, each holding anything. */
const shaped = (keys: string[]) => fc.record(Object.fromEntries(keys.map((k) => [k, nastyValue])), { requiredKeys: [] })
/** A body: a shaped object, any value, or raw text (malformed or deeply nested JSON). */
const body = (keys: string[]) =>
  fc.oneof(
    shaped(keys).map((v) => JSON.stringify(v)),
    nastyValue.map((v) => JSON.stringify(v) ?? 'null'),
    fc.integer({ min: 1, max: 20_000 }).map((n) => '['.repeat(n) + ']'.repeat(n)),
    fc.constantFrom('{', '{"a":', 'not json', '{"__proto__":{"admin":true}}', '{"constructor":{"prototype":{"x":1}}}'),
  )
const pathPart = fc.oneof(nastyString, nastyNumber.map(String)).map((s) => encodeURIComponent(s))

let srv: TestServer
let ada: Person
let conversationId: number
let messageId: number
let db: Database.Database

beforeAll(async () => {
  srv = await startServer(noLimits)
  ;({ ada, conversationId } = await pair(srv.url))
  messageId = (await ada.api.post(`/api/messages/${conversationId}`, { content: 'seed', sender_id: ada.user.user_id })).body.message_id
  db = new Database(sqliteFile(srv.dataDir), { readonly: true })
})
afterAll(async () => {
  closeAllSockets()
  db.close()
  await srv.close()
})

/** What a rejected input must leave untouched. */
function fingerprint(): string {
  return JSON.stringify(
    db
      .prepare(
        `SELECT (SELECT COUNT(*) FROM User) u, (SELECT COUNT(*) FROM Conversation) c, (SELECT COUNT(*) FROM ConversationParticipant) p,
                (SELECT COUNT(*) FROM Message) m, (SELECT COUNT(*) FROM Message WHERE is_read = 1) r, (SELECT COUNT(*) FROM MessageAttachment) a,
                (SELECT COUNT(*) FROM StoredFile) f`,
      )
      .get(),
  )
}

async function send(method: string, path: string, raw?: string): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = { authorization: `Bearer ${ada.token}` }
  if (raw !== undefined) headers['content-type'] = 'application/json'
  const res = await fetch(srv.url + path, { method, headers, body: raw, signal: AbortSignal.timeout(10_000) })
  const text = await res.text()
  let parsed: unknown = text
  try {
    parsed = JSON.parse(text)
  } catch {
    // keep text
  }
  return { status: res.status, body: parsed }
}

async function checkHttp(method: string, path: string, raw?: string): Promise<void> {
  const before = fingerprint()
  const { status, body: answer } = await send(method, path, raw)
  expect(status, `${method} ${path.slice(0, 200)} ${raw?.slice(0, 200)}`).toBeLessThan(500)
  // 431 comes from Node's HTTP parser (request line and headers over 16 KiB), before any of ours runs.
  if (status >= 400 && status !== 431) {
    expect(answer?.error?.code, `${status} ${method} ${path.slice(0, 120)}: ${JSON.stringify(answer).slice(0, 200)}`).toEqual(expect.any(String))
    expect(answer.error.message).toEqual(expect.any(String))
    expect(fingerprint(), `a rejected ${method} ${path} changed the database`).toBe(before)
  }
}

describe('fuzzing REST', () => {
  const bodies: [string, () => string, string[]][] = [
    ['POST', () => '/api/auth/register', ['username', 'password', 'display_name']],
    ['POST', () => '/api/auth/login', ['username', 'password']],
    ['POST', () => '/api/conversations', ['participant1_id', 'participant2_id']],
    ['POST', () => `/api/messages/${conversationId}`, ['content', 'sender_id', 'attachments', 'client_id']],
    ['PATCH', () => `/api/messages/${messageId}`, ['is_read']],
  ]
  it.each(bodies)('%s %s bodies', async (method, path, keys) => {
    await fc.assert(fc.asyncProperty(body(keys), (raw) => checkHttp(method, path(), raw)), { numRuns: RUNS })
  })

  it('path parameters', async () => {
    const routes: ((p: string) => [string, string])[] = [
      (p) => ['GET', `/api/conversations/${p}`],
      (p) => ['GET', `/api/messages/${p}`],
      (p) => ['POST', `/api/messages/${p}`],
      (p) => ['PATCH', `/api/messages/${p}`],
      (p) => ['GET', `/api/files/${p}`],
    ]
    await fc.assert(
      fc.asyncProperty(pathPart, fc.nat(routes.length - 1), async (p, r) => {
        const [method, path] = routes[r]!(p)
        await checkHttp(method, path, method === 'GET' ? undefined : JSON.stringify({ content: 'x', sender_id: ada.user.user_id, is_read: true }))
      }),
      { numRuns: RUNS },
    )
  })

  it('query strings', async () => {
    await fc.assert(
      fc.asyncProperty(pathPart, pathPart, fc.boolean(), async (a, b, users) => {
        await checkHttp('GET', users ? `/api/users?query=${a}` : `/api/messages/${conversationId}?limit=${a}&before=${b}`)
      }),
      { numRuns: RUNS },
    )
  })
})

describe('fuzzing socket payloads', () => {
  let socket: TestSocket
  beforeAll(async () => {
    socket = await connect(srv.url, ada.token)
  })
  const events: [string, string[]][] = [
    ['join_conversation', ['conversation_id', 'user_id']],
    ['leave_conversation', ['conversation_id', 'user_id']],
    ['send_message', ['conversation_id', 'content', 'sender_id', 'attachments', 'client_id']],
    ['mark_as_read', ['message_id', 'conversation_id']],
    ['typing', ['conversation_id', 'is_typing']],
    ['sync', ['after_message_id', 'limit']],
    ['get_presence', ['user_ids']],
  ]
  it.each(events)('%s', async (event, keys) => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(shaped(keys), nastyValue), async (payload) => {
        const before = fingerprint()
        const ack = await (socket as any).timeout(10_000).emitWithAck(event, payload)
        expect(socket.connected).toBe(true)
        if (ack.ok === false) {
          expect(ack.error.code).not.toBe('internal')
          expect(ack.error.message).toEqual(expect.any(String))
          expect(fingerprint(), `a rejected ${event} changed the database`).toBe(before)
        } else {
          expect(ack.ok).toBe(true)
        }
      }),
      { numRuns: RUNS },
    )
  })

  it('kept the server answering', async () => {
    expect((await send('GET', '/api/health')).status).toBe(200)
  })
})
