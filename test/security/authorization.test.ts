// The authorization matrix: every route and socket event against every kind of caller, from one table.
// Columns, the callers:
//   none         no token                      malformed  "not-a-jwt"
//   expired      our secret, exp in the past   forged     right shape, another secret
//   outsider     valid token, not in the conversation the row names
//   other_id     a participant naming someone else's sender_id / user_id
//   participant  one of a one-to-one chat's two, acting as themselves
//   own_read     the sender marking their own message read (or asking who read it)
//   owner, admin, member   a group's, each acting as themselves
//   removed      someone the owner removed from the group (after a message and a file were posted to it)
// The columns up to own_read name the one-to-one chat of Ada and Bob; the role columns name a group
// (owner Olga; admins Adam and Ana; members Mia and Max; Rémy, removed after Max posted a message and
// a file, before Max posted another of each). Rows that exist only in a group (the group routes and the
// `· … after the removal` rows) name a group in the columns none to outsider too, with tokens that
// claim to be its owner. A cell that may change something (an accepted write) gets a group made for it
// alone, so what it changes decides no other cell; every other cell uses one group made alike, which
// stays as made because each of those cells is checked to change nothing.
// A row named `route · case` is one case of the route: who the call names (oneself, a member, an
// admin, the owner, the removed member) and what it asks.
// Cells: an HTTP status, or for socket events `ok`, an error code, or `refused` (the handshake fails).
// `-` means the column does not apply to the operation.
// Every cell but an accepted write also proves it changed nothing: every row of every table is the
// same afterwards. That covers each refusal (4xx, an error code, a refused handshake), each read, and
// the writes that have nothing to do (adding someone already in, making an admin an admin). Accepted
// group changes are checked for what they did: the members and roles afterwards are those before with
// exactly the row's change, and a title or muted flag as asked.
// The rows are every route the server registers and every client event of the contract: a test derives
// both lists from the running server and the contract's payload schemas, so a new one without a row fails.
import { SignJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadOrCreateSecret } from '../../electron/server/auth/tokens'
import { Prisma } from '../../electron/server/db/generated/sqlite/client'
import type { ConversationDto, MessageDto, ReadReceiptDto } from '../../electron/shared/dto'
import { clientEventPayloads } from '../../electron/shared/socket-payloads'
import { Api, pair, person, type Answer, type Person } from '../helpers/api'
import { noLimits, startServer, type TestServer } from '../helpers/server'
import { call, closeAllSockets, connect, refused } from '../helpers/sockets'

type Subject = 'none' | 'malformed' | 'expired' | 'forged' | 'outsider' | 'other_id' | 'participant' | 'own_read' | 'owner' | 'admin' | 'member' | 'removed'
const SUBJECTS: Subject[] = ['none', 'malformed', 'expired', 'forged', 'outsider', 'other_id', 'participant', 'own_read', 'owner', 'admin', 'member', 'removed']
type Role = 'owner' | 'admin' | 'member' | 'removed'
const isRole = (subject: Subject): subject is Role => subject === 'owner' || subject === 'admin' || subject === 'member' || subject === 'removed'
const BROKEN = new Set<Subject>(['none', 'malformed', 'expired', 'forged'])
type Cell = number | 'ok' | 'refused' | 'forbidden' | 'not_found' | '-'
/** A 4xx, an error code or a refused handshake. */
const isRefusal = (cell: Cell): boolean => (typeof cell === 'number' ? cell >= 400 : cell !== 'ok')
/** Reads: the GET routes, login, and the events that store nothing. Every other row's accepted cells may write. */
const READ_EVENTS = new Set(['socket join_conversation', 'socket leave_conversation', 'socket typing', 'socket sync', 'socket get_presence'])
const reads = (operation: string): boolean => operation.startsWith('GET ') || operation === 'POST /api/auth/login' || READ_EVENTS.has(operation)

const MEMBERS = 'DELETE /api/conversations/:conversationId/members/:userId'
const ROLE = 'PATCH /api/conversations/:conversationId/members/:userId'

// prettier-ignore
const MATRIX: [operation: string, ...cells: Cell[]][] = [
  //  operation                                                      none       malformed  expired    forged     outsider     other_id     participant own_read     owner  admin  member       removed
  ['GET /api/health',                                                200,       200,       200,       200,       '-',         '-',         200,        '-',         '-',   '-',   '-',         '-'],
  ['POST /api/auth/register',                                        201,       201,       201,       201,       '-',         '-',         201,        '-',         '-',   '-',   '-',         '-'],
  ['POST /api/auth/login',                                           200,       200,       200,       200,       '-',         '-',         200,        '-',         '-',   '-',   '-',         '-'],
  ['GET /api/me',                                                    401,       401,       401,       401,       200,         '-',         200,        '-',         '-',   '-',   '-',         '-'],
  ['GET /api/users',                                                 401,       401,       401,       401,       200,         '-',         200,        '-',         '-',   '-',   '-',         '-'],
  ['GET /api/conversations/:userId',                                 401,       401,       401,       401,       200,         403,         200,        '-',         200,   200,   200,         200],
  ['POST /api/conversations',                                        401,       401,       401,       401,       403,         403,         200,        '-',         '-',   '-',   '-',         '-'],
  ['GET /api/messages/:conversationId',                              401,       401,       401,       401,       403,         '-',         200,        '-',         200,   200,   200,         200],
  ['POST /api/messages/:conversationId',                             401,       401,       401,       401,       403,         403,         201,        '-',         201,   201,   201,         403],
  ['PATCH /api/messages/:messageId',                                 401,       401,       401,       401,       403,         '-',         200,        403,         200,   200,   200,         403],
  ['POST /api/files',                                                401,       401,       401,       401,       201,         '-',         201,        '-',         '-',   '-',   '-',         '-'],
  ['GET /api/files/:name',                                           401,       401,       401,       401,       403,         '-',         200,        '-',         200,   200,   200,         200],
  ['GET /api/files/:name · attached after the removal',              401,       401,       401,       401,       403,         '-',         '-',        '-',         200,   200,   200,         403],
  ['POST /api/groups',                                               401,       401,       401,       401,       201,         '-',         201,        '-',         '-',   '-',   '-',         '-'],
  ['PATCH /api/conversations/:conversationId · title',               401,       401,       401,       401,       403,         '-',         400,        '-',         200,   200,   403,         403],
  ['PATCH /api/conversations/:conversationId · muted',               401,       401,       401,       401,       403,         '-',         200,        '-',         200,   200,   200,         403],
  ['PATCH /api/conversations/:conversationId · title and muted',     401,       401,       401,       401,       403,         '-',         400,        '-',         200,   200,   403,         403],
  ['POST /api/conversations/:conversationId/members · someone new',  401,       401,       401,       401,       403,         '-',         400,        '-',         200,   200,   403,         403],
  ['POST /api/conversations/:conversationId/members · oneself',      401,       401,       401,       401,       403,         '-',         400,        '-',         200,   200,   403,         403],
  [`${MEMBERS} · oneself`,                                           401,       401,       401,       401,       403,         '-',         400,        '-',         200,   200,   200,         403],
  [`${MEMBERS} · a member`,                                          401,       401,       401,       401,       403,         '-',         400,        '-',         200,   200,   403,         403],
  [`${MEMBERS} · an admin`,                                          401,       401,       401,       401,       403,         '-',         '-',        '-',         200,   403,   403,         403],
  [`${MEMBERS} · the owner`,                                         401,       401,       401,       401,       403,         '-',         '-',        '-',         '-',   403,   403,         403],
  [`${MEMBERS} · the removed member`,                                401,       401,       401,       401,       403,         '-',         '-',        '-',         404,   404,   404,         '-'],
  [`${ROLE} · a member to admin`,                                    401,       401,       401,       401,       403,         '-',         400,        '-',         200,   200,   403,         403],
  [`${ROLE} · an admin to member`,                                   401,       401,       401,       401,       403,         '-',         '-',        '-',         200,   200,   403,         403],
  [`${ROLE} · a member to owner`,                                    401,       401,       401,       401,       403,         '-',         '-',        '-',         200,   403,   403,         403],
  [`${ROLE} · the owner to admin`,                                   401,       401,       401,       401,       403,         '-',         '-',        '-',         '-',   403,   403,         403],
  [`${ROLE} · oneself to admin`,                                     401,       401,       401,       401,       403,         '-',         400,        '-',         400,   200,   403,         403],
  [`${ROLE} · oneself to owner`,                                     401,       401,       401,       401,       403,         '-',         400,        '-',         400,   403,   403,         403],
  [`${ROLE} · the removed member to admin`,                          401,       401,       401,       401,       403,         '-',         '-',        '-',         404,   404,   404,         '-'],
  ['GET /api/messages/:messageId/reads',                             401,       401,       401,       401,       403,         '-',         200,        200,         200,   200,   200,         200],
  ['GET /api/messages/:messageId/reads · sent after the removal',    401,       401,       401,       401,       403,         '-',         '-',        '-',         200,   200,   200,         404],
  ['socket join_conversation',                                       'refused', 'refused', 'refused', 'refused', 'forbidden', 'forbidden', 'ok',       '-',         'ok',  'ok',  'ok',        'forbidden'],
  ['socket leave_conversation',                                      'refused', 'refused', 'refused', 'refused', 'forbidden', 'forbidden', 'ok',       '-',         'ok',  'ok',  'ok',        'forbidden'],
  ['socket send_message',                                            'refused', 'refused', 'refused', 'refused', 'forbidden', 'forbidden', 'ok',       '-',         'ok',  'ok',  'ok',        'forbidden'],
  ['socket mark_as_read',                                            'refused', 'refused', 'refused', 'refused', 'forbidden', '-',         'ok',       'forbidden', 'ok',  'ok',  'ok',        'forbidden'],
  ['socket typing',                                                  'refused', 'refused', 'refused', 'refused', 'forbidden', '-',         'ok',       '-',         'ok',  'ok',  'ok',        'forbidden'],
  ['socket sync',                                                    'refused', 'refused', 'refused', 'refused', 'ok',        '-',         'ok',       '-',         'ok',  'ok',  'ok',        'ok'],
  ['socket get_presence',                                            'refused', 'refused', 'refused', 'refused', 'ok',        '-',         'ok',       '-',         'ok',  'ok',  'ok',        'ok'],
]
// Health, register and login are public: any token, good or bad, changes nothing about them.
// sync and get_presence answer anyone signed in, but only about their own conversations and contacts:
// the runner checks that an outsider learns nothing of the one-to-one chat or of Bob, and that the
// removed member gets the group's history up to the notice of their removal and nothing after it,
// and no presence of its members. Removing or promoting someone already removed is a 404 for every
// current member (the target is looked up before the caller's rights), and changes nothing: the end of
// the removed member's history stays where it was.

/** Routes that are not in the table, and why. */
const NOT_IN_MATRIX: Record<string, string> = {
  'GET /': "the web client's page: public and static (test/server/web-client.test.ts)",
}
/** The route of a row: its operation without the ` · case`. */
const routeOf = (operation: string): string => operation.split(' · ')[0]!
/** Rows that exist only in a group: their columns none to outsider, all refused, name the shared group too. */
const GROUP_ROWS = new Set(MATRIX.map(([operation]) => operation).filter((op) => op.includes(' · ') || /\/api\/conversations\/:conversationId|\/reads$/.test(op)))

const PASSWORD = 'correct horse battery'
let srv: TestServer
let ada: Person // the participant
let bob: Person // the other participant
let eve: Person // the outsider
let olga: Person // each group's owner
let adam: Person // an admin (the longest-standing: the heir when the owner leaves)
let ana: Person // another admin; she has read Max's first message
let mia: Person // a member
let max: Person // another member, who posts
let remy: Person // removed from each group
let fay: Person // in none of the groups as made: the one added, and the one a new group names
let direct: number // Ada and Bob's conversation
let fromBob: number // a message Bob sent Ada
let fromAda: number // a message Ada sent Bob
let directFile: string // Bob's file, attached to a message to Ada
let shared: World // the group every cell but an accepted write names
let registered = 0 // names for the register row
const broken: Record<'ada' | 'olga', Partial<Record<Subject, string | undefined>>> = { ada: {}, olga: {} }

const idOf = (p: Person): number => p.user.user_id
function ok<T = any>(answer: Answer<T>, status: number): T {
  if (answer.status !== status) throw new Error(`setup: expected ${status}, got ${answer.status} ${JSON.stringify(answer.body)}`)
  return answer.body
}
const form = (text: string, name: string): FormData => {
  const body = new FormData()
  body.append('file', new Blob([text]), name)
  return body
}

/** A group as each role cell finds it. */
interface World {
  conversation: number
  /** Its first message: the notice that it was made. */
  first: number
  /** Max's message, with `file`, before Rémy's removal; Ana has read it. */
  message: number
  file: string
  /** The notice of Rémy's removal: the last message Rémy may see. */
  removal: number
  /** Max's message, with `laterFile`, after the removal. */
  later: number
  laterFile: string
}

async function groupWorld(): Promise<World> {
  const made = ok<ConversationDto>(await olga.api.post('/api/groups', { title: 'Crew', member_ids: [adam, ana, mia, max, remy].map(idOf) }), 201)
  const g = made.conversation_id
  for (const p of [adam, ana]) ok(await olga.api.patch(`/api/conversations/${g}/members/${idOf(p)}`, { role: 'admin' }), 200)
  const file = ok(await max.api.request('POST', '/api/files', form('before', 'before.txt')), 201).file_url as string
  const message = ok(await max.api.post(`/api/messages/${g}`, { content: 'before', sender_id: idOf(max), attachments: [{ file_url: file }] }), 201).message_id as number
  ok(await ana.api.patch(`/api/messages/${message}`, { is_read: true }), 200)
  const removal = ok<ConversationDto>(await olga.api.request('DELETE', `/api/conversations/${g}/members/${idOf(remy)}`), 200).messages[0]!.message_id
  const laterFile = ok(await max.api.request('POST', '/api/files', form('after', 'after.txt')), 201).file_url as string
  const later = ok(await max.api.post(`/api/messages/${g}`, { content: 'after', sender_id: idOf(max), attachments: [{ file_url: laterFile }] }), 201).message_id as number
  return { conversation: g, first: made.messages[0]!.message_id, message, file, removal, later, laterFile }
}

beforeAll(async () => {
  // No web client build: its static files would add a route per file.
  srv = await startServer({ ...noLimits, webRoot: null })
  ;({ ada, bob, conversationId: direct } = await pair(srv.url))
  eve = await person(srv.url, 'eve')
  // In this order: Adam's id is below Ana's, so Adam is the longest-standing admin.
  const people: Person[] = []
  for (const name of ['olga', 'adam', 'ana', 'mia', 'max', 'remy', 'fay']) people.push(await person(srv.url, name))
  ;[olga, adam, ana, mia, max, remy, fay] = people as [Person, Person, Person, Person, Person, Person, Person]
  fromBob = (await bob.api.post(`/api/messages/${direct}`, { content: 'to ada', sender_id: bob.user.user_id })).body.message_id
  fromAda = (await ada.api.post(`/api/messages/${direct}`, { content: 'to bob', sender_id: ada.user.user_id })).body.message_id
  directFile = ok(await bob.api.request('POST', '/api/files', form('secret plans', 'plans.txt')), 201).file_url
  await bob.api.post(`/api/messages/${direct}`, { content: '', sender_id: bob.user.user_id, attachments: [{ file_url: directFile }] })
  shared = await groupWorld()
  const secret = loadOrCreateSecret(srv.dataDir)
  for (const [key, p] of [['ada', ada], ['olga', olga]] as const) {
    broken[key] = {
      none: undefined,
      malformed: 'not-a-jwt',
      expired: await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject(String(idOf(p))).setIssuedAt(1_700_000_000).setExpirationTime(1_700_000_060).sign(secret),
      forged: await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject(String(idOf(p))).setExpirationTime('1h').sign(new Uint8Array(32).fill(7)),
    }
  }
})
afterAll(async () => {
  closeAllSockets()
  await srv.close()
})

/** What one cell acts on, and as whom. */
interface Scene extends World {
  subject: Subject
  kind: 'direct' | 'group'
  token: string | undefined
  /** Who the token is, or claims to be. */
  me: number
  /** The id the caller writes as theirs in bodies and events: other_id names Bob. */
  claimed: number
  /** One-to-one: the caller's own message. */
  own: number
  /** The ids the calls name: a member other than the caller (one-to-one: Bob), an admin, the owner, the removed member, and Fay, in none of them. */
  at: { member: number; admin: number; owner: number; removed: number; newcomer: number }
}

const holderOf = (role: Role): Person => ({ owner: olga, admin: adam, member: mia, removed: remy })[role]

async function sceneFor(operation: string, subject: Subject, writes: boolean): Promise<Scene> {
  const onGroup = isRole(subject) || (GROUP_ROWS.has(operation) && (BROKEN.has(subject) || subject === 'outsider'))
  if (onGroup) {
    const world = writes ? await groupWorld() : shared
    const caller = isRole(subject) ? holderOf(subject) : subject === 'outsider' ? eve : olga
    const token = isRole(subject) || subject === 'outsider' ? caller.token : broken.olga[subject]
    return {
      ...world,
      subject,
      kind: 'group',
      token,
      me: idOf(caller),
      claimed: idOf(caller),
      own: world.message,
      at: { member: idOf(max), admin: idOf(ana), owner: idOf(olga), removed: idOf(remy), newcomer: idOf(fay) },
    }
  }
  const caller = subject === 'outsider' ? eve : ada
  return {
    conversation: direct,
    first: fromBob,
    message: fromBob,
    file: directFile,
    removal: 0,
    later: 0,
    laterFile: directFile,
    subject,
    kind: 'direct',
    token: BROKEN.has(subject) ? broken.ada[subject] : caller.token,
    me: idOf(caller),
    claimed: subject === 'other_id' ? idOf(bob) : idOf(caller),
    own: fromAda,
    at: { member: idOf(bob), admin: 0, owner: 0, removed: 0, newcomer: idOf(fay) },
  }
}

const db = (): typeof srv.server.database.db => srv.server.database.db
const modelKey = (model: string): string => model[0]!.toLowerCase() + model.slice(1)

/** Every row of every table (the schema's models), each table's rows in a stable order. */
async function snapshot(): Promise<Record<string, string[]>> {
  const state: Record<string, string[]> = {}
  for (const model of Object.values(Prisma.ModelName)) {
    const rows: unknown[] = await (db() as any)[modelKey(model)].findMany()
    state[model] = rows.map((r) => JSON.stringify(r)).sort()
  }
  return state
}

// Cells run one at a time and nothing else writes, so the database after a cell that changed nothing
// is the database before the next: read once per cell, not twice. (Were that wrong, a check would
// fail, never pass wrongly.)
let known: Record<string, string[]> | undefined

/** Each user's standing in a conversation: their role, or `removed`. */
async function standing(conversationId: number): Promise<Record<number, string>> {
  const rows = await db().conversationParticipant.findMany({ where: { conversation_id: conversationId }, select: { user_id: true, role: true, removed_at: true } })
  return Object.fromEntries(rows.map((r) => [r.user_id, r.removed_at === null ? r.role : 'removed']))
}

/**
 * What an accepted call did, checked after each of its 2xx cells: `standing`, the change to the
 * members and roles (the rest stay as they were); `nothing`, no row of any table changed; `check`,
 * what the answer or the database must hold.
 */
interface Effect {
  standing?: (s: Scene) => Record<number, string>
  nothing?: true
  check?: (s: Scene, body: any) => Promise<void> | void
}

const group = (s: Scene): string => `/api/conversations/${s.conversation}`
const member = (s: Scene, userId: number): string => `${group(s)}/members/${userId}`
const remove = (s: Scene, api: Api, userId: number): Promise<Answer> => api.request('DELETE', member(s, userId))
const setRole = (s: Scene, api: Api, userId: number, role: string): Promise<Answer> => api.patch(member(s, userId), { role })

const requests: Record<string, (s: Scene, api: Api) => Promise<Answer>> = {
  'GET /api/health': (_s, api) => api.get('/api/health'),
  'POST /api/auth/register': (_s, api) => api.post('/api/auth/register', { username: `fresh${++registered}`, password: PASSWORD }),
  'POST /api/auth/login': (_s, api) => api.post('/api/auth/login', { username: eve.user.username, password: PASSWORD }),
  'GET /api/me': (_s, api) => api.get('/api/me'),
  'GET /api/users': (_s, api) => api.get('/api/users?query=a'),
  'GET /api/conversations/:userId': (s, api) => api.get(`/api/conversations/${s.claimed}`),
  // other_id: Ada asks for a conversation between Bob and Eve.
  'POST /api/conversations': (s, api) =>
    api.post('/api/conversations', s.subject === 'other_id' ? { participant1_id: idOf(bob), participant2_id: idOf(eve) } : { participant1_id: idOf(ada), participant2_id: idOf(bob) }),
  'GET /api/messages/:conversationId': (s, api) => api.get(`/api/messages/${s.conversation}`),
  'POST /api/messages/:conversationId': (s, api) => api.post(`/api/messages/${s.conversation}`, { content: 'hi', sender_id: s.claimed }),
  'PATCH /api/messages/:messageId': (s, api) => api.patch(`/api/messages/${s.subject === 'own_read' ? s.own : s.message}`, { is_read: true }),
  'POST /api/files': (_s, api) => api.request('POST', '/api/files', form('x', 'x.txt')),
  'GET /api/files/:name': (s, api) => api.get(s.file),
  'GET /api/files/:name · attached after the removal': (s, api) => api.get(s.laterFile),
  // Fay, so that Eve shares nothing with Bob (the outsider's presence cell) and Rémy stays in no group.
  'POST /api/groups': (s, api) => api.post('/api/groups', { title: 'New crew', member_ids: [s.at.newcomer] }),
  'PATCH /api/conversations/:conversationId · title': (s, api) => api.patch(group(s), { title: 'Renamed' }),
  'PATCH /api/conversations/:conversationId · muted': (s, api) => api.patch(group(s), { muted: true }),
  'PATCH /api/conversations/:conversationId · title and muted': (s, api) => api.patch(group(s), { title: 'Renamed', muted: true }),
  'POST /api/conversations/:conversationId/members · someone new': (s, api) => api.post(`${group(s)}/members`, { user_ids: [s.at.newcomer] }),
  'POST /api/conversations/:conversationId/members · oneself': (s, api) => api.post(`${group(s)}/members`, { user_ids: [s.me] }),
  [`${MEMBERS} · oneself`]: (s, api) => remove(s, api, s.me),
  [`${MEMBERS} · a member`]: (s, api) => remove(s, api, s.at.member),
  [`${MEMBERS} · an admin`]: (s, api) => remove(s, api, s.at.admin),
  [`${MEMBERS} · the owner`]: (s, api) => remove(s, api, s.at.owner),
  [`${MEMBERS} · the removed member`]: (s, api) => remove(s, api, s.at.removed),
  [`${ROLE} · a member to admin`]: (s, api) => setRole(s, api, s.at.member, 'admin'),
  [`${ROLE} · an admin to member`]: (s, api) => setRole(s, api, s.at.admin, 'member'),
  [`${ROLE} · a member to owner`]: (s, api) => setRole(s, api, s.at.member, 'owner'),
  [`${ROLE} · the owner to admin`]: (s, api) => setRole(s, api, s.at.owner, 'admin'),
  [`${ROLE} · oneself to admin`]: (s, api) => setRole(s, api, s.me, 'admin'),
  [`${ROLE} · oneself to owner`]: (s, api) => setRole(s, api, s.me, 'owner'),
  [`${ROLE} · the removed member to admin`]: (s, api) => setRole(s, api, s.at.removed, 'admin'),
  'GET /api/messages/:messageId/reads': (s, api) => api.get(`/api/messages/${s.subject === 'own_read' ? s.own : s.message}/reads`),
  'GET /api/messages/:messageId/reads · sent after the removal': (s, api) => api.get(`/api/messages/${s.later}/reads`),
}

async function expectTitle(s: Scene, title: string): Promise<void> {
  expect((await db().conversation.findUniqueOrThrow({ where: { conversation_id: s.conversation } })).title).toBe(title)
}
/** The caller's own muted is set, and nobody else's. */
async function expectMutedByCallerOnly(s: Scene): Promise<void> {
  const rows = await db().conversationParticipant.findMany({ where: { conversation_id: s.conversation }, select: { user_id: true, muted: true } })
  expect(rows.filter((r) => r.muted).map((r) => r.user_id)).toEqual([s.me])
}

const EFFECTS: Record<string, Effect> = {
  // The group's view: a member's latest message is Max's after the removal; the removed member's, the notice of the removal.
  'GET /api/conversations/:userId': {
    check: (s, body: ConversationDto[]) => {
      if (s.kind !== 'group') return
      const entry = body.find((c) => c.conversation_id === s.conversation)
      expect(entry?.messages.map((m) => m.message_id)).toEqual([s.subject === 'removed' ? s.removal : s.later])
    },
  },
  // A member reads on to Max's message after the removal; the removed member's history ends at the notice of the removal.
  'GET /api/messages/:conversationId': {
    check: (s, body: MessageDto[]) => {
      if (s.kind !== 'group') return
      const ids = body.map((m) => m.message_id)
      expect(ids).toContain(s.message)
      expect(ids.at(-1)).toBe(s.subject === 'removed' ? s.removal : s.later)
    },
  },
  // The caller is the new group's owner, the one named its member.
  'POST /api/groups': {
    check: (s, body: ConversationDto) => {
      expect(body.kind).toBe('group')
      expect(Object.fromEntries(body.participants.map((p) => [p.user_id, p.role]))).toEqual({ [s.me]: 'owner', [s.at.newcomer]: 'member' })
    },
  },
  'PATCH /api/conversations/:conversationId · title': { standing: () => ({}), check: (s) => expectTitle(s, 'Renamed') },
  'PATCH /api/conversations/:conversationId · muted': { standing: () => ({}), check: (s) => expectMutedByCallerOnly(s) },
  'PATCH /api/conversations/:conversationId · title and muted': {
    standing: () => ({}),
    check: async (s) => {
      await expectTitle(s, 'Renamed')
      await expectMutedByCallerOnly(s)
    },
  },
  'POST /api/conversations/:conversationId/members · someone new': { standing: (s) => ({ [s.at.newcomer]: 'member' }) },
  // Already in: nothing to add, no notice.
  'POST /api/conversations/:conversationId/members · oneself': { nothing: true },
  // An owner who leaves hands the group to the longest-standing admin: Adam.
  [`${MEMBERS} · oneself`]: { standing: (s) => ({ [s.me]: 'removed', ...(s.subject === 'owner' ? { [idOf(adam)]: 'owner' } : {}) }) },
  [`${MEMBERS} · a member`]: { standing: (s) => ({ [s.at.member]: 'removed' }) },
  [`${MEMBERS} · an admin`]: { standing: (s) => ({ [s.at.admin]: 'removed' }) },
  [`${ROLE} · a member to admin`]: { standing: (s) => ({ [s.at.member]: 'admin' }) },
  [`${ROLE} · an admin to member`]: { standing: (s) => ({ [s.at.admin]: 'member' }) },
  // Handing ownership over: the old owner becomes an admin.
  [`${ROLE} · a member to owner`]: { standing: (s) => ({ [s.at.member]: 'owner', [s.me]: 'admin' }) },
  // An admin already: nothing changes.
  [`${ROLE} · oneself to admin`]: { nothing: true },
  // Who has read Max's first message: Ana, to each who may ask, the removed member too; his later one: nobody yet.
  'GET /api/messages/:messageId/reads': {
    check: (s, body: ReadReceiptDto[]) => {
      if (s.kind === 'group') expect(body.map((r) => r.user.user_id)).toEqual([idOf(ana)])
    },
  },
  'GET /api/messages/:messageId/reads · sent after the removal': { check: (_s, body: ReadReceiptDto[]) => expect(body).toEqual([]) },
}

async function rest(operation: string, s: Scene): Promise<Answer> {
  const request = requests[operation]
  if (!request) throw new Error(`no request written for ${operation}`)
  return request(s, new Api(srv.url, s.token))
}

async function socket(operation: string, s: Scene): Promise<Cell> {
  if (BROKEN.has(s.subject)) {
    const err = await refused(srv.url, s.token === undefined ? {} : { token: s.token })
    expect(err.data).toMatchObject({ code: 'unauthorized' })
    return 'refused'
  }
  const client = await connect(srv.url, s.token)
  const event = operation.replace('socket ', '')
  // Presence is asked about someone online who shares the conversation: Bob, or in a group Max.
  const online = s.kind === 'group' ? max : bob
  const payloads: Record<string, unknown> = {
    join_conversation: { conversation_id: s.conversation, user_id: s.claimed },
    leave_conversation: { conversation_id: s.conversation, user_id: s.claimed },
    send_message: { conversation_id: s.conversation, content: 'hi', sender_id: s.claimed },
    mark_as_read: { message_id: s.subject === 'own_read' ? s.own : s.message, conversation_id: s.conversation },
    typing: { conversation_id: s.conversation, is_typing: true },
    sync: { after_message_id: s.kind === 'group' ? s.first - 1 : 0 },
    get_presence: { user_ids: [idOf(online)] },
  }
  if (!(event in payloads)) throw new Error(`no payload written for ${event}`)
  const onlineSocket = event === 'get_presence' ? await connect(srv.url, online.token) : null
  const ack = await call(client, event as never, payloads[event])
  client.disconnect()
  onlineSocket?.disconnect()
  const cutOff = s.subject === 'outsider' || s.subject === 'removed'
  if (event === 'get_presence' && ack.ok) expect(ack.online).toEqual(cutOff ? [] : [idOf(online)])
  if (event === 'sync' && ack.ok) {
    const seen = (ack.messages as MessageDto[]).filter((m) => m.conversation_id === s.conversation).map((m) => m.message_id)
    // An outsider's catch-up holds nothing of the conversation; the removed member's, the group up to the notice of the removal.
    if (s.subject === 'outsider') expect(seen).toEqual([])
    else if (s.subject === 'removed') {
      expect(seen).toContain(s.message)
      expect(seen.at(-1)).toBe(s.removal)
    } else if (s.kind === 'group') expect(seen.at(-1)).toBe(s.later)
    else expect(seen.length).toBeGreaterThan(0)
  }
  return ack.ok ? 'ok' : ack.error.code
}

describe('authorization matrix', () => {
  const cases = MATRIX.flatMap(([operation, ...cells]) =>
    cells.map((expected, i) => ({ operation, subject: SUBJECTS[i]!, expected })).filter((c) => c.expected !== '-'),
  )
  // Named by hand: it.each would cut the operation at 40 characters.
  for (const { operation, subject, expected } of cases) it(`${operation} as ${subject} → ${expected}`, async () => {
    const effect = isRefusal(expected) ? undefined : EFFECTS[operation]
    const writes = !isRefusal(expected) && !reads(operation) && !effect?.nothing
    // A write (and the group made for it) changes the database: what was known of it is forgotten.
    if (writes) known = undefined
    const s = await sceneFor(operation, subject, writes)
    const before = writes ? undefined : (known ?? (await snapshot()))
    known = undefined
    const standingBefore = effect?.standing ? await standing(s.conversation) : undefined
    let actual: Cell
    let body: unknown
    if (operation.startsWith('socket ')) actual = await socket(operation, s)
    else ({ status: actual, body } = await rest(operation, s))
    expect(actual, JSON.stringify(body)).toBe(expected)
    if (before) {
      known = await snapshot()
      expect(known, `${operation} as ${subject} changed the database`).toEqual(before)
    }
    if (standingBefore) expect(await standing(s.conversation)).toEqual({ ...standingBefore, ...effect!.standing!(s) })
    await effect?.check?.(s, body)
  })

  it('has a row for every route the server registers and every client event of the contract', () => {
    // HEAD routes are Fastify's twins of the GET routes: same hooks, same handler.
    const routes = srv.server.routes.filter((r) => r.method !== 'HEAD').map((r) => `${r.method} ${r.url}`)
    expect(routes).toEqual(expect.arrayContaining(Object.keys(NOT_IN_MATRIX)))
    const expected = [...routes.filter((r) => !Object.hasOwn(NOT_IN_MATRIX, r)), ...Object.keys(clientEventPayloads).map((e) => `socket ${e}`)]
    expect([...new Set(MATRIX.map(([operation]) => routeOf(operation)))].sort()).toEqual(expected.sort())
    expect(new Set(MATRIX.map(([operation]) => operation)).size).toBe(MATRIX.length)
    for (const row of MATRIX) expect(row, row[0]).toHaveLength(SUBJECTS.length + 1)
    // Every REST row has its request and every effect its row.
    for (const [operation] of MATRIX) if (!operation.startsWith('socket ')) expect(requests, operation).toHaveProperty([operation])
    for (const operation of Object.keys(EFFECTS)) expect(MATRIX.map(([op]) => op), operation).toContain(operation)
  })
})
