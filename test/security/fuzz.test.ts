// Property-based fuzzing of every REST body, query, path parameter, upload and socket payload: 10,000
// cases of wrong types, huge and empty strings, deep nesting, __proto__ / constructor keys, control and
// RTL characters, negative and enormous ids, SQL and HTML fragments, and hand-built multipart bodies;
// for reactions, emoji of every shape and near misses (lone modifiers, joiners and regional
// indicators, text-style symbols, runs of emoji, broken UTF-8 in the path). Message actions get their
// inputs too: edit bodies, the messages and emoji of reactions, `around` and sync's `after_seq`. Search
// gets FTS5's query syntax, LIKE's wildcards and control characters in its text, and its filters and
// cursors in the query string; what a search answers holds only messages the searcher may read.
// The server must answer each with a 2xx or a clear 4xx (never a 5xx, never a hang), and a rejected
// input must change nothing: every row of every table and the files folder are the same afterwards.
import { createHash } from 'node:crypto'
import { existsSync, readdirSync } from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sqliteFile } from '../../electron/server/db/database'
import type { SearchResultDto } from '../../electron/shared/dto'
import { clientEventPayloads } from '../../electron/shared/socket-payloads'
import { pair, person, type Person } from '../helpers/api'
import { noLimits, startServer, type TestServer } from '../helpers/server'
import { closeAllSockets, connect, type TestSocket } from '../helpers/sockets'

const TOTAL = 10_000
/** Cases that really ran, counted inside the properties; the last test holds it to TOTAL. */
let ran = 0

/** Splits TOTAL over the targets by weight, so the runs add up to TOTAL exactly. */
function allot(weights: number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0)
  const runs = weights.map((w) => Math.floor((TOTAL * w) / sum))
  for (let i = 0; runs.reduce((a, b) => a + b, 0) < TOTAL; i++) runs[i % runs.length]! += 1
  return runs
}

const tricky = fc.constantFrom(
  '', ' ', '\u0000', '\u0007bell', '\u202Eevil\u202C', '\uFEFF', "'; DROP TABLE Message; --", '" OR 1=1 --',
  '<img src=x onerror=alert(1)>', '<script>alert(1)</script>', '__proto__', 'constructor', 'prototype', '../../etc/passwd',
  '%00', '%2e%2e%2f', 'null', 'undefined', 'NaN', '-1', '1e309', '0x10', ' 42 ', 'x'.repeat(10_001), '😀'.repeat(3000),
)
const nastyString = fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), tricky)
const nastyNumber = fc.oneof(fc.integer(), fc.double(), fc.constantFrom(-1, 0, -0, 0.5, 2 ** 31, 2 ** 31 - 1, 2 ** 53, Number.MAX_SAFE_INTEGER, 1e308, -1e308))
const nastyKey = fc.oneof(
  nastyString,
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'sender_id', 'content', 'user_id', 'is_read', 'title', 'muted', 'member_ids', 'user_ids', 'role', 'reply_to_id', 'after_seq'),
)
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
/** Values of the right kind (small ids that exist, lists of them, names, passwords, true, roles) often enough to get past validation to the services. */
const plausible = fc.oneof(
  fc.integer({ min: 1, max: 4 }),
  fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 }),
  fc.stringMatching(/^[a-z0-9_.-]{3,12}$/),
  fc.constant('correct horse battery'),
  fc.constant(true),
  fc.constantFrom('owner', 'admin', 'member'),
)
/** Objects with the fields a route expects, each holding anything, or each of a plausible kind. */
const shaped = (keys: string[]) =>
  fc.oneof(
    fc.record(Object.fromEntries(keys.map((k) => [k, nastyValue])), { requiredKeys: [] }),
    fc.record(Object.fromEntries(keys.map((k) => [k, fc.oneof(plausible, nastyValue)]))),
  )
/** A body: a shaped object, any value, or raw text (malformed or deeply nested JSON). */
const body = (keys: string[]) =>
  fc.oneof(
    shaped(keys).map((v) => JSON.stringify(v)),
    nastyValue.map((v) => JSON.stringify(v) ?? 'null'),
    fc.integer({ min: 1, max: 20_000 }).map((n) => '['.repeat(n) + ']'.repeat(n)),
    fc.constantFrom('{', '{"a":', 'not json', '{"__proto__":{"admin":true}}', '{"constructor":{"prototype":{"x":1}}}'),
  )
const pathPart = fc.oneof(nastyString, nastyNumber.map(String)).map((s) => encodeURIComponent(s))

// Searches: FTS5's query syntax (quotes, NEAR, boolean operators, *, ^, column filters, braces), LIKE's
// wildcards, words that are in the chat, control characters and the tricky strings, mixed; huge and empty too.
const ftsSyntax = fc.constantFrom(
  '"', '""', '"hello', 'NEAR(hello world)', 'NEAR(a b, 2)', 'hello OR world', 'a AND b', 'NOT hello', '*', 'hel*', '^hello', 'content:hello',
  'text:x', '{text}: hello', '(hello', ')', '-hello', '+hello', 'a:b:c', '%', '_', '\\', '%_%', 'x\u0000y', '\t', '\u0085', 'hello', 'ello', 'ok', '北京', '🎉',
)
const searchText = fc.oneof(
  fc.tuple(fc.array(fc.oneof(ftsSyntax, nastyString), { minLength: 1, maxLength: 6 }), fc.constantFrom(' ', '', '\t')).map(([parts, between]) => parts.join(between)),
  fc.constantFrom('', ' ', 'x'.repeat(201), 'x '.repeat(100), '"'.repeat(200)),
)

// Reactions: the emoji path parameter. One RGI emoji of each shape (skin tones, ZWJ sequences, flags,
// keycaps, tag sequences) is taken; near misses and anything else are refused.
const emojiText = fc.constantFrom(
  '👍', '❤️', '👍🏽', '🏽', '👨‍👩‍👧', '👩‍❤️‍💋‍👨', '🏳️‍🌈', '🇫🇷', '🇺🇳', '1️⃣', '#️⃣', '©️', '🏴󠁧󠁢󠁥󠁮󠁧󠁿', '🫠',
  '❤', '©', '1⃣', '🇫', '🇿🇿', '🇫🇷🇫', '🏴󠁧󠁢', '\u200D', '\uFE0F', '👍\u200D', '\u200D👍', '👍\uFE0F\uFE0F', '👍👍', '👍 ', ' 👍', '👍\u0000',
  '👍\u202E', 'a', ':+1:', '+1', '<b>', '&#128077;', '😀'.repeat(40), `${'👨‍'.repeat(20)}👨`,
)
const emojiPart = fc.oneof(
  emojiText.map(encodeURIComponent),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 3 }).map(encodeURIComponent),
  // Not UTF-8, cut short, doubly encoded, lower-case hex, a dot segment, an encoded slash.
  fc.constantFrom('%F0%9F%91', '%ED%A0%BD', '%F0%9F%91%8D%F0', '%FF', '%', '%25F0%259F%2591%258D', '%f0%9f%91%8d', '%2E', '%2F', '%F0%9F%91%8D%2F'),
  pathPart,
)
// sync takes exactly one of its two cursors, which shaped objects (all fields or any) seldom give: one
// cursor alone, any number or anything, so that positions past the end, at 0 and at the top of the id
// range reach the catch-up.
const cursor = fc.oneof(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.constantFrom(0, 2 ** 31 - 1, 2 ** 31), nastyNumber, nastyValue)
const pageSize = fc.oneof(fc.integer({ min: 1, max: 1000 }), nastyNumber)
const oneCursor = fc.oneof(
  fc.record({ after_seq: cursor, limit: pageSize }, { requiredKeys: ['after_seq'] }),
  fc.record({ after_message_id: cursor, limit: pageSize }, { requiredKeys: ['after_message_id'] }),
)
/** Besides shaped objects and anything at all, what an event's payloads also are. */
const alsoSent: Partial<Record<string, fc.Arbitrary<unknown>>> = { sync: oneCursor }

/** Exactly one RGI emoji: what every stored reaction must be. */
const ONE_EMOJI = new RegExp('^\\p{RGI_Emoji}$', 'v')

// Uploads: multipart bodies built by hand, so names, types, sizes and the structure itself can be wrong.
/** The fuzz server's upload limit: small, so files around and over it cost little. */
const UPLOAD_MAX = 8 * 1024
const BOUNDARY = 'fuzz-boundary-7MA4YWxkTrZu0gW'
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a4bb0000000049454e44ae426082', 'hex')
const fileName = fc.oneof(
  nastyString,
  fc.constantFrom('../../etc/passwd', '..\\..\\boot.ini', '.htaccess', '...', 'a/b/c.png', 'C:\\evil.exe', 'x"; name="file', 'photo.png\r\nContent-Type: text/html',
    'con', '%2e%2e%2fpasswd', '\u202Egnp.exe', 'a'.repeat(1000), '😀.png', 'report.pdf', 'plain.txt'),
)
const fileBytes = fc.oneof(
  fc.uint8Array({ minLength: 1, maxLength: 64 }),
  fc.constantFrom(PNG, Buffer.from('<html><script>alert(1)</script></html>'), Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'), Buffer.from('%PDF-1.4\n'), Buffer.from('GIF89a'), Buffer.alloc(0)),
  // At, just over and far over the limit; the last is refused from its Content-Length alone.
  fc.constantFrom(UPLOAD_MAX, UPLOAD_MAX + 1, 3 * UPLOAD_MAX, UPLOAD_MAX + 80 * 1024).map((n) => Buffer.alloc(n, 0x61)),
)
const part = fc.record({
  field: fc.oneof({ arbitrary: fc.constant('file'), weight: 4 }, fc.constantFrom('files', 'file[]', 'FILE', '', 'upload', '__proto__', 'file"; filename="x'), nastyString),
  // No filename: a plain field rather than a file.
  fileName: fc.option(fileName, { nil: undefined, freq: 5 }),
  disposition: fc.oneof({ arbitrary: fc.constant('form-data'), weight: 6 }, fc.constantFrom('attachment', 'inline', '')),
  type: fc.option(fc.constantFrom('image/png', 'text/html', 'image/svg+xml', 'application/octet-stream', 'multipart/form-data; boundary=inner', '', 'x'.repeat(300)), { nil: undefined }),
  bytes: fileBytes,
})
const upload = fc.record({
  parts: fc.array(part, { maxLength: 4 }),
  contentType: fc.oneof(
    { arbitrary: fc.constant(`multipart/form-data; boundary=${BOUNDARY}`), weight: 6 },
    fc.constantFrom(undefined, 'multipart/form-data', 'multipart/form-data; boundary=', `multipart/mixed; boundary=${BOUNDARY}`, 'multipart/form-data; boundary=other',
      `multipart/form-data; boundary="${BOUNDARY}"`, 'application/json', 'text/plain', 'application/x-www-form-urlencoded'),
  ),
  // How the body ends: properly, not at all, cut inside the last part, or with junk after the end.
  ending: fc.oneof({ arbitrary: fc.constant('close' as const), weight: 6 }, fc.constantFrom('none' as const, 'cut' as const, 'junk' as const)),
})
type Upload = typeof upload extends fc.Arbitrary<infer T> ? T : never

function multipartBody({ parts, ending }: Upload): Buffer {
  const chunks: Buffer[] = []
  for (const p of parts) {
    let head = `--${BOUNDARY}\r\nContent-Disposition: ${p.disposition}; name="${p.field}"`
    if (p.fileName !== undefined) head += `; filename="${p.fileName}"`
    if (p.type !== undefined) head += `\r\nContent-Type: ${p.type}`
    chunks.push(Buffer.from(`${head}\r\n\r\n`), Buffer.from(p.bytes), Buffer.from('\r\n'))
  }
  if (ending === 'close' || ending === 'junk') chunks.push(Buffer.from(`--${BOUNDARY}--\r\n`))
  if (ending === 'junk') chunks.push(Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="late.txt"\r\n\r\nlate\r\n`))
  const whole = Buffer.concat(chunks)
  return ending === 'cut' ? whole.subarray(0, Math.floor(whole.length / 2)) : whole
}

let srv: TestServer
let ada: Person
let cy: Person
let dee: Person
let conversationId: number
let groupId: number // Ada's group, with Bob, Cy and Dee
let messageId: number // Ada's, in her chat with Bob: hers to edit and delete
let bobMessageId: number // Bob's, in the same chat: Ada may react to it, never edit or delete it
let db: Database.Database
let filesDir: string
let tables: Database.Statement

beforeAll(async () => {
  // No web client build: its static files would add a route per file.
  srv = await startServer({ ...noLimits, webRoot: null, uploadMaxBytes: UPLOAD_MAX })
  const { bob, ...first } = await pair(srv.url)
  ;({ ada, conversationId } = first)
  cy = await person(srv.url, 'cy')
  dee = await person(srv.url, 'dee')
  groupId = (await ada.api.post('/api/groups', { title: 'seed', member_ids: [bob, cy, dee].map((p) => p.user.user_id) })).body.conversation_id
  messageId = (await ada.api.post(`/api/messages/${conversationId}`, { content: 'seed', sender_id: ada.user.user_id })).body.message_id
  bobMessageId = (await bob.api.post(`/api/messages/${conversationId}`, { content: 'seed', sender_id: bob.user.user_id })).body.message_id
  db = new Database(sqliteFile(srv.dataDir), { readonly: true })
  // The search index's FTS5 table keeps no text of its own (contentless); its shadow tables hold the index and are read like any other.
  tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name").pluck()
  filesDir = path.join(srv.dataDir, 'files')
})
afterAll(async () => {
  closeAllSockets()
  db.close()
  await srv.close()
})

const digest = (text: string): string => createHash('sha256').update(text).digest('hex')
/** Per table, a statement that gives all its rows, in order, as one text: SQLite writes it, not JavaScript, row by row. */
const tableText = new Map<string, Database.Statement>()
function rowsAsText(table: string): Database.Statement {
  let statement = tableText.get(table)
  if (!statement) {
    const quoted = (name: string): string => `"${name.replaceAll('"', '""')}"`
    const columns = (db.prepare(`PRAGMA table_info(${quoted(table)})`).all() as { name: string }[]).map((c) => `quote(${quoted(c.name)})`)
    // Rows in rowid order, or by every column for a table without rowids (FTS5's shadow tables).
    const withoutRowid = /WITHOUT ROWID\s*$/i.test(String(db.prepare('SELECT sql FROM sqlite_master WHERE name = ?').pluck().get(table)))
    const order = withoutRowid ? columns.join(', ') : 'rowid'
    statement = db.prepare(`SELECT group_concat(${columns.join(" || char(31) || ")}, char(30) ORDER BY ${order}) FROM ${quoted(table)}`).pluck()
    tableText.set(table, statement)
  }
  return statement
}

/**
 * What a rejected input must leave untouched: a hash of every row of every table, in order (the
 * tables are listed afresh each time, so one an input created would show), and the files folder.
 */
type Fingerprint = Record<string, string>
function fingerprint(): Fingerprint {
  const state: Record<string, string> = {}
  for (const table of tables.all() as string[]) state[table] = digest(String(rowsAsText(table).get() ?? ''))
  // Stored files are never rewritten (each upload gets a new generated name): their names say what changed.
  state['files/'] = digest(existsSync(filesDir) ? readdirSync(filesDir).sort().join('/') : '')
  return state
}

// Cases run one at a time and nothing else writes, so the state after a case that changed nothing is
// the state before the next one: read once per case, not twice. (Were that wrong, a check would fail,
// never pass wrongly.)
let known: Fingerprint | undefined
/** The state before a case; forgotten until the case ends well, so a failing case leaves none behind. */
function current(): Fingerprint {
  const state = known ?? fingerprint()
  known = undefined
  return state
}
/** After a refused case: every row and every file as they were. */
function expectUnchanged(before: Fingerprint, what: string): void {
  known = fingerprint()
  expect(known, `a rejected ${what} changed the database or the files`).toEqual(before)
}

async function send(method: string, route: string, payload?: string | Buffer, contentType: string | undefined = payload === undefined ? undefined : 'application/json'): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = { authorization: `Bearer ${ada.token}` }
  if (contentType !== undefined) headers['content-type'] = contentType
  const res = await fetch(srv.url + route, { method, headers, body: payload, signal: AbortSignal.timeout(10_000) })
  const text = await res.text()
  let parsed: unknown = text
  try {
    parsed = JSON.parse(text)
  } catch {
    // keep text
  }
  return { status: res.status, body: parsed }
}

/** Sends one input; returns the answer once it is checked: under 500, and if refused, a clear error that changed nothing. */
async function checkHttp(method: string, route: string, payload?: string | Buffer, contentType?: string): Promise<{ status: number; body: any; before: Fingerprint }> {
  ran += 1
  const before = current()
  const answer = await send(method, route, payload, contentType)
  const shown = `${method} ${route.slice(0, 200)} ${payload === undefined ? '' : String(payload.slice(0, 200))}`
  expect(answer.status, shown).toBeLessThan(500)
  // 431 comes from Node's HTTP parser (request line and headers over 16 KiB), before any of ours runs.
  if (answer.status >= 400 && answer.status !== 431) {
    expect(answer.body?.error?.code, `${answer.status} ${shown}: ${JSON.stringify(answer.body).slice(0, 200)}`).toEqual(expect.any(String))
    expect(answer.body.error.message).toEqual(expect.any(String))
    expectUnchanged(before, shown)
  }
  return { ...answer, before }
}

// Each target names the routes it covers; a test below checks that together they cover every route.
const bodies: [route: string, path: () => string, keys: string[]][] = [
  ['POST /api/auth/register', () => '/api/auth/register', ['username', 'password', 'display_name']],
  ['POST /api/auth/login', () => '/api/auth/login', ['username', 'password']],
  ['POST /api/conversations', () => '/api/conversations', ['participant1_id', 'participant2_id']],
  ['POST /api/messages/:conversationId', () => `/api/messages/${conversationId}`, ['content', 'sender_id', 'attachments', 'client_id', 'reply_to_id']],
  // Ada's own message: marked read ({is_read}), edited ({content}), or both at once, which is refused.
  ['PATCH /api/messages/:messageId', () => `/api/messages/${messageId}`, ['is_read']],
  ['PATCH /api/messages/:messageId', () => `/api/messages/${messageId}`, ['content']],
  ['PATCH /api/messages/:messageId', () => `/api/messages/${messageId}`, ['is_read', 'content']],
  ['POST /api/groups', () => '/api/groups', ['title', 'member_ids']],
  ['PATCH /api/conversations/:conversationId', () => `/api/conversations/${groupId}`, ['title', 'muted']],
  ['POST /api/conversations/:conversationId/members', () => `/api/conversations/${groupId}/members`, ['user_ids']],
  ['PATCH /api/conversations/:conversationId/members/:userId', () => `/api/conversations/${groupId}/members/${cy.user.user_id}`, ['role']],
]
// Each parameter of each route, the others valid; with a valid body, so that an input the parameter
// lets through reaches the service.
const pathRoutes: [route: string, build: (p: string) => string, body?: () => unknown][] = [
  ['GET /api/conversations/:userId', (p) => `/api/conversations/${p}`],
  ['GET /api/messages/:conversationId', (p) => `/api/messages/${p}`],
  ['POST /api/messages/:conversationId', (p) => `/api/messages/${p}`, () => ({ content: 'x', sender_id: ada.user.user_id })],
  ['PATCH /api/messages/:messageId', (p) => `/api/messages/${p}`, () => ({ is_read: true })],
  ['PATCH /api/messages/:messageId', (p) => `/api/messages/${p}`, () => ({ content: 'edited' })],
  ['DELETE /api/messages/:messageId', (p) => `/api/messages/${p}`],
  ['GET /api/messages/:messageId/edits', (p) => `/api/messages/${p}/edits`],
  ['PUT /api/messages/:messageId/reactions/:emoji', (p) => `/api/messages/${p}/reactions/${encodeURIComponent('👍')}`],
  ['DELETE /api/messages/:messageId/reactions/:emoji', (p) => `/api/messages/${p}/reactions/${encodeURIComponent('👍')}`],
  ['GET /api/files/:name', (p) => `/api/files/${p}`],
  ['PATCH /api/conversations/:conversationId', (p) => `/api/conversations/${p}`, () => ({ muted: true })],
  ['POST /api/conversations/:conversationId/members', (p) => `/api/conversations/${p}/members`, () => ({ user_ids: [cy.user.user_id] })],
  ['DELETE /api/conversations/:conversationId/members/:userId', (p) => `/api/conversations/${p}/members/${dee.user.user_id}`],
  ['DELETE /api/conversations/:conversationId/members/:userId', (p) => `/api/conversations/${groupId}/members/${p}`],
  ['PATCH /api/conversations/:conversationId/members/:userId', (p) => `/api/conversations/${p}/members/${cy.user.user_id}`, () => ({ role: 'admin' })],
  ['PATCH /api/conversations/:conversationId/members/:userId', (p) => `/api/conversations/${groupId}/members/${p}`, () => ({ role: 'admin' })],
  ['GET /api/messages/:messageId/reads', (p) => `/api/messages/${p}/reads`],
]
const queryRoutes: [route: string, build: (a: string, b: string) => string][] = [
  ['GET /api/users', (a) => `/api/users?query=${a}`],
  // A search: any text (FTS5's syntax, % and _, control characters, huge), any cursor or filter.
  ['GET /api/search', (a, b) => `/api/search?q=${a}&cursor=${b}`],
  ['GET /api/search', (a, b) => `/api/search?q=${a}${b}&conversation_id=${conversationId}&order=relevance`],
  ['GET /api/search', (a, b) => `/api/search?q=hello&conversation_id=${a}&sender_id=${b}`],
  ['GET /api/search', (a, b) => `/api/search?q=hello&before=${a}&after=${b}&has_attachment=true`],
  ['GET /api/search', (a, b) => `/api/search?q=hello&limit=${a}&order=${b}`],
  ['GET /api/messages/:conversationId', (a, b) => `/api/messages/${conversationId}?limit=${a}&before=${b}`],
  // A page around a message: any message, any page size for Ada's, and with before, which it excludes.
  ['GET /api/messages/:conversationId', (a) => `/api/messages/${conversationId}?around=${a}`],
  ['GET /api/messages/:conversationId', (a) => `/api/messages/${conversationId}?around=${messageId}&limit=${a}`],
  ['GET /api/messages/:conversationId', (a, b) => `/api/messages/${conversationId}?around=${a}&before=${b}`],
  // These read no query; what one holds must not matter to them either.
  ['GET /api/me', (a, b) => `/api/me?${a}=${b}`],
  ['GET /api/health', (a, b) => `/api/health?${a}=${b}`],
  ['GET /api/messages/:messageId/reads', (a, b) => `/api/messages/${messageId}/reads?${a}=${b}`],
  ['GET /api/messages/:messageId/edits', (a, b) => `/api/messages/${messageId}/edits?${a}=${b}`],
]
/** The emoji of a reaction, added or taken back, on Bob's message. */
const emojiRoutes = ['PUT /api/messages/:messageId/reactions/:emoji', 'DELETE /api/messages/:messageId/reactions/:emoji'] as const
const UPLOAD_ROUTE = 'POST /api/files'
const events = Object.keys(clientEventPayloads) as (keyof typeof clientEventPayloads)[]
/** Routes no target sends input to, and why. */
const NOT_FUZZED: Record<string, string> = { 'GET /': "the web client's page, static (test/server/web-client.test.ts)" }

// Cases per target: bodies, path parameters, query strings, uploads, reaction emoji, then each socket
// event. An HTTP case costs about four socket cases and an upload eight, so socket events get more of
// them, which keeps the whole run within the time it took before uploads were fuzzed. Path parameters
// and query strings share one target each, weighted by how many routes they cover (path parameters 4
// for every 5, query strings 1 each); the reaction emoji are one target, weighted as a body.
const runs = allot([...bodies.map(() => 4), (pathRoutes.length * 4) / 5, queryRoutes.length, 5, 4, 4, ...events.map(() => 11)])
const bodyRuns = runs.slice(0, bodies.length)
const [pathRuns, queryRuns, uploadRuns, emojiRuns, searchRuns] = runs.slice(bodies.length, bodies.length + 5) as [number, number, number, number, number]
const eventRuns = runs.slice(bodies.length + 5)

describe(`${TOTAL.toLocaleString('en')} hostile inputs`, () => {
  describe('REST', () => {
    // Named by hand: it.each would cut a route at 40 characters.
    bodies.forEach(([route, build, keys], i) =>
      it(`${route} bodies {${keys.join(', ')}} (${bodyRuns[i]!} cases)`, async () => {
        const method = route.split(' ')[0]!
        await fc.assert(fc.asyncProperty(body(keys), (raw) => checkHttp(method, build(), raw).then(() => undefined)), { numRuns: bodyRuns[i]! })
      }),
    )

    it(`path parameters (${pathRuns} cases)`, async () => {
      await fc.assert(
        fc.asyncProperty(pathPart, fc.constantFrom(...pathRoutes), async (p, [route, build, body]) => {
          await checkHttp(route.split(' ')[0]!, build(p), body === undefined ? undefined : JSON.stringify(body()))
        }),
        { numRuns: pathRuns },
      )
    })

    it(`query strings (${queryRuns} cases)`, async () => {
      await fc.assert(
        fc.asyncProperty(pathPart, pathPart, fc.constantFrom(...queryRoutes), async (a, b, [, build]) => {
          await checkHttp('GET', build(a, b))
        }),
        { numRuns: queryRuns },
      )
    })

    it(`search texts (${searchRuns} cases): never a 5xx, and only messages Ada may read`, async () => {
      // Ada reads a conversation she is in, or one she was removed from up to her removal; never a deleted message.
      const readable = db.prepare<[number, number, number], { ok: number }>(
        `SELECT 1 AS ok FROM ConversationParticipant WHERE conversation_id = ? AND user_id = ? AND (removed_at IS NULL OR ? <= COALESCE(visible_until, 0))`,
      )
      await fc.assert(
        fc.asyncProperty(searchText, fc.constantFrom('', `&conversation_id=${conversationId}`, '&order=relevance', '&has_attachment=false'), async (q, extra) => {
          const answer = await checkHttp('GET', `/api/search?q=${encodeURIComponent(q)}${extra}`)
          if (answer.status !== 200) return
          for (const { message, highlights } of answer.body.results as SearchResultDto[]) {
            expect(readable.get(message.conversation_id, ada.user.user_id, message.message_id), `${q}: message ${message.message_id}`).toBeDefined()
            expect(message.deleted_at).toBeNull()
            for (const [start, end] of highlights) expect(0 <= start && start < end && end <= message.content.length).toBe(true)
          }
        }),
        { numRuns: searchRuns },
      )
    })

    it(`reaction emoji (${emojiRuns} cases)`, async () => {
      await fc.assert(
        fc.asyncProperty(emojiPart, fc.constantFrom(...emojiRoutes), async (emoji, route) => {
          const answer = await checkHttp(route.split(' ')[0]!, `/api/messages/${bobMessageId}/reactions/${emoji}`)
          // Taken: the message as it now is, each of its reactions one emoji.
          if (answer.status < 400) for (const r of answer.body.reactions) expect(r.emoji, emoji).toMatch(ONE_EMOJI)
        }),
        { numRuns: emojiRuns },
      )
    })
  })

  describe('socket payloads', () => {
    let socket: TestSocket
    beforeAll(async () => {
      socket = await connect(srv.url, ada.token)
    })
    it.each(events.map((event, i) => ({ event, runs: eventRuns[i]! })))('$event ($runs cases)', async ({ event, runs }) => {
      const keys = Object.keys(clientEventPayloads[event].shape)
      await fc.assert(
        fc.asyncProperty(fc.oneof(shaped(keys), nastyValue, ...(alsoSent[event] ? [alsoSent[event]] : [])), async (payload) => {
          ran += 1
          const before = current()
          const ack = await (socket as any).timeout(10_000).emitWithAck(event, payload)
          expect(socket.connected).toBe(true)
          if (ack.ok === false) {
            expect(ack.error.code).not.toBe('internal')
            expect(ack.error.message).toEqual(expect.any(String))
            expectUnchanged(before, `${event} ${JSON.stringify(payload)?.slice(0, 200)}`)
          } else {
            expect(ack.ok).toBe(true)
          }
        }),
        { numRuns: runs },
      )
    })
  })

  // Last: every accepted upload adds a row and a file that each later fingerprint reads.
  let accepted = 0 // uploads taken so far: as many rows and files
  it(`multipart uploads to POST /api/files (${uploadRuns} cases)`, async () => {
    await fc.assert(
      fc.asyncProperty(upload, async (u) => {
        const answer = await checkHttp('POST', '/api/files', multipartBody(u), u.contentType)
        if (answer.status >= 400) return
        // Taken: exactly the bytes of one part whose name begins "file" (the parser ends a name at a
        // quote; the server then wants exactly "file"), under a name safe to show; one row and one
        // file more, nothing else. Further files in the body are not stored.
        expect(answer.status).toBe(201)
        const { file_url, file_name, size } = answer.body
        // eslint-disable-next-line no-control-regex -- control characters are what the name must not hold
        expect(file_name).toMatch(/^[^/\\.\u0000-\u001F\u007F"][^/\\\u0000-\u001F\u007F"]{0,199}$/u)
        const stored = await fetch(srv.url + file_url, { headers: { authorization: `Bearer ${ada.token}` } })
        const bytes = Buffer.from(await stored.arrayBuffer())
        expect(bytes.length).toBe(size)
        expect(u.parts.some((p) => p.field.startsWith('file') && Buffer.compare(bytes, Buffer.from(p.bytes)) === 0)).toBe(true)
        const after = (known = fingerprint())
        const changed = Object.keys(after).filter((k) => after[k] !== answer.before[k])
        expect(changed.sort()).toEqual(['StoredFile', 'files/'])
        accepted += 1
        expect(db.prepare('SELECT COUNT(*) FROM StoredFile').pluck().get()).toBe(accepted)
        expect(readdirSync(filesDir)).toHaveLength(accepted)
      }),
      { numRuns: uploadRuns },
    )
  })

  it('sent input to every route the server registers and every client event', () => {
    const routes = srv.server.routes.filter((r) => r.method !== 'HEAD').map((r) => `${r.method} ${r.url}`)
    const fuzzed = new Set([...bodies.map(([r]) => r), ...pathRoutes.map(([r]) => r), ...queryRoutes.map(([r]) => r), ...emojiRoutes, UPLOAD_ROUTE, ...Object.keys(NOT_FUZZED)])
    expect([...fuzzed].sort()).toEqual([...new Set(routes)].sort())
  })

  it('kept the server answering', async () => {
    expect((await send('GET', '/api/health')).status).toBe(200)
  })

  it(`ran all ${TOTAL.toLocaleString('en')} cases`, () => {
    expect(ran).toBe(TOTAL)
  })
})
