// The authorization matrix: every route and socket event against every kind of caller, from one table.
// Columns:
//   none       no token                      malformed  "not-a-jwt"
//   expired    our secret, exp in the past   forged     right shape, another secret
//   outsider   valid token, not a participant
//   other_id   a participant naming someone else's sender_id / user_id
//   member     a participant acting as themselves
//   own_read   the sender marking their own message read
// Cells: an HTTP status, or for socket events `ok`, an error code, or `refused` (the handshake fails).
// `-` means the column does not apply to the operation.
// The rows are every route the server registers and every client event of the contract: a test derives
// both lists from the running server and the contract's payload schemas, so a new one without a row fails.
import { SignJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadOrCreateSecret } from '../../electron/server/auth/tokens'
import type { UploadedFileDto } from '../../electron/shared/dto'
import { clientEventPayloads } from '../../electron/shared/schemas'
import { Api, pair, person, type Person } from '../helpers/api'
import { noLimits, startServer, type TestServer } from '../helpers/server'
import { call, closeAllSockets, connect, refused } from '../helpers/sockets'

type Subject = 'none' | 'malformed' | 'expired' | 'forged' | 'outsider' | 'other_id' | 'member' | 'own_read'
const SUBJECTS: Subject[] = ['none', 'malformed', 'expired', 'forged', 'outsider', 'other_id', 'member', 'own_read']
type Cell = number | 'ok' | 'refused' | 'forbidden' | 'not_found' | '-'

// prettier-ignore
const MATRIX: [operation: string, ...cells: Cell[]][] = [
  //  operation                          none       malformed  expired    forged     outsider     other_id     member  own_read
  ['GET /api/health',                    200,       200,       200,       200,       '-',         '-',         200,    '-'],
  ['POST /api/auth/register',            201,       201,       201,       201,       '-',         '-',         201,    '-'],
  ['POST /api/auth/login',               200,       200,       200,       200,       '-',         '-',         200,    '-'],
  ['GET /api/me',                        401,       401,       401,       401,       200,         '-',         200,    '-'],
  ['GET /api/users',                     401,       401,       401,       401,       200,         '-',         200,    '-'],
  ['GET /api/conversations/:userId',     401,       401,       401,       401,       200,         403,         200,    '-'],
  ['POST /api/conversations',            401,       401,       401,       401,       403,         403,         200,    '-'],
  ['GET /api/messages/:conversationId',  401,       401,       401,       401,       403,         '-',         200,    '-'],
  ['POST /api/messages/:conversationId', 401,       401,       401,       401,       403,         403,         201,    '-'],
  ['PATCH /api/messages/:messageId',     401,       401,       401,       401,       403,         '-',         200,    403],
  ['POST /api/files',                    401,       401,       401,       401,       201,         '-',         201,    '-'],
  ['GET /api/files/:name',               401,       401,       401,       401,       403,         '-',         200,    '-'],
  ['socket join_conversation',           'refused', 'refused', 'refused', 'refused', 'forbidden', 'forbidden', 'ok',   '-'],
  ['socket leave_conversation',          'refused', 'refused', 'refused', 'refused', 'forbidden', 'forbidden', 'ok',   '-'],
  ['socket send_message',                'refused', 'refused', 'refused', 'refused', 'forbidden', 'forbidden', 'ok',   '-'],
  ['socket mark_as_read',                'refused', 'refused', 'refused', 'refused', 'forbidden', '-',         'ok',   'forbidden'],
  ['socket typing',                      'refused', 'refused', 'refused', 'refused', 'forbidden', '-',         'ok',   '-'],
  ['socket sync',                        'refused', 'refused', 'refused', 'refused', 'ok',        '-',         'ok',   '-'],
  ['socket get_presence',                'refused', 'refused', 'refused', 'refused', 'ok',        '-',         'ok',   '-'],
]
// Health, register and login are public: any token, good or bad, changes nothing about them.
// sync and get_presence answer anyone signed in, but only about their own conversations and contacts:
// the runner checks that an outsider learns nothing of this conversation or of Bob.

/** Routes that are not in the table, and why. */
const NOT_IN_MATRIX: Record<string, string> = {
  'GET /': "the web client's page: public and static (test/server/web-client.test.ts)",
}

let srv: TestServer
let ada: Person // the member
let bob: Person // the other participant
let eve: Person // the outsider
let conversationId: number
let fromBob: number // a message Bob sent Ada
let fromAda: number // a message Ada sent Bob
let file: UploadedFileDto
let registered = 0 // names for the register row
const tokens: Partial<Record<Subject, string | undefined>> = {}

beforeAll(async () => {
  // No web client build: its static files would add a route per file.
  srv = await startServer({ ...noLimits, webRoot: null })
  ;({ ada, bob, conversationId } = await pair(srv.url))
  eve = await person(srv.url, 'eve')
  fromBob = (await bob.api.post(`/api/messages/${conversationId}`, { content: 'to ada', sender_id: bob.user.user_id })).body.message_id
  fromAda = (await ada.api.post(`/api/messages/${conversationId}`, { content: 'to bob', sender_id: ada.user.user_id })).body.message_id
  const form = new FormData()
  form.append('file', new Blob(['secret plans']), 'plans.txt')
  file = (await bob.api.request<UploadedFileDto>('POST', '/api/files', form)).body
  await bob.api.post(`/api/messages/${conversationId}`, { content: '', sender_id: bob.user.user_id, attachments: [{ file_url: file.file_url }] })
  const secret = loadOrCreateSecret(srv.dataDir)
  tokens.none = undefined
  tokens.malformed = 'not-a-jwt'
  tokens.expired = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject(String(ada.user.user_id)).setIssuedAt(1_700_000_000).setExpirationTime(1_700_000_060).sign(secret)
  tokens.forged = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject(String(ada.user.user_id)).setExpirationTime('1h').sign(new Uint8Array(32).fill(7))
  tokens.outsider = eve.token
  tokens.other_id = ada.token
  tokens.member = ada.token
  tokens.own_read = ada.token
})
afterAll(async () => {
  closeAllSockets()
  await srv.close()
})

/** Who the caller claims to be in bodies and events: themselves, or (other_id) Bob. */
const claimed = (subject: Subject): number => (subject === 'other_id' ? bob.user.user_id : subject === 'outsider' ? eve.user.user_id : ada.user.user_id)

async function rest(operation: string, subject: Subject): Promise<number> {
  const api = new Api(srv.url, tokens[subject])
  const me = claimed(subject)
  const markable = subject === 'own_read' ? fromAda : fromBob
  const body = new FormData()
  body.append('file', new Blob(['x']), 'x.txt')
  const requests: Record<string, () => Promise<{ status: number }>> = {
    'GET /api/health': () => api.get('/api/health'),
    'POST /api/auth/register': () => api.post('/api/auth/register', { username: `fresh${++registered}`, password: 'correct horse battery' }),
    'POST /api/auth/login': () => api.post('/api/auth/login', { username: eve.user.username, password: 'correct horse battery' }),
    'GET /api/me': () => api.get('/api/me'),
    'GET /api/users': () => api.get('/api/users?query=a'),
    'GET /api/conversations/:userId': () => api.get(`/api/conversations/${subject === 'other_id' ? bob.user.user_id : me}`),
    'POST /api/conversations': () => api.post('/api/conversations', { participant1_id: ada.user.user_id, participant2_id: bob.user.user_id }),
    'GET /api/messages/:conversationId': () => api.get(`/api/messages/${conversationId}`),
    'POST /api/messages/:conversationId': () => api.post(`/api/messages/${conversationId}`, { content: 'hi', sender_id: me }),
    'PATCH /api/messages/:messageId': () => api.patch(`/api/messages/${markable}`, { is_read: true }),
    'POST /api/files': () => api.request('POST', '/api/files', body),
    'GET /api/files/:name': () => api.get(file.file_url),
  }
  // other_id on POST /api/conversations: Ada asks for a conversation between Bob and Eve.
  if (operation === 'POST /api/conversations' && subject === 'other_id') {
    return (await api.post('/api/conversations', { participant1_id: bob.user.user_id, participant2_id: eve.user.user_id })).status
  }
  const request = requests[operation]
  if (!request) throw new Error(`no request written for ${operation}`)
  return (await request()).status
}

async function socket(operation: string, subject: Subject): Promise<Cell> {
  const token = tokens[subject]
  if (subject === 'none' || subject === 'malformed' || subject === 'expired' || subject === 'forged') {
    const err = await refused(srv.url, token === undefined ? {} : { token })
    expect(err.data).toMatchObject({ code: 'unauthorized' })
    return 'refused'
  }
  const s = await connect(srv.url, token)
  const me = claimed(subject)
  const event = operation.replace('socket ', '')
  const payloads: Record<string, unknown> = {
    join_conversation: { conversation_id: conversationId, user_id: me },
    leave_conversation: { conversation_id: conversationId, user_id: me },
    send_message: { conversation_id: conversationId, content: 'hi', sender_id: me },
    mark_as_read: { message_id: subject === 'own_read' ? fromAda : fromBob, conversation_id: conversationId },
    typing: { conversation_id: conversationId, is_typing: true },
    sync: { after_message_id: 0 },
    get_presence: { user_ids: [bob.user.user_id] },
  }
  if (!(event in payloads)) throw new Error(`no payload written for ${event}`)
  const bobOnline = event === 'get_presence' ? await connect(srv.url, bob.token) : null
  const ack = await call(s, event as never, payloads[event])
  s.disconnect()
  bobOnline?.disconnect()
  if (event === 'get_presence' && ack.ok) expect(ack.online).toEqual(subject === 'outsider' ? [] : [bob.user.user_id])
  if (event === 'sync' && ack.ok) {
    // An outsider's catch-up must not contain this conversation.
    const leaked = ack.messages.filter((m: { conversation_id: number }) => m.conversation_id === conversationId)
    if (subject === 'outsider') expect(leaked).toEqual([])
    else expect(leaked.length).toBeGreaterThan(0)
  }
  return ack.ok ? 'ok' : ack.error.code
}

describe('authorization matrix', () => {
  const cases = MATRIX.flatMap(([operation, ...cells]) =>
    cells.map((expected, i) => ({ operation, subject: SUBJECTS[i]!, expected })).filter((c) => c.expected !== '-'),
  )
  it.each(cases)('$operation as $subject → $expected', async ({ operation, subject, expected }) => {
    const actual = operation.startsWith('socket ') ? await socket(operation, subject) : await rest(operation, subject)
    expect(actual).toBe(expected)
  })

  it('has a row for every route the server registers and every client event of the contract', () => {
    // HEAD routes are Fastify's twins of the GET routes: same hooks, same handler.
    const routes = srv.server.routes.filter((r) => r.method !== 'HEAD').map((r) => `${r.method} ${r.url}`)
    expect(routes).toEqual(expect.arrayContaining(Object.keys(NOT_IN_MATRIX)))
    const expected = [...routes.filter((r) => !Object.hasOwn(NOT_IN_MATRIX, r)), ...Object.keys(clientEventPayloads).map((e) => `socket ${e}`)]
    expect(MATRIX.map(([operation]) => operation).sort()).toEqual(expected.sort())
    for (const row of MATRIX) expect(row, row[0]).toHaveLength(SUBJECTS.length + 1)
  })
})
