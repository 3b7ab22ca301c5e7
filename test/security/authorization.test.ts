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
// a file, before Max posted another of each). Before the removal Olga, Adam, Mia and Rémy each posted
// a message of their own, Max edited his once and those four reacted 👍 to it; after it Max edited his
// later one and Olga reacted ❤️ to the first, a change the removed member is not to see. In the
// one-to-one chat Bob edited his message to Ada once and Ada reacted 👍 to it. Rows that exist only in
// a group (the group routes, the `· … after the removal` rows, and the `· … a notice` rows, which act on
// the server's notice that the group was made) name a group in the columns none to outsider too, with
// tokens that claim to be its owner. A cell that may change something (an accepted write) gets a group
// made for it alone, and an accepted message action in the one-to-one chat messages made for it alone,
// so what it changes decides no other cell; every other cell uses one group made alike, which stays as
// made because each of those cells is checked to change nothing.
// A row named `route · case` is one case of the route: who the call names (oneself, a member, an
// admin, the owner, the removed member), whose message it acts on (one's own, someone else's: Bob's or
// Max's, a notice) and what it asks. A route's row without a case is the seed's call:
// PATCH /api/messages/:messageId marks read, sync goes by after_message_id.
// Cells: an HTTP status, or for socket events `ok`, an error code, or `refused` (the handshake fails).
// `-` means the column does not apply to the operation.
// Every cell but an accepted write also proves it changed nothing: every row of every table is the
// same afterwards. That covers each refusal (4xx, an error code, a refused handshake), each read, and
// the writes that have nothing to do (adding someone already in, making an admin an admin, a reaction
// already there, taking back one that is not). Accepted group changes are checked for what they did:
// the members and roles afterwards are those before with exactly the row's change, and a title or
// muted flag as asked. Accepted message actions (an edit, a deletion, a reaction added or taken back)
// are checked row by row: every table afterwards differs from before in exactly the rows the action
// is for (the message; its versions, attachments, files and reactions as the action changes them;
// the change feed one position on), and a deleted message's files are gone from storage.
// The rows are every route the server registers and every client event of the contract: a test derives
// both lists from the running server and the contract's payload schemas, so a new one without a row fails.
import { existsSync } from 'node:fs'
import path from 'node:path'
import { SignJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadOrCreateSecret } from '../../electron/server/auth/tokens'
import { Prisma } from '../../electron/server/db/generated/sqlite/client'
import type { ConversationDto, MessageDto, MessageVersionDto, ReadReceiptDto, SearchPageDto } from '../../electron/shared/dto'
import type { SyncResult } from '../../electron/shared/events'
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
/** The route of a row: its operation without the ` · case`. */
const routeOf = (operation: string): string => operation.split(' · ')[0]!
/** Reads: the GET routes, login, and the events that store nothing. Every other row's accepted cells may write. */
const READ_EVENTS = new Set(['socket join_conversation', 'socket leave_conversation', 'socket typing', 'socket sync', 'socket get_presence'])
const reads = (operation: string): boolean => operation.startsWith('GET ') || operation === 'POST /api/auth/login' || READ_EVENTS.has(routeOf(operation))

const MEMBERS = 'DELETE /api/conversations/:conversationId/members/:userId'
const ROLE = 'PATCH /api/conversations/:conversationId/members/:userId'
const HISTORY = 'GET /api/messages/:conversationId'
const EDIT = 'PATCH /api/messages/:messageId'
const DELETE = 'DELETE /api/messages/:messageId'
const REACT = 'PUT /api/messages/:messageId/reactions/:emoji'
const UNREACT = 'DELETE /api/messages/:messageId/reactions/:emoji'
const VERSIONS = 'GET /api/messages/:messageId/edits'
const SEARCH = 'GET /api/search'

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
  [`${HISTORY} · around a message`,                                  401,       401,       401,       401,       403,         '-',         200,        '-',         200,   200,   200,         200],
  [`${HISTORY} · around a message sent after the removal`,           401,       401,       401,       401,       403,         '-',         '-',        '-',         200,   200,   200,         404],
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
  [`${EDIT} · edit own`,                                             401,       401,       401,       401,       403,         '-',         200,        '-',         200,   200,   200,         403],
  [`${EDIT} · edit someone else's`,                                  401,       401,       401,       401,       403,         '-',         403,        '-',         403,   403,   403,         403],
  [`${EDIT} · edit a notice`,                                        401,       401,       401,       401,       403,         '-',         '-',        '-',         403,   403,   403,         403],
  [`${DELETE} · own`,                                                401,       401,       401,       401,       403,         '-',         200,        '-',         200,   200,   200,         403],
  [`${DELETE} · someone else's`,                                     401,       401,       401,       401,       403,         '-',         403,        '-',         200,   200,   403,         403],
  [`${DELETE} · a notice`,                                           401,       401,       401,       401,       403,         '-',         '-',        '-',         403,   403,   403,         403],
  [REACT,                                                            401,       401,       401,       401,       403,         '-',         200,        '-',         200,   200,   200,         403],
  [`${REACT} · one already there`,                                   401,       401,       401,       401,       403,         '-',         200,        '-',         200,   200,   200,         403],
  [`${REACT} · a notice`,                                            401,       401,       401,       401,       403,         '-',         '-',        '-',         403,   403,   403,         403],
  [UNREACT,                                                          401,       401,       401,       401,       403,         '-',         200,        '-',         200,   200,   200,         403],
  [`${UNREACT} · one not there`,                                     401,       401,       401,       401,       403,         '-',         200,        '-',         200,   200,   200,         403],
  [SEARCH,                                                           401,       401,       401,       401,       403,         '-',         200,        '-',         200,   200,   200,         200],
  [`${SEARCH} · everywhere`,                                         401,       401,       401,       401,       200,         '-',         200,        '-',         200,   200,   200,         200],
  [VERSIONS,                                                         401,       401,       401,       401,       403,         '-',         200,        '-',         200,   200,   200,         200],
  [`${VERSIONS} · sent after the removal`,                           401,       401,       401,       401,       403,         '-',         '-',        '-',         200,   200,   200,         404],
  ['socket join_conversation',                                       'refused', 'refused', 'refused', 'refused', 'forbidden', 'forbidden', 'ok',       '-',         'ok',  'ok',  'ok',        'forbidden'],
  ['socket leave_conversation',                                      'refused', 'refused', 'refused', 'refused', 'forbidden', 'forbidden', 'ok',       '-',         'ok',  'ok',  'ok',        'forbidden'],
  ['socket send_message',                                            'refused', 'refused', 'refused', 'refused', 'forbidden', 'forbidden', 'ok',       '-',         'ok',  'ok',  'ok',        'forbidden'],
  ['socket mark_as_read',                                            'refused', 'refused', 'refused', 'refused', 'forbidden', '-',         'ok',       'forbidden', 'ok',  'ok',  'ok',        'forbidden'],
  ['socket typing',                                                  'refused', 'refused', 'refused', 'refused', 'forbidden', '-',         'ok',       '-',         'ok',  'ok',  'ok',        'forbidden'],
  ['socket sync',                                                    'refused', 'refused', 'refused', 'refused', 'ok',        '-',         'ok',       '-',         'ok',  'ok',  'ok',        'ok'],
  ['socket sync · after_seq',                                        'refused', 'refused', 'refused', 'refused', 'ok',        '-',         'ok',       '-',         'ok',  'ok',  'ok',        'ok'],
  ['socket get_presence',                                            'refused', 'refused', 'refused', 'refused', 'ok',        '-',         'ok',       '-',         'ok',  'ok',  'ok',        'ok'],
]
// Health, register and login are public: any token, good or bad, changes nothing about them.
// sync and get_presence answer anyone signed in, but only about their own conversations and contacts:
// the runner checks that an outsider learns nothing of the one-to-one chat or of Bob, and that the
// removed member gets the group's history up to the notice of their removal and nothing after it,
// and no presence of its members; by after_seq (from the position before the group was made) every
// message up to the notice, as they are now (as the history answers them: Olga's ❤️ after the removal
// included), and no read position of the group. Removing or promoting someone already removed is a 404 for every current member
// (the target is looked up before the caller's rights), and changes nothing: the end of the removed
// member's history stays where it was.
// Message actions: the removed member may no longer edit, delete or react to their own message (403)
// but still reads what came before the removal, around a message and its versions too (200); what
// came after it is not there for them (404). Editing someone else's message is refused to everyone,
// the owner too; deleting it is the owner's and admins' in a group, nobody's in a one-to-one chat. The
// server's notices are nobody's to edit, delete or react to, not even the owner's whose act they
// record. An outsider has no message in the chat: their cells in `· own` rows act on Ada's.

/** Routes that are not in the table, and why. */
const NOT_IN_MATRIX: Record<string, string> = {
  'GET /': "the web client's page: public and static (test/server/web-client.test.ts)",
}
/**
 * Rows that exist only in a group (the group routes, who read a message, and the cases of what came
 * after the removal or of a notice): their columns none to outsider, all refused, name the shared group too.
 */
const GROUP_ROWS = new Set(
  MATRIX.map(([operation]) => operation).filter((op) => /\/api\/conversations\/:conversationId|\/reads$/.test(routeOf(op)) || / · .*(after the removal|a notice)$/.test(op)),
)

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

const reactionPath = (messageId: number, emoji: string): string => `/api/messages/${messageId}/reactions/${encodeURIComponent(emoji)}`

/** A group as each role cell finds it. */
interface World {
  conversation: number
  /** The change feed's position before it was made: where a catch-up by after_seq starts. */
  from: number
  /** Its first message: the notice that it was made (by Olga). */
  first: number
  /** A message each of Olga, Adam, Mia and Rémy posted before the removal. */
  mine: Record<Role, number>
  /** Max's message, with `file`, before Rémy's removal; edited once, Ana has read it, the four above reacted 👍 to it, Olga ❤️ after the removal. */
  message: number
  file: string
  /** The notice of Rémy's removal: the last message Rémy may see. */
  removal: number
  /** Max's message, with `laterFile`, after the removal; edited once. */
  later: number
  laterFile: string
}

/** Where the change feed stands. */
const position = async (): Promise<number> => (await db().changeFeed.findUnique({ where: { id: 1 } }))?.seq ?? 0

async function groupWorld(): Promise<World> {
  const from = await position()
  const made = ok<ConversationDto>(await olga.api.post('/api/groups', { title: 'Crew', member_ids: [adam, ana, mia, max, remy].map(idOf) }), 201)
  const g = made.conversation_id
  for (const p of [adam, ana]) ok(await olga.api.patch(`/api/conversations/${g}/members/${idOf(p)}`, { role: 'admin' }), 200)
  const mine = {} as Record<Role, number>
  for (const role of ['owner', 'admin', 'member', 'removed'] as const) {
    const p = holderOf(role)
    mine[role] = ok(await p.api.post(`/api/messages/${g}`, { content: `${role}'s own`, sender_id: idOf(p) }), 201).message_id
  }
  const file = ok(await max.api.request('POST', '/api/files', form('before', 'before.txt')), 201).file_url as string
  const message = ok(await max.api.post(`/api/messages/${g}`, { content: 'before', sender_id: idOf(max), attachments: [{ file_url: file }] }), 201).message_id as number
  ok(await max.api.patch(`/api/messages/${message}`, { content: 'before, edited' }), 200)
  ok(await ana.api.patch(`/api/messages/${message}`, { is_read: true }), 200)
  for (const p of [olga, adam, mia, remy]) ok(await p.api.request('PUT', reactionPath(message, '👍')), 200)
  const removal = ok<ConversationDto>(await olga.api.request('DELETE', `/api/conversations/${g}/members/${idOf(remy)}`), 200).messages[0]!.message_id
  const laterFile = ok(await max.api.request('POST', '/api/files', form('after', 'after.txt')), 201).file_url as string
  const later = ok(await max.api.post(`/api/messages/${g}`, { content: 'after', sender_id: idOf(max), attachments: [{ file_url: laterFile }] }), 201).message_id as number
  ok(await max.api.patch(`/api/messages/${later}`, { content: 'after, edited' }), 200)
  ok(await olga.api.request('PUT', reactionPath(message, '❤️')), 200)
  return { from, conversation: g, first: made.messages[0]!.message_id, mine, message, file, removal, later, laterFile }
}

/** One-to-one messages for an accepted action alone: Bob's, which Ada reacted 👍 to, and Ada's. */
async function directWorld(): Promise<{ message: number; own: number }> {
  const message = ok(await bob.api.post(`/api/messages/${direct}`, { content: 'to ada, again', sender_id: idOf(bob) }), 201).message_id as number
  ok(await ada.api.request('PUT', reactionPath(message, '👍')), 200)
  const own = ok(await ada.api.post(`/api/messages/${direct}`, { content: 'to bob, again', sender_id: idOf(ada) }), 201).message_id as number
  return { message, own }
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
  ok(await bob.api.patch(`/api/messages/${fromBob}`, { content: 'to ada, edited' }), 200)
  ok(await ada.api.request('PUT', reactionPath(fromBob, '👍')), 200)
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
  /** The caller's own message: Ada's, or in a group each role's; for the outsider and broken tokens Ada's, or in a group Max's. */
  own: number
  /** The ids the calls name: a member other than the caller (one-to-one: Bob), an admin, the owner, the removed member, and Fay, in none of them. */
  at: { member: number; admin: number; owner: number; removed: number; newcomer: number }
}

const holderOf = (role: Role): Person => ({ owner: olga, admin: adam, member: mia, removed: remy })[role]

async function sceneFor(operation: string, subject: Subject, writes: boolean, acts: boolean): Promise<Scene> {
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
      own: isRole(subject) ? world.mine[subject] : world.message,
      at: { member: idOf(max), admin: idOf(ana), owner: idOf(olga), removed: idOf(remy), newcomer: idOf(fay) },
    }
  }
  const caller = subject === 'outsider' ? eve : ada
  const fresh = writes && acts ? await directWorld() : { message: fromBob, own: fromAda }
  return {
    from: 0,
    conversation: direct,
    first: fromBob,
    mine: { owner: 0, admin: 0, member: 0, removed: 0 },
    message: fresh.message,
    file: directFile,
    removal: 0,
    later: 0,
    laterFile: directFile,
    subject,
    kind: 'direct',
    token: BROKEN.has(subject) ? broken.ada[subject] : caller.token,
    me: idOf(caller),
    claimed: subject === 'other_id' ? idOf(bob) : idOf(caller),
    own: fresh.own,
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
 * members and roles (the rest stay as they were); `nothing`, no row of any table changed; `rows`, for
 * a message action, every row that differs afterwards (each table's rows before and after; a table
 * not named is unchanged); `check`, what the answer or the database must hold.
 */
interface Effect {
  standing?: (s: Scene) => Record<number, string>
  nothing?: true
  rows?: (s: Scene, was: Tables) => Changes
  check?: (s: Scene, body: any) => Promise<void> | void
}

/** Every row of every table, parsed. */
type Tables = Record<string, any[]>
/** Per table, the rows that were there only before and those there only after. */
type Changes = Record<string, { before: any[]; after: any[] }>

const parsed = (state: Record<string, string[]>): Tables => Object.fromEntries(Object.entries(state).map(([model, rows]) => [model, rows.map((r) => JSON.parse(r))]))
function changesBetween(before: Record<string, string[]>, after: Record<string, string[]>): Changes {
  const changes: Changes = {}
  for (const model of Object.keys(after)) {
    const was = new Set(before[model]), is = new Set(after[model])
    const gone = before[model]!.filter((r) => !is.has(r)), come = after[model]!.filter((r) => !was.has(r))
    if (gone.length + come.length > 0) changes[model] = { before: gone.map((r) => JSON.parse(r)), after: come.map((r) => JSON.parse(r)) }
  }
  return changes
}

const rowOf = (was: Tables, messageId: number): any => was.Message!.find((m) => m.message_id === messageId)
const of = (was: Tables, model: string, messageId: number): any[] => was[model]!.filter((r) => r.message_id === messageId)
/** Every message action takes the change feed's next position, and the message carries it. */
function feedOn(was: Tables): { feed: Changes; seq: number } {
  const feed = was.ChangeFeed![0]
  return { feed: { ChangeFeed: { before: [feed], after: [{ ...feed, seq: feed.seq + 1 }] } }, seq: feed.seq + 1 }
}
/** An edit: the message's new text and time, its old text kept as a version. */
function edited(was: Tables, messageId: number): Changes {
  const m = rowOf(was, messageId)
  const { feed, seq } = feedOn(was)
  return {
    ...feed,
    Message: { before: [m], after: [{ ...m, content: EDITED, edited_at: expect.any(String), seq }] },
    MessageVersion: { before: [], after: [{ version_id: expect.any(Number), message_id: messageId, content: m.content, written_at: m.edited_at ?? m.created_at }] },
  }
}
/** A deletion: the tombstone; its attachments, versions and reactions gone, and its files unless another message uses them. */
function deleted(was: Tables, messageId: number): Changes {
  const m = rowOf(was, messageId)
  const { feed, seq } = feedOn(was)
  const attachments = of(was, 'MessageAttachment', messageId)
  const stillUsed = (url: string): boolean => was.MessageAttachment!.some((a) => a.file_url === url && a.message_id !== messageId)
  const files = was.StoredFile!.filter((f) => attachments.some((a) => a.file_url === `/api/files/${f.stored_name}` && !stillUsed(a.file_url)))
  const changes: Changes = {
    ...feed,
    Message: { before: [m], after: [{ ...m, content: '', edited_at: null, deleted_at: expect.any(String), seq }] },
    MessageAttachment: { before: attachments, after: [] },
    MessageVersion: { before: of(was, 'MessageVersion', messageId), after: [] },
    Reaction: { before: of(was, 'Reaction', messageId), after: [] },
    StoredFile: { before: files, after: [] },
  }
  return Object.fromEntries(Object.entries(changes).filter(([, c]) => c.before.length + c.after.length > 0))
}
/** A reaction added or taken back: that one row, and the message's position. */
function reacted(was: Tables, s: Scene, emoji: string, on: boolean): Changes {
  const m = rowOf(was, s.message)
  const { feed, seq } = feedOn(was)
  const mine = on ? { message_id: s.message, user_id: s.me, emoji, created_at: expect.any(String) } : of(was, 'Reaction', s.message).find((r) => r.user_id === s.me && r.emoji === emoji)
  expect(mine, 'the reaction to take back is there before').toBeDefined()
  return { ...feed, Message: { before: [m], after: [{ ...m, seq }] }, Reaction: on ? { before: [], after: [mine] } : { before: [mine], after: [] } }
}
/** A deleted message's files are gone from the files folder (none of them is used by another message here). */
async function expectFilesGone(urls: string[]): Promise<void> {
  for (const url of urls) expect(existsSync(path.join(srv.dataDir, 'files', url.slice('/api/files/'.length))), url).toBe(false)
}

const EDITED = 'edited by its sender'
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
  // Every message the setup edited holds "edited": Bob's to Ada, Max's before and after the removal.
  [SEARCH]: (s, api) => api.get(`/api/search?q=edited&conversation_id=${s.conversation}`),
  [`${SEARCH} · everywhere`]: (_s, api) => api.get('/api/search?q=edited'),
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
  [`${HISTORY} · around a message`]: (s, api) => api.get(`/api/messages/${s.conversation}?around=${s.message}`),
  [`${HISTORY} · around a message sent after the removal`]: (s, api) => api.get(`/api/messages/${s.conversation}?around=${s.later}`),
  [`${EDIT} · edit own`]: (s, api) => api.patch(`/api/messages/${s.own}`, { content: EDITED }),
  [`${EDIT} · edit someone else's`]: (s, api) => api.patch(`/api/messages/${s.message}`, { content: EDITED }),
  [`${EDIT} · edit a notice`]: (s, api) => api.patch(`/api/messages/${s.first}`, { content: EDITED }),
  [`${DELETE} · own`]: (s, api) => api.request('DELETE', `/api/messages/${s.own}`),
  [`${DELETE} · someone else's`]: (s, api) => api.request('DELETE', `/api/messages/${s.message}`),
  [`${DELETE} · a notice`]: (s, api) => api.request('DELETE', `/api/messages/${s.first}`),
  // 🎉 is nobody's yet; 👍 is already the caller's (each role's but Ana's and Max's, Ada's on Bob's).
  [REACT]: (s, api) => api.request('PUT', reactionPath(s.message, '🎉')),
  [`${REACT} · one already there`]: (s, api) => api.request('PUT', reactionPath(s.message, '👍')),
  [`${REACT} · a notice`]: (s, api) => api.request('PUT', reactionPath(s.first, '👍')),
  [UNREACT]: (s, api) => api.request('DELETE', reactionPath(s.message, '👍')),
  [`${UNREACT} · one not there`]: (s, api) => api.request('DELETE', reactionPath(s.message, '🎉')),
  [VERSIONS]: (s, api) => api.get(`/api/messages/${s.message}/edits`),
  [`${VERSIONS} · sent after the removal`]: (s, api) => api.get(`/api/messages/${s.later}/edits`),
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
  // A page around the message holds it; the removed member's ends at the notice of the removal, a member's at Max's later message.
  [`${HISTORY} · around a message`]: {
    check: (s, body: MessageDto[]) => {
      const ids = body.map((m) => m.message_id)
      expect(ids).toContain(s.message)
      if (s.kind === 'group') expect(ids.at(-1)).toBe(s.subject === 'removed' ? s.removal : s.later)
    },
  },
  [`${HISTORY} · around a message sent after the removal`]: { check: (s, body: MessageDto[]) => expect(body.map((m) => m.message_id)).toContain(s.later) },
  [`${EDIT} · edit own`]: {
    rows: (s, was) => edited(was, s.own),
    check: (s, body: MessageDto) => expect(body).toMatchObject({ message_id: s.own, content: EDITED }),
  },
  [`${DELETE} · own`]: {
    rows: (s, was) => deleted(was, s.own),
    check: (s, body: MessageDto) => expect(body).toMatchObject({ message_id: s.own, content: '', attachments: [], reactions: [] }),
  },
  // The owner or an admin deleting Max's message: its file goes from storage too.
  [`${DELETE} · someone else's`]: {
    rows: (s, was) => deleted(was, s.message),
    check: async (s, body: MessageDto) => {
      expect(body).toMatchObject({ message_id: s.message, content: '', attachments: [], reactions: [] })
      await expectFilesGone([s.file])
    },
  },
  [REACT]: {
    rows: (s, was) => reacted(was, s, '🎉', true),
    check: (s, body: MessageDto) => expect(body.reactions.find((r) => r.emoji === '🎉')).toEqual({ emoji: '🎉', count: 1, user_ids: [s.me] }),
  },
  [`${REACT} · one already there`]: { nothing: true },
  [UNREACT]: {
    rows: (s, was) => reacted(was, s, '👍', false),
    check: (s, body: MessageDto) => expect(body.reactions.find((r) => r.emoji === '👍')?.user_ids ?? []).not.toContain(s.me),
  },
  [`${UNREACT} · one not there`]: { nothing: true },
  // In the conversation: the messages that say "edited" there, a removed member's up to the removal.
  [SEARCH]: {
    check: (s, body: SearchPageDto) => {
      const ids = body.results.map((r) => r.message.message_id)
      if (s.kind === 'group') expect(ids).toEqual(s.subject === 'removed' ? [s.message] : [s.later, s.message])
      else expect(ids).toContain(s.message)
    },
  },
  // Everywhere (the newest page of many groups' matches): an outsider finds nothing of the chat, the
  // removed member nothing of the group after the removal.
  [`${SEARCH} · everywhere`]: {
    check: (s, body: SearchPageDto) => {
      const ids = body.results.map((r) => r.message.message_id)
      if (s.subject === 'outsider') expect(ids).not.toContain(s.message)
      if (s.subject === 'removed') expect(ids).not.toContain(s.later)
    },
  },
  // The versions before the current text: Bob's first, Max's first; the removed member sees them of a message from before the removal.
  [VERSIONS]: { check: (s, body: MessageVersionDto[]) => expect(body.map((v) => v.content)).toEqual([s.kind === 'group' ? 'before' : 'to ada']) },
  [`${VERSIONS} · sent after the removal`]: { check: (_s, body: MessageVersionDto[]) => expect(body.map((v) => v.content)).toEqual(['after']) },
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
  const event = routeOf(operation).replace('socket ', '')
  // Presence is asked about someone online who shares the conversation: Bob, or in a group Max.
  const online = s.kind === 'group' ? max : bob
  const payloads: Record<string, unknown> = {
    'socket join_conversation': { conversation_id: s.conversation, user_id: s.claimed },
    'socket leave_conversation': { conversation_id: s.conversation, user_id: s.claimed },
    'socket send_message': { conversation_id: s.conversation, content: 'hi', sender_id: s.claimed },
    'socket mark_as_read': { message_id: s.subject === 'own_read' ? s.own : s.message, conversation_id: s.conversation },
    'socket typing': { conversation_id: s.conversation, is_typing: true },
    'socket sync': { after_message_id: s.kind === 'group' ? s.first - 1 : 0 },
    'socket sync · after_seq': { after_seq: s.from },
    'socket get_presence': { user_ids: [idOf(online)] },
  }
  if (!(operation in payloads)) throw new Error(`no payload written for ${operation}`)
  const onlineSocket = event === 'get_presence' ? await connect(srv.url, online.token) : null
  const ack = await call(client, event as never, payloads[operation])
  // By position, page on to the end: the feed holds every world made since.
  for (let page = ack; operation === 'socket sync · after_seq' && page.ok && page.has_more; ) {
    page = await call(client, 'sync', { after_seq: page.position })
    expect(page.ok).toBe(true)
    for (const key of ['messages', 'read_states', 'conversations'] as const) ack[key].push(...page[key])
  }
  client.disconnect()
  onlineSocket?.disconnect()
  const cutOff = s.subject === 'outsider' || s.subject === 'removed'
  if (event === 'get_presence' && ack.ok) expect(ack.online).toEqual(cutOff ? [] : [idOf(online)])
  if (event === 'sync' && ack.ok) {
    const result = ack as unknown as SyncResult
    const here = result.messages.filter((m) => m.conversation_id === s.conversation)
    const seen = here.map((m) => m.message_id)
    const bySeq = operation === 'socket sync · after_seq'
    // An outsider's catch-up holds nothing of the conversation; the removed member's, the group up to the notice of the removal.
    if (s.subject === 'outsider') {
      expect(seen).toEqual([])
      expect(result.read_states.filter((r) => r.conversation_id === s.conversation)).toEqual([])
      expect((result.conversations ?? []).filter((c) => c.conversation_id === s.conversation)).toEqual([])
    } else if (s.subject === 'removed') {
      expect(Math.max(...seen)).toBe(s.removal)
      if (bySeq) {
        // No read position of the group; its messages up to the removal as they are now (as the history answers them).
        expect(result.read_states.filter((r) => r.conversation_id === s.conversation)).toEqual([])
        expect(here.find((m) => m.message_id === s.message)?.reactions.map((r) => r.emoji)).toEqual(['👍', '❤️'])
      }
      // Yet every message up to the notice: Max's too, though Olga reacted to it after the removal.
      const upToRemoval = [s.first, ...Object.values(s.mine), s.message, s.removal]
      expect(upToRemoval.filter((id) => !seen.includes(id)), "messages up to the removal missing from the removed member's catch-up").toEqual([])
    } else if (s.kind === 'group') {
      expect(seen).toContain(s.later)
      if (bySeq) expect(here.find((m) => m.message_id === s.message)?.reactions.map((r) => r.emoji)).toEqual(['👍', '❤️'])
    } else {
      expect(seen.length).toBeGreaterThan(0)
      if (bySeq) expect(seen).toEqual(expect.arrayContaining([fromBob, fromAda]))
    }
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
    // A write (and the group or messages made for it) changes the database: what was known of it is forgotten.
    if (writes) known = undefined
    const s = await sceneFor(operation, subject, writes, effect?.rows !== undefined)
    const before = writes ? undefined : (known ?? (await snapshot()))
    const was = effect?.rows ? await snapshot() : undefined
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
    if (was) expect(changesBetween(was, await snapshot()), `what ${operation} as ${subject} changed`).toEqual(effect!.rows!(s, parsed(was)))
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
