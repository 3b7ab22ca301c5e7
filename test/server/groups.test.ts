// Groups on a real server (SQLite in `node`, PostgreSQL in `postgres`): every group route's answer and
// refusals, conversation_updated, what a removed member can no longer reach, receipts, the owner's heir,
// mute, concurrent changes and the size limit. Absence is proven by a sentinel sent after: once it has
// arrived, whatever was sent before it would have arrived too. One test holds a send at a chosen point
// (a spy on the server's own service) to make the interleaving it is about happen every time.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import type { ConversationDto, ConversationUpdateDto, MemberRole, MessageDto, MessageReadDto, ReadReceiptDto, SystemEventDto, UploadedFileDto } from '../../electron/shared/dto'
import { rooms, type PresenceEvent, type SyncResult, type TypingEvent, type UserJoinedEvent } from '../../electron/shared/events'
import { LIMITS } from '../../electron/shared/limits'
import { chatOn, type Answer, type Person } from '../helpers/api'
import { seededRandom, testSeed } from '../helpers/random'
import { noLimits, startServer, type TestServer } from '../helpers/server'
import { call, closeAllSockets, collect, connect, next, type TestSocket } from '../helpers/sockets'
import { until } from '../helpers/wait'

let srv: TestServer
beforeAll(async () => {
  srv = await startServer(noLimits)
})
afterEach(() => closeAllSockets())
afterAll(() => srv.close())

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/
const MISSING = 999_999_999
// The smallest valid PNG: 1×1 transparent pixel.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64')

const uid = (p: Person): number => p.user.user_id
/** The chat steps every server test writes (test/helpers/api.ts), on this file's server. */
const chat = (): ReturnType<typeof chatOn> => chatOn(srv.url)
const people = <N extends string[]>(...names: N): Promise<{ [K in keyof N]: Person }> => chat().people(...names)
const direct = (a: Person, b: Person): Promise<number> => chat().direct(a, b)
const say = (who: Person, conversationId: number, content: string, extra?: Record<string, unknown>): Promise<MessageDto> => chat().say(who, conversationId, content, extra)
const del = (who: Person, path: string): Promise<Answer> => who.api.request('DELETE', path)
const roles = (c: { participants: { user_id: number; role: MemberRole }[] }): [number, MemberRole][] => c.participants.map((p) => [p.user_id, p.role])

async function makeGroup(owner: Person, title: string, members: Person[]): Promise<ConversationDto> {
  const res = await owner.api.post<ConversationDto>('/api/groups', { title, member_ids: members.map(uid) })
  expect(res.status, JSON.stringify(res.body)).toBe(201)
  return res.body
}

async function historyOf(who: Person, conversationId: number, query = ''): Promise<MessageDto[]> {
  const res = await who.api.get<MessageDto[]>(`/api/messages/${conversationId}?limit=${LIMITS.pageMax}${query}`)
  expect(res.status, JSON.stringify(res.body)).toBe(200)
  return res.body
}

async function inboxOf(who: Person): Promise<ConversationDto[]> {
  const res = await who.api.get<ConversationDto[]>(`/api/conversations/${uid(who)}`)
  expect(res.status).toBe(200)
  return res.body
}

async function viewOf(who: Person, conversationId: number): Promise<ConversationDto> {
  const found = (await inboxOf(who)).find((c) => c.conversation_id === conversationId)
  expect(found, `conversation ${conversationId} in the inbox of ${who.user.display_name}`).toBeDefined()
  return found!
}

/** The notices of a conversation as [content, system], oldest first. */
async function noticesOf(who: Person, conversationId: number): Promise<[string, SystemEventDto][]> {
  return (await historyOf(who, conversationId)).flatMap((m) => (m.system ? [[m.content, m.system] as [string, SystemEventDto]] : []))
}

/** A conversation as stored: its title and kind, every participant row, and how many messages it has. */
async function stored(conversationId: number) {
  const db = srv.server.database.db
  const [conversation, rows, messages] = await Promise.all([
    db.conversation.findUnique({ where: { conversation_id: conversationId }, select: { kind: true, title: true, updated_at: true } }),
    db.conversationParticipant.findMany({
      where: { conversation_id: conversationId },
      orderBy: { user_id: 'asc' },
      select: { user_id: true, role: true, joined_at: true, removed_at: true, visible_until: true, muted: true, last_read_message_id: true },
    }),
    db.message.count({ where: { conversation_id: conversationId } }),
  ])
  return { conversation, rows, messages }
}

async function upload(who: Person, name: string): Promise<UploadedFileDto> {
  const form = new FormData()
  form.append('file', new Blob([PNG], { type: 'image/png' }), name)
  const res = await who.api.request<UploadedFileDto>('POST', '/api/files', form)
  expect(res.status, JSON.stringify(res.body)).toBe(201)
  return res.body
}

// ---- 1. every route ----

describe('the group routes on their happy path', () => {
  it('POST /api/groups: 201 with kind group, the title trimmed, the caller as owner, everyone joined at its creation, and the created notice', async () => {
    const [ada, bob, cy] = await people('Ada', 'Bob', 'Cy')
    const res = await ada.api.post<ConversationDto>('/api/groups', { title: '  Team  ', member_ids: [uid(bob), uid(cy), uid(bob), uid(ada)] })
    expect(res.status).toBe(201)
    const g = res.body
    expect(g.created_at).toMatch(ISO)
    expect(g).toEqual({
      conversation_id: expect.any(Number),
      kind: 'group',
      title: 'Team',
      created_at: g.created_at,
      updated_at: g.created_at,
      participants: [
        { ...ada.user, role: 'owner', joined_at: g.created_at },
        { ...bob.user, role: 'member', joined_at: g.created_at },
        { ...cy.user, role: 'member', joined_at: g.created_at },
      ],
      messages: [
        {
          message_id: expect.any(Number),
          conversation_id: g.conversation_id,
          sender_id: uid(ada),
          content: 'Ada created the group “Team”',
          created_at: g.created_at,
          is_read: false,
          client_id: null,
          sender: ada.user,
          attachments: [],
          system: { type: 'created', actor_id: uid(ada), user_ids: [uid(bob), uid(cy)], title: 'Team' },
          reply_to: null,
          edited_at: null,
          deleted_at: null,
          reactions: [],
        },
      ],
      unread_count: 0,
      muted: false,
    })
    // Every member has it in their inbox, alike; the history holds the notice alone.
    expect(await viewOf(bob, g.conversation_id)).toEqual(g)
    expect(await viewOf(cy, g.conversation_id)).toEqual(g)
    expect(await historyOf(cy, g.conversation_id)).toEqual(g.messages)
  })

  it('PATCH /api/conversations/:id renames (the owner, then an admin) with a renamed notice each, and mutes for the caller alone', async () => {
    const [ada, bob, cy] = await people('Ada', 'Bob', 'Cy')
    const g = (await makeGroup(ada, 'Team', [bob, cy])).conversation_id
    const renamed = await ada.api.patch<ConversationDto>(`/api/conversations/${g}`, { title: 'Plans' })
    expect(renamed.status).toBe(200)
    expect(renamed.body).toMatchObject({ conversation_id: g, kind: 'group', title: 'Plans', muted: false })
    expect(renamed.body.messages[0]).toMatchObject({ sender_id: uid(ada), content: 'Ada renamed the group to “Plans”', system: { type: 'renamed', actor_id: uid(ada), user_ids: [], title: 'Plans' } })
    expect((await ada.api.patch(`/api/conversations/${g}/members/${uid(bob)}`, { role: 'admin' })).status).toBe(200)
    const byAdmin = await bob.api.patch<ConversationDto>(`/api/conversations/${g}`, { title: 'Bob’s plans' })
    expect(byAdmin.status).toBe(200)
    expect(byAdmin.body.title).toBe('Bob’s plans')
    const muted = await cy.api.patch<ConversationDto>(`/api/conversations/${g}`, { muted: true })
    expect(muted.status).toBe(200)
    expect(muted.body).toMatchObject({ title: 'Bob’s plans', muted: true })
    expect((await viewOf(ada, g)).muted).toBe(false)
    expect((await viewOf(bob, g)).muted).toBe(false)
    // Both at once.
    const both = await ada.api.patch<ConversationDto>(`/api/conversations/${g}`, { title: 'Final', muted: true })
    expect(both.body).toMatchObject({ title: 'Final', muted: true })
    expect(await noticesOf(cy, g)).toEqual([
      ['Ada created the group “Team”', { type: 'created', actor_id: uid(ada), user_ids: [uid(bob), uid(cy)], title: 'Team' }],
      ['Ada renamed the group to “Plans”', { type: 'renamed', actor_id: uid(ada), user_ids: [], title: 'Plans' }],
      ['Ada made Bob an admin', { type: 'role_changed', actor_id: uid(ada), user_ids: [uid(bob)], role: 'admin' }],
      ['Bob renamed the group to “Bob’s plans”', { type: 'renamed', actor_id: uid(bob), user_ids: [], title: 'Bob’s plans' }],
      ['Ada renamed the group to “Final”', { type: 'renamed', actor_id: uid(ada), user_ids: [], title: 'Final' }],
    ])
  })

  it('POST /api/conversations/:id/members adds people (the owner, then an admin) with an added notice; those already in are left as they are', async () => {
    const [ada, bob, cy, dee, eve] = await people('Ada', 'Bob', 'Cy', 'Dee', 'Eve')
    const made = await makeGroup(ada, 'Team', [bob])
    const g = made.conversation_id
    const added = await ada.api.post<ConversationDto>(`/api/conversations/${g}/members`, { user_ids: [uid(cy), uid(dee), uid(bob), uid(cy)] })
    expect(added.status).toBe(200)
    const notice = added.body.messages[0]!
    expect(notice).toMatchObject({ sender_id: uid(ada), content: 'Ada added Cy and Dee', system: { type: 'added', actor_id: uid(ada), user_ids: [uid(cy), uid(dee)] } })
    expect(added.body.participants).toEqual([
      { ...ada.user, role: 'owner', joined_at: made.created_at },
      { ...bob.user, role: 'member', joined_at: made.created_at },
      { ...cy.user, role: 'member', joined_at: notice.created_at },
      { ...dee.user, role: 'member', joined_at: notice.created_at },
    ])
    expect(notice.created_at > made.created_at).toBe(true)
    // Someone already in: 200, nothing stored, nothing changed.
    const before = await stored(g)
    const again = await ada.api.post<ConversationDto>(`/api/conversations/${g}/members`, { user_ids: [uid(bob), uid(cy)] })
    expect(again.status).toBe(200)
    expect(again.body.participants).toEqual(added.body.participants)
    expect(await stored(g)).toEqual(before)
    // An admin adds too.
    expect((await ada.api.patch(`/api/conversations/${g}/members/${uid(bob)}`, { role: 'admin' })).status).toBe(200)
    const byAdmin = await bob.api.post<ConversationDto>(`/api/conversations/${g}/members`, { user_ids: [uid(eve)] })
    expect(byAdmin.status).toBe(200)
    expect(byAdmin.body.messages[0]).toMatchObject({ content: 'Bob added Eve', system: { type: 'added', actor_id: uid(bob), user_ids: [uid(eve)] } })
    expect(roles(byAdmin.body)).toEqual([
      [uid(ada), 'owner'],
      [uid(bob), 'admin'],
      [uid(cy), 'member'],
      [uid(dee), 'member'],
      [uid(eve), 'member'],
    ])
  })

  it('DELETE /api/conversations/:id/members/:userId removes (the owner an admin, an admin a member) and lets a member leave, each with its notice', async () => {
    const [ada, bob, cy, dee, eve] = await people('Ada', 'Bob', 'Cy', 'Dee', 'Eve')
    const g = (await makeGroup(ada, 'Team', [bob, cy, dee, eve])).conversation_id
    expect((await ada.api.patch(`/api/conversations/${g}/members/${uid(bob)}`, { role: 'admin' })).status).toBe(200)
    const byAdmin = await del(bob, `/api/conversations/${g}/members/${uid(cy)}`)
    expect(byAdmin.status).toBe(200)
    expect(byAdmin.body.messages[0]).toMatchObject({ sender_id: uid(bob), content: 'Bob removed Cy', system: { type: 'removed', actor_id: uid(bob), user_ids: [uid(cy)] } })
    expect(roles(byAdmin.body)).toEqual([
      [uid(ada), 'owner'],
      [uid(bob), 'admin'],
      [uid(dee), 'member'],
      [uid(eve), 'member'],
    ])
    const byOwner = await del(ada, `/api/conversations/${g}/members/${uid(bob)}`)
    expect(byOwner.status).toBe(200)
    expect(byOwner.body.messages[0]).toMatchObject({ content: 'Ada removed Bob', system: { type: 'removed', actor_id: uid(ada), user_ids: [uid(bob)] } })
    // Leaving: the answer is the group as the one who left now sees it, ending at the notice.
    const left = await del(dee, `/api/conversations/${g}/members/${uid(dee)}`)
    expect(left.status).toBe(200)
    expect(roles(left.body)).toEqual([
      [uid(ada), 'owner'],
      [uid(eve), 'member'],
    ])
    expect(left.body.messages).toEqual([expect.objectContaining({ sender_id: uid(dee), content: 'Dee left', system: { type: 'left', actor_id: uid(dee), user_ids: [] } })])
    const rows = (await stored(g)).rows
    expect(rows.map((r) => [r.user_id, r.removed_at === null])).toEqual([
      [uid(ada), true],
      [uid(bob), false],
      [uid(cy), false],
      [uid(dee), false],
      [uid(eve), true],
    ])
    // Each removed member's view ends at the notice of their own removal.
    const notices = await noticesOf(ada, g)
    expect(notices.map(([content]) => content)).toEqual(['Ada created the group “Team”', 'Ada made Bob an admin', 'Bob removed Cy', 'Ada removed Bob', 'Dee left'])
    const history = await historyOf(ada, g)
    const idOf = (content: string): number => history.find((m) => m.content === content)!.message_id
    expect(rows.map((r) => r.visible_until)).toEqual([null, idOf('Ada removed Bob'), idOf('Bob removed Cy'), idOf('Dee left'), null])
  })

  it('PATCH /api/conversations/:id/members/:userId sets roles: admins between member and admin, the owner hands ownership over and becomes an admin', async () => {
    const [ada, bob, cy] = await people('Ada', 'Bob', 'Cy')
    const g = (await makeGroup(ada, 'Team', [bob, cy])).conversation_id
    const toAdmin = await ada.api.patch<ConversationDto>(`/api/conversations/${g}/members/${uid(bob)}`, { role: 'admin' })
    expect(toAdmin.status).toBe(200)
    expect(roles(toAdmin.body)).toEqual([
      [uid(ada), 'owner'],
      [uid(bob), 'admin'],
      [uid(cy), 'member'],
    ])
    expect((await bob.api.patch(`/api/conversations/${g}/members/${uid(cy)}`, { role: 'admin' })).status).toBe(200)
    expect((await bob.api.patch(`/api/conversations/${g}/members/${uid(cy)}`, { role: 'member' })).status).toBe(200)
    // The role it already has: 200, and no notice.
    const count = (await stored(g)).messages
    const same = await bob.api.patch<ConversationDto>(`/api/conversations/${g}/members/${uid(cy)}`, { role: 'member' })
    expect(same.status).toBe(200)
    expect((await stored(g)).messages).toBe(count)
    const handOver = await ada.api.patch<ConversationDto>(`/api/conversations/${g}/members/${uid(cy)}`, { role: 'owner' })
    expect(handOver.status).toBe(200)
    expect(roles(handOver.body)).toEqual([
      [uid(ada), 'admin'],
      [uid(bob), 'admin'],
      [uid(cy), 'owner'],
    ])
    expect((await noticesOf(bob, g)).slice(1)).toEqual([
      ['Ada made Bob an admin', { type: 'role_changed', actor_id: uid(ada), user_ids: [uid(bob)], role: 'admin' }],
      ['Bob made Cy an admin', { type: 'role_changed', actor_id: uid(bob), user_ids: [uid(cy)], role: 'admin' }],
      ['Bob made Cy a member', { type: 'role_changed', actor_id: uid(bob), user_ids: [uid(cy)], role: 'member' }],
      ['Ada made Cy the owner', { type: 'role_changed', actor_id: uid(ada), user_ids: [uid(cy)], role: 'owner' }],
    ])
    // The owner cannot step down without naming someone: 400, nothing changed.
    const before = await stored(g)
    const stepDown = await cy.api.patch(`/api/conversations/${g}/members/${uid(cy)}`, { role: 'member' })
    expect(stepDown.status).toBe(400)
    expect(stepDown.body.error).toMatchObject({ code: 'bad_request', field: 'role' })
    expect(await stored(g)).toEqual(before)
  })

  it('GET /api/messages/:id/reads: nobody at first, then each reader with when they read it', async () => {
    const [ada, bob, cy] = await people('Ada', 'Bob', 'Cy')
    const g = (await makeGroup(ada, 'Team', [bob, cy])).conversation_id
    const m = await say(ada, g, 'read me')
    expect(await ada.api.get(`/api/messages/${m.message_id}/reads`)).toMatchObject({ status: 200, body: [] })
    const startedAt = new Date().toISOString()
    expect((await bob.api.patch(`/api/messages/${m.message_id}`, { is_read: true })).status).toBe(200)
    const reads = await cy.api.get<ReadReceiptDto[]>(`/api/messages/${m.message_id}/reads`)
    expect(reads.status).toBe(200)
    expect(reads.body).toEqual([{ user: bob.user, read_at: expect.stringMatching(ISO) }])
    expect(reads.body[0]!.read_at! >= startedAt.slice(0, 19)).toBe(true)
  })

  it('GET /api/conversations/:me lists groups and one-to-one chats together, newest activity first', async () => {
    const [ada, bob, cy] = await people('Ada', 'Bob', 'Cy')
    const d = await direct(ada, bob)
    const one = (await makeGroup(ada, 'One', [bob])).conversation_id
    const two = (await makeGroup(ada, 'Two', [cy])).conversation_id
    const listed = async (): Promise<[number, string, string | null][]> => (await inboxOf(ada)).map((c) => [c.conversation_id, c.kind, c.title])
    expect(await listed()).toEqual([
      [two, 'group', 'Two'],
      [one, 'group', 'One'],
      [d, 'direct', null],
    ])
    await say(bob, d, 'hi')
    expect(await listed()).toEqual([
      [d, 'direct', null],
      [two, 'group', 'Two'],
      [one, 'group', 'One'],
    ])
    await say(bob, one, 'hi all')
    expect(await listed()).toEqual([
      [one, 'group', 'One'],
      [d, 'direct', null],
      [two, 'group', 'Two'],
    ])
    // Bob: the two he is in; Cy: hers.
    expect((await inboxOf(bob)).map((c) => c.conversation_id)).toEqual([one, d])
    expect((await inboxOf(cy)).map((c) => c.conversation_id)).toEqual([two])
  })

  it('stores what a client sends with a `system` field as a normal message (system null), over REST and the socket', async () => {
    const [ada, bob] = await people('Ada', 'Bob')
    const g = (await makeGroup(ada, 'Team', [bob])).conversation_id
    const forged: SystemEventDto = { type: 'removed', actor_id: uid(ada), user_ids: [uid(bob)] }
    const rest = await say(bob, g, 'Ada removed Bob', { system: forged })
    expect(rest.system).toBeNull()
    const socket = await connect(srv.url, bob.token)
    const ack = await call(socket, 'send_message', { conversation_id: g, content: 'Ada left', sender_id: uid(bob), system: { type: 'left', actor_id: uid(ada), user_ids: [] } })
    expect(ack.ok).toBe(true)
    expect(ack.message.system).toBeNull()
    const history = await historyOf(ada, g)
    expect(history.map((m) => [m.sender_id, m.content, m.system?.type ?? null])).toEqual([
      [uid(ada), 'Ada created the group “Team”', 'created'],
      [uid(bob), 'Ada removed Bob', null],
      [uid(bob), 'Ada left', null],
    ])
    // Still a member: nothing was removed.
    expect(roles(await viewOf(ada, g))).toEqual([
      [uid(ada), 'owner'],
      [uid(bob), 'member'],
    ])
  })
})

describe('the group routes refuse', () => {
  // Ada owns the group; Bob and Fay are admins, Cy a member; Dee was removed; Eve was never in it.
  // Ada and Bob also have a one-to-one conversation.
  let ada: Person, bob: Person, cy: Person, dee: Person, eve: Person, fay: Person
  let g: number
  let d: number
  let message: number
  beforeAll(async () => {
    ;[ada, bob, cy, dee, eve, fay] = await people('Ada', 'Bob', 'Cy', 'Dee', 'Eve', 'Fay')
    g = (await makeGroup(ada, 'Team', [bob, cy, dee, fay])).conversation_id
    for (const admin of [bob, fay]) expect((await ada.api.patch(`/api/conversations/${g}/members/${uid(admin)}`, { role: 'admin' })).status).toBe(200)
    message = (await say(cy, g, 'before Dee went')).message_id
    expect((await del(ada, `/api/conversations/${g}/members/${uid(dee)}`)).status).toBe(200)
    d = await direct(ada, bob)
  })

  /** Runs a call that must be refused with this status (and field), and checks that it changed nothing. */
  async function refused(what: string, attempt: () => Promise<Answer>, status: number, field?: string): Promise<Answer> {
    const [group, one] = [await stored(g), await stored(d)]
    const res = await attempt()
    expect(res.status, `${what}: ${JSON.stringify(res.body)}`).toBe(status)
    const code = { 400: 'bad_request', 403: 'forbidden', 404: 'not_found' }[status]
    expect(res.body.error.code, what).toBe(code)
    if (field !== undefined) expect(res.body.error.field, what).toBe(field)
    expect(await stored(g), `${what} changed the group`).toEqual(group)
    expect(await stored(d), `${what} changed the one-to-one conversation`).toEqual(one)
    return res
  }

  /** Every group call `who` could make, on the group, about `target`. */
  const everyCall = (who: Person, target: Person): [string, () => Promise<Answer>][] => [
    ['rename', () => who.api.patch(`/api/conversations/${g}`, { title: 'Taken over' })],
    ['mute', () => who.api.patch(`/api/conversations/${g}`, { muted: true })],
    ['add', () => who.api.post(`/api/conversations/${g}/members`, { user_ids: [uid(eve)] })],
    ['remove', () => del(who, `/api/conversations/${g}/members/${uid(target)}`)],
    ['leave', () => del(who, `/api/conversations/${g}/members/${uid(who)}`)],
    ['set a role', () => who.api.patch(`/api/conversations/${g}/members/${uid(target)}`, { role: 'admin' })],
  ]

  it('an outsider: 403 for every call, and for the reads of a message', async () => {
    for (const [what, attempt] of everyCall(eve, cy)) await refused(`outsider: ${what}`, attempt, 403)
    await refused('outsider: reads', () => eve.api.get(`/api/messages/${message}/reads`), 403)
  })

  it('a removed member: 403 for every call', async () => {
    for (const [what, attempt] of everyCall(dee, cy)) await refused(`removed: ${what}`, attempt, 403)
  })

  it('a member acting as an admin: 403 to rename, add, remove someone else and set roles (their own included)', async () => {
    await refused('member renames', () => cy.api.patch(`/api/conversations/${g}`, { title: 'Mine' }), 403)
    await refused('member adds', () => cy.api.post(`/api/conversations/${g}/members`, { user_ids: [uid(eve)] }), 403)
    await refused('member removes an admin', () => del(cy, `/api/conversations/${g}/members/${uid(bob)}`), 403)
    await refused('member promotes themself', () => cy.api.patch(`/api/conversations/${g}/members/${uid(cy)}`, { role: 'admin' }), 403)
    await refused('member demotes an admin', () => cy.api.patch(`/api/conversations/${g}/members/${uid(bob)}`, { role: 'member' }), 403)
  })

  it('an admin acting as the owner: 403 to remove the owner or another admin, to name an owner, or to change the owner’s role', async () => {
    await refused('admin removes the owner', () => del(bob, `/api/conversations/${g}/members/${uid(ada)}`), 403)
    await refused('admin removes an admin', () => del(bob, `/api/conversations/${g}/members/${uid(fay)}`), 403)
    await refused('admin names an owner', () => bob.api.patch(`/api/conversations/${g}/members/${uid(cy)}`, { role: 'owner' }), 403)
    await refused('admin makes themself owner', () => bob.api.patch(`/api/conversations/${g}/members/${uid(bob)}`, { role: 'owner' }), 403)
    await refused('admin demotes the owner', () => bob.api.patch(`/api/conversations/${g}/members/${uid(ada)}`, { role: 'member' }), 403)
  })

  it('a conversation or user that does not exist, or someone not in the group: 404', async () => {
    await refused('rename a missing conversation', () => ada.api.patch(`/api/conversations/${MISSING}`, { title: 'x' }), 404)
    await refused('mute a missing conversation', () => ada.api.patch(`/api/conversations/${MISSING}`, { muted: true }), 404)
    await refused('add to a missing conversation', () => ada.api.post(`/api/conversations/${MISSING}/members`, { user_ids: [uid(eve)] }), 404)
    await refused('remove from a missing conversation', () => del(ada, `/api/conversations/${MISSING}/members/${uid(cy)}`), 404)
    await refused('set a role in a missing conversation', () => ada.api.patch(`/api/conversations/${MISSING}/members/${uid(cy)}`, { role: 'admin' }), 404)
    await refused('add a missing user', () => ada.api.post(`/api/conversations/${g}/members`, { user_ids: [uid(eve), MISSING] }), 404, 'user_ids')
    await refused('remove a missing user', () => del(ada, `/api/conversations/${g}/members/${MISSING}`), 404, 'userId')
    await refused('set the role of a missing user', () => ada.api.patch(`/api/conversations/${g}/members/${MISSING}`, { role: 'admin' }), 404, 'userId')
    await refused('remove someone never in it', () => del(ada, `/api/conversations/${g}/members/${uid(eve)}`), 404)
    await refused('remove someone already removed', () => del(ada, `/api/conversations/${g}/members/${uid(dee)}`), 404)
    await refused('set the role of someone not in it', () => ada.api.patch(`/api/conversations/${g}/members/${uid(dee)}`, { role: 'admin' }), 404)
    await refused('reads of a missing message', () => ada.api.get(`/api/messages/${MISSING}/reads`), 404)
    const groups = await srv.server.database.db.conversation.count({ where: { kind: 'group' } })
    await refused('a group with a missing user', () => ada.api.post('/api/groups', { title: 'Ghosts', member_ids: [uid(bob), MISSING] }), 404, 'member_ids')
    expect(await srv.server.database.db.conversation.count({ where: { kind: 'group' } })).toBe(groups)
  })

  it('path ids that are not positive whole numbers: 400 naming the parameter', async () => {
    await refused('PATCH conversation abc', () => ada.api.patch('/api/conversations/abc', { title: 'x' }), 400, 'conversationId')
    await refused('PATCH conversation 0', () => ada.api.patch('/api/conversations/0', { muted: true }), 400, 'conversationId')
    await refused('POST members of abc', () => ada.api.post('/api/conversations/abc/members', { user_ids: [uid(eve)] }), 400, 'conversationId')
    await refused('DELETE member bob', () => del(ada, `/api/conversations/${g}/members/bob`), 400, 'userId')
    await refused('DELETE member of -1', () => del(ada, `/api/conversations/-1/members/${uid(cy)}`), 400, 'conversationId')
    await refused('PATCH member 1.5', () => ada.api.patch(`/api/conversations/${g}/members/1.5`, { role: 'admin' }), 400, 'userId')
    await refused('reads of abc', () => ada.api.get('/api/messages/abc/reads'), 400, 'messageId')
  })

  it('malformed bodies: 400 naming the field', async () => {
    const cases: [string, () => Promise<Answer>, string][] = [
      ['group without a title', () => ada.api.post('/api/groups', { member_ids: [uid(bob)] }), 'title'],
      ['group with a blank title', () => ada.api.post('/api/groups', { title: ' \u0007 ', member_ids: [uid(bob)] }), 'title'],
      ['group with a long title', () => ada.api.post('/api/groups', { title: 'x'.repeat(LIMITS.groupTitleMaxChars + 1), member_ids: [] }), 'title'],
      ['group without members', () => ada.api.post('/api/groups', { title: 'Team' }), 'member_ids'],
      ['group with members as text', () => ada.api.post('/api/groups', { title: 'Team', member_ids: String(uid(bob)) }), 'member_ids'],
      ['group with a member id 0', () => ada.api.post('/api/groups', { title: 'Team', member_ids: [uid(bob), 0] }), 'member_ids.1'],
      ['rename to a blank title', () => ada.api.patch(`/api/conversations/${g}`, { title: '   ' }), 'title'],
      ['rename to a number', () => ada.api.patch(`/api/conversations/${g}`, { title: 42 }), 'title'],
      ['mute with text', () => ada.api.patch(`/api/conversations/${g}`, { muted: 'yes' }), 'muted'],
      ['add nobody', () => ada.api.post(`/api/conversations/${g}/members`, { user_ids: [] }), 'user_ids'],
      ['add without user_ids', () => ada.api.post(`/api/conversations/${g}/members`, {}), 'user_ids'],
      ['add a fractional id', () => ada.api.post(`/api/conversations/${g}/members`, { user_ids: [1.5] }), 'user_ids.0'],
      ['a role that does not exist', () => ada.api.patch(`/api/conversations/${g}/members/${uid(cy)}`, { role: 'king' }), 'role'],
      ['no role', () => ada.api.patch(`/api/conversations/${g}/members/${uid(cy)}`, {}), 'role'],
    ]
    for (const [what, attempt, field] of cases) await refused(what, attempt, 400, field)
    // A PATCH that changes nothing, or names a field that does not exist: the body as a whole is wrong.
    expect((await refused('PATCH with nothing to change', () => ada.api.patch(`/api/conversations/${g}`, {}), 400)).body.error.message).toBe('body: must change title or muted')
    expect((await refused('PATCH with an unknown field', () => ada.api.patch(`/api/conversations/${g}`, { name: 'x' }), 400)).body.error.message).toBe('body: Unrecognized key: "name"')
  })

  it('a one-to-one conversation for the group-only routes: 400 (muting it is fine)', async () => {
    await refused('rename a one-to-one', () => ada.api.patch(`/api/conversations/${d}`, { title: 'Us' }), 400, 'conversationId')
    await refused('rename and mute a one-to-one', () => ada.api.patch(`/api/conversations/${d}`, { title: 'Us', muted: true }), 400, 'conversationId')
    await refused('add to a one-to-one', () => ada.api.post(`/api/conversations/${d}/members`, { user_ids: [uid(cy)] }), 400, 'conversationId')
    await refused('remove from a one-to-one', () => del(ada, `/api/conversations/${d}/members/${uid(bob)}`), 400, 'conversationId')
    await refused('leave a one-to-one', () => del(ada, `/api/conversations/${d}/members/${uid(ada)}`), 400, 'conversationId')
    await refused('set a role in a one-to-one', () => ada.api.patch(`/api/conversations/${d}/members/${uid(bob)}`, { role: 'admin' }), 400, 'conversationId')
    const muted = await bob.api.patch<ConversationDto>(`/api/conversations/${d}`, { muted: true })
    expect(muted.status).toBe(200)
    expect(muted.body).toMatchObject({ conversation_id: d, kind: 'direct', title: null, muted: true })
    expect((await viewOf(ada, d)).muted).toBe(false)
  })
})

// ---- 2. conversation_updated ----

describe('conversation_updated', () => {
  it('reaches every member on a rename, a role change, an addition and a removal, and the removed member, then no longer', async () => {
    const [ada, bob, cy, dee] = await people('Ada', 'Bob', 'Cy', 'Dee')
    const g = (await makeGroup(ada, 'Team', [bob, cy])).conversation_id
    const cyAndAda = await direct(ada, cy)
    const [adaSocket, bobSocket, cySocket, deeSocket] = [await connect(srv.url, ada.token), await connect(srv.url, bob.token), await connect(srv.url, cy.token), await connect(srv.url, dee.token)]
    const updatesOf = (socket: TestSocket): ConversationUpdateDto[] => collect<ConversationUpdateDto>(socket, 'conversation_updated')
    const [adaSeen, bobSeen, cySeen, deeSeen] = [updatesOf(adaSocket), updatesOf(bobSocket), updatesOf(cySocket), updatesOf(deeSocket)]
    const cyGot = collect<MessageDto>(cySocket, 'new_message')
    const titles = (seen: ConversationUpdateDto[]): (string | null)[] => seen.filter((u) => u.conversation_id === g).map((u) => u.title)

    expect((await ada.api.patch(`/api/conversations/${g}`, { title: 'Plans' })).status).toBe(200)
    for (const [who, seen] of [['Ada', adaSeen], ['Bob', bobSeen], ['Cy', cySeen]] as const) await until(`${who} told of the rename`, () => titles(seen).includes('Plans'))
    // The update is the conversation without the caller's own fields.
    const update = cySeen.at(-1)!
    expect(Object.keys(update).sort()).toEqual(['conversation_id', 'created_at', 'kind', 'participants', 'title', 'updated_at'])
    expect(update).toMatchObject({ conversation_id: g, kind: 'group', title: 'Plans' })
    expect(roles(update)).toEqual([
      [uid(ada), 'owner'],
      [uid(bob), 'member'],
      [uid(cy), 'member'],
    ])

    expect((await ada.api.patch(`/api/conversations/${g}/members/${uid(bob)}`, { role: 'admin' })).status).toBe(200)
    const bobIsAdmin = (seen: ConversationUpdateDto[]): boolean => seen.some((u) => u.participants.some((p) => p.user_id === uid(bob) && p.role === 'admin'))
    for (const [who, seen] of [['Ada', adaSeen], ['Bob', bobSeen], ['Cy', cySeen]] as const) await until(`${who} told of the role change`, () => bobIsAdmin(seen))

    expect((await ada.api.post(`/api/conversations/${g}/members`, { user_ids: [uid(dee)] })).status).toBe(200)
    const deeIn = (seen: ConversationUpdateDto[]): boolean => seen.some((u) => u.participants.some((p) => p.user_id === uid(dee)))
    for (const [who, seen] of [['Ada', adaSeen], ['Bob', bobSeen], ['Cy', cySeen], ['Dee', deeSeen]] as const) await until(`${who} told of the addition`, () => deeIn(seen))

    expect((await del(bob, `/api/conversations/${g}/members/${uid(cy)}`)).status).toBe(200)
    const cyOut = (seen: ConversationUpdateDto[]): boolean => seen.some((u) => u.participants.length === 3 && !u.participants.some((p) => p.user_id === uid(cy)))
    for (const [who, seen] of [['Ada', adaSeen], ['Bob', bobSeen], ['Cy (removed)', cySeen], ['Dee', deeSeen]] as const) await until(`${who} told of the removal`, () => cyOut(seen))
    expect(roles(cySeen.at(-1)!)).toEqual([
      [uid(ada), 'owner'],
      [uid(bob), 'admin'],
      [uid(dee), 'member'],
    ])

    // After her removal Cy is told nothing more: a rename reaches the members (Dee, the witness), not her.
    const told = cySeen.length
    expect((await ada.api.patch(`/api/conversations/${g}`, { title: 'Secret plans' })).status).toBe(200)
    await until('Dee told of the second rename', () => titles(deeSeen).includes('Secret plans'))
    const sentinel = await say(ada, cyAndAda, 'sentinel for Cy')
    await until('the sentinel reaches Cy', () => cyGot.some((m) => m.message_id === sentinel.message_id))
    expect(cySeen).toHaveLength(told)
    expect(titles(cySeen)).not.toContain('Secret plans')
    // Dee was told only from her addition on.
    expect(titles(deeSeen)).toEqual(['Plans', 'Plans', 'Secret plans'])
  })

  it('reaches a member at once when added; their socket then gets the group’s messages live, and their inbox lists the group', async () => {
    const [ada, bob, dee] = await people('Ada', 'Bob', 'Dee')
    const g = (await makeGroup(ada, 'Team', [bob])).conversation_id
    const early = await say(bob, g, 'before Dee came')
    const socket = await connect(srv.url, dee.token)
    const updates = collect<ConversationUpdateDto>(socket, 'conversation_updated')
    const got = collect<MessageDto>(socket, 'new_message')
    const added = await ada.api.post<ConversationDto>(`/api/conversations/${g}/members`, { user_ids: [uid(dee)] })
    expect(added.status).toBe(200)
    await until('Dee told she was added', () => updates.some((u) => u.conversation_id === g))
    expect(updates).toEqual([
      {
        conversation_id: g,
        kind: 'group',
        title: 'Team',
        created_at: added.body.created_at,
        updated_at: added.body.updated_at,
        participants: added.body.participants,
      },
    ])
    const hello = await say(bob, g, 'welcome Dee')
    await until('Dee gets the group’s message live', () => got.some((m) => m.message_id === hello.message_id))
    expect(got.map((m) => [m.conversation_id, m.content, m.system?.type ?? null])).toEqual([
      [g, 'Ada added Dee', 'added'],
      [g, 'welcome Dee', null],
    ])
    expect(got.some((m) => m.message_id === early.message_id)).toBe(false)
    const listed = await viewOf(dee, g)
    expect(listed).toMatchObject({ kind: 'group', title: 'Team', muted: false, unread_count: 1, messages: [{ message_id: hello.message_id }] })
    expect(roles(listed)).toEqual([
      [uid(ada), 'owner'],
      [uid(bob), 'member'],
      [uid(dee), 'member'],
    ])
  })
})

// ---- 3. removal is real ----

describe('a removed member receives nothing after their removal', () => {
  /** Ada owns a group with Bob and Cy, and has a one-to-one conversation with Bob for sentinels. */
  async function setting() {
    const [ada, bob, cy] = await people('Ada', 'Bob', 'Cy')
    const g = (await makeGroup(ada, 'Team', [bob, cy])).conversation_id
    const d = await direct(ada, bob)
    const removeBob = async (): Promise<MessageDto> => {
      const res = await del(ada, `/api/conversations/${g}/members/${uid(bob)}`)
      expect(res.status).toBe(200)
      const notice = (await historyOf(ada, g)).at(-1)!
      expect(notice).toMatchObject({ content: 'Ada removed Bob', system: { type: 'removed', actor_id: uid(ada), user_ids: [uid(bob)] } })
      return notice
    }
    return { ada, bob, cy, g, d, removeBob }
  }

  it('live: no new_message after the notice of the removal, even with the group’s room joined', async () => {
    const { ada, bob, cy, g, d, removeBob } = await setting()
    const socket = await connect(srv.url, bob.token)
    expect(await call(socket, 'join_conversation', { conversation_id: g, user_id: uid(bob) })).toMatchObject({ ok: true })
    const got = collect<MessageDto>(socket, 'new_message')
    const before = await say(cy, g, 'before')
    await until('Bob gets the group’s message while a member', () => got.some((m) => m.message_id === before.message_id))
    const notice = await removeBob()
    const after = await say(cy, g, 'after, not for Bob')
    const sentinel = await say(ada, d, 'sentinel')
    await until('the sentinel reaches Bob', () => got.some((m) => m.message_id === sentinel.message_id))
    expect(got.map((m) => m.message_id)).toEqual([before.message_id, notice.message_id, sentinel.message_id])
    expect(got.some((m) => m.message_id === after.message_id)).toBe(false)
  })

  it('REST: the history ends at the notice, sends and receipts are refused, the inbox keeps the group as it was', async () => {
    const { ada, bob, cy, g, removeBob } = await setting()
    await say(bob, g, 'from Bob')
    const theirs = await say(cy, g, 'from Cy')
    const notice = await removeBob()
    const after = await say(cy, g, 'after, not for Bob')
    await say(ada, g, 'also not for Bob')
    const seen = await historyOf(bob, g)
    expect(seen.map((m) => m.content)).toEqual(['Ada created the group “Team”', 'from Bob', 'from Cy', 'Ada removed Bob'])
    expect(seen.at(-1)).toEqual(notice)
    // Paging cannot reach past it either.
    expect((await historyOf(bob, g, `&before=${after.message_id + 1}`)).map((m) => m.message_id)).toEqual(seen.map((m) => m.message_id))
    expect((await historyOf(bob, g, `&before=${notice.message_id}`)).map((m) => m.message_id)).toEqual(seen.slice(0, -1).map((m) => m.message_id))
    expect((await bob.api.get<MessageDto[]>(`/api/messages/${g}?limit=1`)).body.map((m) => m.message_id)).toEqual([notice.message_id])
    // Writing, reading receipts of what came after, marking read: refused.
    const send = await bob.api.post(`/api/messages/${g}`, { content: 'still here?', sender_id: uid(bob) })
    expect(send.status).toBe(403)
    expect((await bob.api.get(`/api/messages/${after.message_id}/reads`)).status).toBe(404)
    expect((await bob.api.get(`/api/messages/${theirs.message_id}/reads`)).status).toBe(200)
    expect((await bob.api.patch(`/api/messages/${after.message_id}`, { is_read: true })).status).toBe(403)
    expect((await historyOf(ada, g)).filter((m) => m.content === 'still here?')).toEqual([])
    // The inbox: the group stays as it was at the notice, unread only what came before it (Cy's), with no members to show.
    expect(await viewOf(bob, g)).toMatchObject({ kind: 'group', title: 'Team', unread_count: 0, updated_at: notice.created_at, messages: [notice], participants: [] })
  })

  it('sync: a catch-up ends the group at the notice, while Bob’s other conversations go on', async () => {
    const { ada, bob, cy, g, d, removeBob } = await setting()
    const before = await say(cy, g, 'before')
    const notice = await removeBob()
    const after = await say(cy, g, 'after, not for Bob')
    const sentinel = await say(ada, d, 'sentinel')
    const socket = await connect(srv.url, bob.token)
    const all = await call<SyncResult>(socket, 'sync', { after_message_id: 0 })
    expect(all.ok).toBe(true)
    if (!all.ok) return
    expect(all.has_more).toBe(false)
    expect(all.messages.map((m) => [m.conversation_id, m.content])).toEqual([
      [g, 'Ada created the group “Team”'],
      [g, 'before'],
      [g, 'Ada removed Bob'],
      [d, 'sentinel'],
    ])
    expect(all.messages.some((m) => m.message_id === after.message_id)).toBe(false)
    expect(all.read_states.filter((r) => r.conversation_id === g)).toEqual([])
    const since = await call<SyncResult>(socket, 'sync', { after_message_id: before.message_id })
    expect(since.ok && since.messages.map((m) => m.message_id)).toEqual([notice.message_id, sentinel.message_id])
    const pastIt = await call<SyncResult>(socket, 'sync', { after_message_id: notice.message_id })
    expect(pastIt.ok && pastIt.messages.map((m) => m.message_id)).toEqual([sentinel.message_id])
  })

  it('attachments: a file posted before the removal stays readable, one posted after is 403 (to Bob, not to a member)', async () => {
    const { ada, bob, cy, g, removeBob } = await setting()
    const early = await upload(ada, 'early.png')
    await say(ada, g, '', { attachments: [{ file_url: early.file_url }] })
    expect((await bob.api.get(early.file_url)).status).toBe(200)
    await removeBob()
    const late = await upload(ada, 'late.png')
    await say(ada, g, '', { attachments: [{ file_url: late.file_url }] })
    const refused = await bob.api.get(late.file_url)
    expect(refused.status).toBe(403)
    expect(refused.body.error.code).toBe('forbidden')
    expect((await cy.api.get(late.file_url)).status).toBe(200)
    expect((await bob.api.get(early.file_url)).status).toBe(200)
  })

  it('typing: none from the group after the removal, and Bob’s own typing there is refused', async () => {
    const { ada, bob, cy, g, removeBob } = await setting()
    const withCy = await direct(cy, bob)
    const [adaSocket, bobSocket, cySocket] = [await connect(srv.url, ada.token), await connect(srv.url, bob.token), await connect(srv.url, cy.token)]
    const bobTyping = collect<TypingEvent>(bobSocket, 'typing')
    expect(await call(cySocket, 'typing', { conversation_id: g, is_typing: true })).toEqual({ ok: true })
    await until('Bob sees Cy typing while a member', () => bobTyping.some((e) => e.conversation_id === g))
    await removeBob()
    const witness = next<TypingEvent>(adaSocket, 'typing', (e) => e.conversation_id === g && e.is_typing === false)
    expect(await call(cySocket, 'typing', { conversation_id: g, is_typing: false })).toEqual({ ok: true })
    await witness
    expect(await call(cySocket, 'typing', { conversation_id: withCy, is_typing: true })).toEqual({ ok: true })
    await until('the sentinel typing reaches Bob', () => bobTyping.some((e) => e.conversation_id === withCy))
    expect(bobTyping.filter((e) => e.conversation_id === g)).toEqual([{ conversation_id: g, user_id: uid(cy), is_typing: true }])
    const own = await call(bobSocket, 'typing', { conversation_id: g, is_typing: true })
    expect(own).toMatchObject({ ok: false, error: { code: 'forbidden' } })
  })

  it('presence: not of those he shared only the group with (events, get_presence, the group’s room)', async () => {
    const { ada, bob, cy, g, d, removeBob } = await setting()
    const bobSocket = await connect(srv.url, bob.token)
    const presence = collect<PresenceEvent>(bobSocket, 'presence')
    const joined = collect<UserJoinedEvent>(bobSocket, 'user_joined')
    const got = collect<MessageDto>(bobSocket, 'new_message')
    expect(await call(bobSocket, 'join_conversation', { conversation_id: g, user_id: uid(bob) })).toMatchObject({ ok: true })
    // While a member: Cy (whom Bob knows only from the group) coming and going is told to him.
    const cyFirst = await connect(srv.url, cy.token)
    await until('Bob sees Cy come online', () => presence.some((e) => e.user_id === uid(cy) && e.online))
    expect(await call(bobSocket, 'get_presence', { user_ids: [uid(cy)] })).toEqual({ ok: true, online: [uid(cy)] })
    cyFirst.disconnect()
    await until('Bob sees Cy go offline', () => presence.some((e) => e.user_id === uid(cy) && !e.online))
    await removeBob()

    const adaSocket = await connect(srv.url, ada.token)
    expect(await call(adaSocket, 'join_conversation', { conversation_id: g, user_id: uid(ada) })).toMatchObject({ ok: true })
    const witnessOnline = next<PresenceEvent>(adaSocket, 'presence', (e) => e.user_id === uid(cy) && e.online)
    const witnessJoined = next<UserJoinedEvent>(adaSocket, 'user_joined', (e) => e.user_id === uid(cy))
    const cySocket = await connect(srv.url, cy.token)
    await witnessOnline
    expect(await call(cySocket, 'join_conversation', { conversation_id: g, user_id: uid(cy) })).toEqual({ ok: true, activeUsers: [uid(ada), uid(cy)].sort((a, b) => a - b) })
    expect(await witnessJoined).toEqual({ user_id: uid(cy), conversation_id: g, activeUsers: [uid(ada), uid(cy)].sort((a, b) => a - b) })
    const sentinel = await say(ada, d, 'sentinel')
    await until('the sentinel reaches Bob', () => got.some((m) => m.message_id === sentinel.message_id))
    expect(presence.filter((e) => e.user_id === uid(cy))).toEqual([
      { user_id: uid(cy), online: true },
      { user_id: uid(cy), online: false },
    ])
    // Only his own joining, before the removal: nothing of the room after it.
    expect(joined.map((e) => e.user_id)).toEqual([uid(bob)])
    expect(await call(bobSocket, 'get_presence', { user_ids: [uid(cy)] })).toEqual({ ok: true, online: [] })
    expect(await call(adaSocket, 'get_presence', { user_ids: [uid(cy)] })).toEqual({ ok: true, online: [uid(cy)] })
    expect(await call(bobSocket, 'join_conversation', { conversation_id: g, user_id: uid(bob) })).toMatchObject({ ok: false, error: { code: 'forbidden' } })
  })
})

// ---- 4. receipts ----

describe('read receipts in a group', () => {
  it('is_read only once both others have read; reads lists who and when; one message_read per mark-read call, carrying its reader', async () => {
    const [ada, bob, cy] = await people('Ada', 'Bob', 'Cy')
    const g = (await makeGroup(ada, 'Team', [bob, cy])).conversation_id
    const [adaSocket, bobSocket, cySocket] = [await connect(srv.url, ada.token), await connect(srv.url, bob.token), await connect(srv.url, cy.token)]
    const readsSeenByAda = collect<MessageReadDto>(adaSocket, 'message_read')
    const readsSeenByCy = collect<MessageReadDto>(cySocket, 'message_read')
    const newSeenByAda = collect<MessageDto>(adaSocket, 'new_message')
    const sent: MessageDto[] = []
    for (let i = 1; i <= 5; i++) sent.push(await say(ada, g, `m${i}`))
    const [, , m3, , m5] = sent.map((m) => m.message_id) as [number, number, number, number, number]
    const readFlags = async (): Promise<boolean[]> => (await historyOf(ada, g)).filter((m) => m.system === null).map((m) => m.is_read)
    const readersOf = async (messageId: number): Promise<ReadReceiptDto[]> => {
      const res = await bob.api.get<ReadReceiptDto[]>(`/api/messages/${messageId}/reads`)
      expect(res.status).toBe(200)
      return res.body
    }

    // Bob reads m5, which covers m1..m5: one event, from Bob, and nothing read by all yet.
    const byBob = await call(bobSocket, 'mark_as_read', { message_id: m5, conversation_id: g })
    expect(byBob).toMatchObject({ ok: true, message: { message_id: m5, is_read: false } })
    const sentinel1 = await say(cy, g, 'sentinel 1')
    await until('the first sentinel reaches Ada', () => newSeenByAda.some((m) => m.message_id === sentinel1.message_id))
    expect(readsSeenByAda.map((r) => [r.reader_id, r.message_id, r.is_read])).toEqual([[uid(bob), m5, false]])
    expect(await readFlags()).toEqual([false, false, false, false, false, false])
    const bobsRead = (await readersOf(m5))
    expect(bobsRead).toEqual([{ user: bob.user, read_at: expect.stringMatching(ISO) }])
    expect(await readersOf(sent[0]!.message_id)).toEqual(bobsRead)

    // Cy reads m3 (over REST): m1..m3 are now read by both others; m4 and m5 not yet.
    const byCy = await cy.api.patch<MessageDto>(`/api/messages/${m3}`, { is_read: true })
    expect(byCy.status).toBe(200)
    expect(byCy.body).toMatchObject({ message_id: m3, is_read: true })
    await until('Ada sees Cy’s read', () => readsSeenByAda.length === 2)
    expect(readsSeenByAda[1]).toMatchObject({ reader_id: uid(cy), message_id: m3, is_read: true })
    expect(await readFlags()).toEqual([true, true, true, false, false, false])
    const both = await readersOf(m3)
    expect(both).toEqual([
      { user: bob.user, read_at: bobsRead[0]!.read_at },
      { user: cy.user, read_at: expect.stringMatching(ISO) },
    ])
    expect(both[1]!.read_at! >= both[0]!.read_at!).toBe(true)
    expect(await readersOf(m5)).toEqual(bobsRead)

    // Cy reads m5: all five are read; her sentinel is not (neither Ada nor Bob has read it).
    expect(await call(cySocket, 'mark_as_read', { message_id: m5, conversation_id: g })).toMatchObject({ ok: true, message: { message_id: m5, is_read: true } })
    expect(await readFlags()).toEqual([true, true, true, true, true, false])
    expect((await readersOf(m5)).map((r) => r.user.user_id)).toEqual([uid(bob), uid(cy)])
    // Marking again what is already read: no event. The sender cannot mark her own.
    expect(await call(bobSocket, 'mark_as_read', { message_id: m3, conversation_id: g })).toMatchObject({ ok: true })
    expect(await call(adaSocket, 'mark_as_read', { message_id: m5, conversation_id: g })).toMatchObject({ ok: false, error: { code: 'forbidden' } })
    const sentinel2 = await say(bob, g, 'sentinel 2')
    await until('the second sentinel reaches Ada', () => newSeenByAda.some((m) => m.message_id === sentinel2.message_id))
    expect(readsSeenByAda.map((r) => [r.reader_id, r.message_id])).toEqual([
      [uid(bob), m5],
      [uid(cy), m3],
      [uid(cy), m5],
    ])
    // Every member is told, Cy too (of her own reads alike).
    await until('Cy sees the three reads', () => readsSeenByCy.length === 3)
    expect(readsSeenByCy.map((r) => [r.reader_id, r.message_id])).toEqual(readsSeenByAda.map((r) => [r.reader_id, r.message_id]))
  })
})

describe('read receipts of a member added later', () => {
  it('are not counted for what came before they joined until they read past it', async () => {
    const [ada, bob, cy] = await people('Ada', 'Bob', 'Cy')
    const g = (await makeGroup(ada, 'Team', [bob])).conversation_id
    const m = await say(ada, g, 'before Cy came')
    expect((await bob.api.patch(`/api/messages/${m.message_id}`, { is_read: true })).status).toBe(200)
    expect((await ada.api.post(`/api/conversations/${g}/members`, { user_ids: [uid(cy)] })).status).toBe(200)
    const readers = async (): Promise<number[]> => (await ada.api.get<ReadReceiptDto[]>(`/api/messages/${m.message_id}/reads`)).body.map((r) => r.user.user_id)
    // Cy has read nothing: she is not among the readers (the message stays read, by everyone who was there).
    expect(await readers()).toEqual([uid(bob)])
    expect((await historyOf(ada, g)).find((x) => x.message_id === m.message_id)!.is_read).toBe(true)
    const later = await say(bob, g, 'welcome Cy')
    expect((await cy.api.patch(`/api/messages/${later.message_id}`, { is_read: true })).status).toBe(200)
    const reads = (await ada.api.get<ReadReceiptDto[]>(`/api/messages/${m.message_id}/reads`)).body
    expect(reads.map((r) => r.user.user_id)).toEqual([uid(bob), uid(cy)])
    expect(reads.every((r) => ISO.test(r.read_at ?? ''))).toBe(true)
  })
})

// ---- 5. the owner's heir ----

describe('an owner who leaves', () => {
  it('hands ownership to the longest-standing admin (not the first promoted, not the lowest id), and the notices say so', async () => {
    // Erin registers before Bob (a lower id); Bob is added before Erin; Erin is promoted first.
    const [ada, cy, dee, erin, bob] = await people('Ada', 'Cy', 'Dee', 'Erin', 'Bob')
    const g = (await makeGroup(ada, 'Team', [cy, dee])).conversation_id
    expect((await ada.api.post(`/api/conversations/${g}/members`, { user_ids: [uid(bob)] })).status).toBe(200)
    expect((await ada.api.post(`/api/conversations/${g}/members`, { user_ids: [uid(erin)] })).status).toBe(200)
    expect((await ada.api.patch(`/api/conversations/${g}/members/${uid(erin)}`, { role: 'admin' })).status).toBe(200)
    const before = await ada.api.patch<ConversationDto>(`/api/conversations/${g}/members/${uid(bob)}`, { role: 'admin' })
    const joined = new Map(before.body.participants.map((p) => [p.user_id, p.joined_at]))
    expect(joined.get(uid(bob))! < joined.get(uid(erin))!).toBe(true)
    const withCy = await direct(cy, ada)
    const adaSocket = await connect(srv.url, ada.token)
    const adaGot = collect<MessageDto>(adaSocket, 'new_message')
    const left = await del(ada, `/api/conversations/${g}/members/${uid(ada)}`)
    expect(left.status).toBe(200)
    const after = await viewOf(cy, g)
    expect(roles(after)).toEqual([
      [uid(cy), 'member'],
      [uid(dee), 'member'],
      [uid(erin), 'admin'],
      [uid(bob), 'owner'],
    ])
    expect((await noticesOf(cy, g)).slice(-2)).toEqual([
      ['Ada left', { type: 'left', actor_id: uid(ada), user_ids: [] }],
      ['Ada made Bob the owner', { type: 'role_changed', actor_id: uid(ada), user_ids: [uid(bob)], role: 'owner' }],
    ])
    // Ada's view ends at the first of them, the notice of her leaving, live as in her inbox and history.
    expect(left.body.messages[0]).toMatchObject({ content: 'Ada left' })
    expect((await historyOf(ada, g)).at(-1)).toMatchObject({ content: 'Ada left' })
    const sentinel = await say(cy, withCy, 'sentinel')
    await until('the sentinel reaches Ada', () => adaGot.some((m) => m.message_id === sentinel.message_id))
    expect(adaGot.map((m) => m.content)).toEqual(['Ada left', 'sentinel'])
    // Bob now acts as the owner.
    expect((await del(bob, `/api/conversations/${g}/members/${uid(erin)}`)).status).toBe(200)
  })

  it('with no admin, hands it to the longest-standing member (not the lowest id), and the notices say so', async () => {
    const [ada, bob, cy] = await people('Ada', 'Bob', 'Cy')
    const g = (await makeGroup(ada, 'Team', [cy])).conversation_id
    expect((await ada.api.post(`/api/conversations/${g}/members`, { user_ids: [uid(bob)] })).status).toBe(200)
    expect((await del(ada, `/api/conversations/${g}/members/${uid(ada)}`)).status).toBe(200)
    expect(roles(await viewOf(bob, g))).toEqual([
      [uid(bob), 'member'],
      [uid(cy), 'owner'],
    ])
    expect((await noticesOf(bob, g)).slice(-2)).toEqual([
      ['Ada left', { type: 'left', actor_id: uid(ada), user_ids: [] }],
      ['Ada made Cy the owner', { type: 'role_changed', actor_id: uid(ada), user_ids: [uid(cy)], role: 'owner' }],
    ])
    // A member who leaves hands nothing over.
    expect((await del(bob, `/api/conversations/${g}/members/${uid(bob)}`)).status).toBe(200)
    expect(roles(await viewOf(cy, g))).toEqual([[uid(cy), 'owner']])
    expect((await noticesOf(cy, g)).at(-1)).toEqual(['Bob left', { type: 'left', actor_id: uid(bob), user_ids: [] }])
  })
})

// ---- 6. mute ----

describe('mute', () => {
  it('is each member’s own, and leaves unread_count as it is', async () => {
    const [ada, bob, cy] = await people('Ada', 'Bob', 'Cy')
    const g = (await makeGroup(ada, 'Team', [bob, cy])).conversation_id
    await say(ada, g, 'one')
    await say(cy, g, 'two')
    const view = async (who: Person): Promise<[boolean, number]> => {
      const c = await viewOf(who, g)
      return [c.muted, c.unread_count]
    }
    expect(await view(bob)).toEqual([false, 2])
    const muted = await bob.api.patch<ConversationDto>(`/api/conversations/${g}`, { muted: true })
    expect(muted.status).toBe(200)
    expect([muted.body.muted, muted.body.unread_count]).toEqual([true, 2])
    expect(await view(bob)).toEqual([true, 2])
    expect(await view(ada)).toEqual([false, 1])
    expect(await view(cy)).toEqual([false, 1])
    await say(ada, g, 'three')
    expect(await view(bob)).toEqual([true, 3])
    expect((await srv.server.database.db.conversationParticipant.findMany({ where: { conversation_id: g }, orderBy: { user_id: 'asc' }, select: { muted: true } })).map((r) => r.muted)).toEqual([false, true, false])
    const unmuted = await bob.api.patch<ConversationDto>(`/api/conversations/${g}`, { muted: false })
    expect([unmuted.body.muted, unmuted.body.unread_count]).toEqual([false, 3])
  })
})

// ---- 7. concurrency ----

describe('concurrent changes', () => {
  const seed = testSeed()
  it(`20 simultaneous adds and removals of the same people end in the membership their notices tell, applied in id order (seed ${seed})`, async () => {
    const random = seededRandom(seed)
    const [ada, ...pool] = await people('Ada', 'P1', 'P2', 'P3', 'P4')
    // Everyone connected first: the group's room then holds exactly its members' sockets (they join it when made or added).
    const sockets = new Map<number, TestSocket>()
    for (const p of [ada, ...pool]) sockets.set(uid(p), await connect(srv.url, p.token))
    const updates = new Map([...sockets].map(([id, socket]) => [id, collect<ConversationUpdateDto>(socket, 'conversation_updated')]))
    const got = new Map([...sockets].map(([id, socket]) => [id, collect<MessageDto>(socket, 'new_message')]))
    const made = await makeGroup(ada, 'Busy', [pool[0]!, pool[1]!])
    const g = made.conversation_id
    const calls = Array.from({ length: 20 }, () => {
      if (random.next() < 0.5) {
        const some = random.shuffle(pool).slice(0, random.int(1, 2))
        return { kind: 'add' as const, ids: some.map(uid), run: () => ada.api.post(`/api/conversations/${g}/members`, { user_ids: some.map(uid) }) }
      }
      const one = pool[random.int(0, pool.length - 1)]!
      return { kind: 'remove' as const, ids: [uid(one)], run: () => del(ada, `/api/conversations/${g}/members/${uid(one)}`) }
    })
    const answers = await Promise.all(calls.map((c) => c.run()))
    answers.forEach((res, i) => {
      const c = calls[i]!
      // A removal of someone out by then is a 404; anything else succeeds.
      expect(c.kind === 'remove' ? [200, 404] : [200], `${c.kind} ${c.ids.join(',')}: ${res.status} ${JSON.stringify(res.body)}`).toContain(res.status)
    })

    // Replay the notices in id order: each tells a real change of the membership as it then was.
    const members = new Set([uid(ada), uid(pool[0]!), uid(pool[1]!)])
    const notices = (await historyOf(ada, g)).filter((m) => m.system !== null && m.system.type !== 'created')
    expect(notices.map((n) => n.message_id)).toEqual([...notices.map((n) => n.message_id)].sort((a, b) => a - b))
    for (const { system } of notices) {
      if (system!.type === 'added') {
        for (const id of system!.user_ids) {
          expect(members.has(id), `added ${id} who was already in`).toBe(false)
          members.add(id)
        }
      } else {
        expect(system!.type).toBe('removed')
        for (const id of system!.user_ids) {
          expect(members.has(id), `removed ${id} who was not in`).toBe(true)
          members.delete(id)
        }
      }
    }
    const removals = answers.filter((res, i) => calls[i]!.kind === 'remove' && res.status === 200).length
    expect(notices.filter((n) => n.system!.type === 'removed')).toHaveLength(removals)
    expect(notices.filter((n) => n.system!.type === 'added').length).toBeLessThanOrEqual(calls.filter((c) => c.kind === 'add').length)
    const final = [...members].sort((a, b) => a - b)
    expect((await viewOf(ada, g)).participants.map((p) => p.user_id)).toEqual(final)
    // One row per person ever in it, the current ones exactly those.
    const rows = (await stored(g)).rows
    expect(new Set(rows.map((r) => r.user_id)).size).toBe(rows.length)
    expect(rows.filter((r) => r.removed_at === null).map((r) => r.user_id)).toEqual(final)
    // A removed row ends at the notice of its last removal.
    for (const row of rows.filter((r) => r.removed_at !== null)) {
      const last = notices.filter((n) => n.system!.type === 'removed' && n.system!.user_ids.includes(row.user_id)).at(-1)
      expect(row.visible_until).toBe(last!.message_id)
    }
    // The sockets agree: the group's room holds the members' sockets and no one else's, and the last
    // conversation_updated each member got (after a sentinel message to all of them) is the final membership.
    const inRoom = (await srv.server.io.in(rooms.conversation(g)).fetchSockets()).map((s) => s.data.user.user_id).sort((a, b) => a - b)
    expect(inRoom).toEqual(final)
    const sentinel = await say(ada, g, 'sentinel')
    for (const id of final) {
      await until(`the sentinel reaches ${id}`, () => got.get(id)!.some((m) => m.message_id === sentinel.message_id))
      expect(updates.get(id)!.at(-1)!.participants.map((p) => p.user_id), `the last update ${id} got`).toEqual(final)
    }
  })

  it('a message sent while its sender is being removed is stored before the removal (and in their history) or refused with 403, never stored after', async () => {
    const [ada, bob, cy] = await people('Ada', 'Bob', 'Cy')
    const g = (await makeGroup(ada, 'Team', [bob, cy])).conversation_id
    const socket = await connect(srv.url, bob.token)
    type Outcome = { via: string; stored: number | null; refused: boolean }
    const rest = (i: number): Promise<Outcome> =>
      bob.api.post<MessageDto>(`/api/messages/${g}`, { content: `rest ${i}`, sender_id: uid(bob), client_id: `race-rest-${i}` }).then((res) => ({
        via: `rest ${i}: ${res.status}`,
        stored: res.status === 201 ? res.body.message_id : null,
        refused: res.status === 403 && (res.body as any).error.code === 'forbidden',
      }))
    const live = (i: number): Promise<Outcome> =>
      call<{ message: MessageDto }>(socket, 'send_message', { conversation_id: g, content: `socket ${i}`, sender_id: uid(bob), client_id: `race-socket-${i}` }).then((ack) => ({
        via: `socket ${i}: ${JSON.stringify(ack).slice(0, 120)}`,
        stored: ack.ok ? ack.message.message_id : null,
        refused: !ack.ok && ack.error.code === 'forbidden',
      }))
    const sends: Promise<Outcome>[] = []
    for (let i = 0; i < 15; i++) sends.push(rest(i), live(i))
    const removal = del(ada, `/api/conversations/${g}/members/${uid(bob)}`)
    for (let i = 15; i < 30; i++) sends.push(rest(i), live(i))
    const [outcomes, removed] = await Promise.all([Promise.all(sends), removal])
    expect(removed.status).toBe(200)
    for (const o of outcomes) expect(o.stored !== null || o.refused, o.via).toBe(true)

    const history = await historyOf(ada, g)
    const notice = history.find((m) => m.system?.type === 'removed')!
    expect(notice.system).toEqual({ type: 'removed', actor_id: uid(ada), user_ids: [uid(bob)] })
    const storedIds = outcomes.flatMap((o) => (o.stored === null ? [] : [o.stored])).sort((a, b) => a - b)
    for (const id of storedIds) expect(id, 'a send stored after the removal').toBeLessThan(notice.message_id)
    // What the group holds from Bob is exactly what he was told was stored, and he can still read all of it.
    expect(history.filter((m) => m.sender_id === uid(bob)).map((m) => m.message_id)).toEqual(storedIds)
    const his = (await historyOf(bob, g)).map((m) => m.message_id)
    expect(his.at(-1)).toBe(notice.message_id)
    for (const id of storedIds) expect(his).toContain(id)
    expect(await srv.server.database.db.message.count({ where: { conversation_id: g, sender_id: uid(bob), message_id: { gt: notice.message_id } } })).toBe(0)
  })

  it('a send that passed its membership check just before the removal but reaches the writer after it is refused inside the insert (403), not stored after', async () => {
    const [ada, bob, cy] = await people('Ada', 'Bob', 'Cy')
    const g = (await makeGroup(ada, 'Team', [bob, cy])).conversation_id
    // Hold Bob's send right after its check (he is a member then) until the removal has committed.
    const conversations = srv.server.services.conversations
    const check = conversations.assertParticipant.bind(conversations)
    let reached = (): void => {}
    let release = (): void => {}
    const atGate = new Promise<void>((resolve) => (reached = resolve))
    const gate = new Promise<void>((resolve) => (release = resolve))
    const spy = vi.spyOn(conversations, 'assertParticipant').mockImplementation(async (actor, conversationId) => {
      const ids = await check(actor, conversationId)
      if (actor.user_id === uid(bob) && conversationId === g) {
        reached()
        await gate
      }
      return ids
    })
    try {
      const send = bob.api.post(`/api/messages/${g}`, { content: 'held through my removal', sender_id: uid(bob), client_id: 'held-send' })
      await atGate
      expect((await del(ada, `/api/conversations/${g}/members/${uid(bob)}`)).status).toBe(200)
      release()
      const res = await send
      expect(res.status).toBe(403)
      expect(res.body.error).toMatchObject({ code: 'forbidden', message: expect.stringContaining('no longer a member') })
    } finally {
      spy.mockRestore()
    }
    expect((await historyOf(ada, g)).map((m) => [m.sender_id, m.content])).toEqual([
      [uid(ada), 'Ada created the group “Team”'],
      [uid(ada), 'Ada removed Bob'],
    ])
    expect(await srv.server.database.db.message.count({ where: { sender_id: uid(bob), client_id: 'held-send' } })).toBe(0)
  })
})

// ---- 8. limits ----

describe('the size of a group', () => {
  it(`is at most ${LIMITS.groupMembersMax} members, the owner included: one more is refused with 400 (on creation and on adding)`, async () => {
    const [ada] = await people('Ada')
    // Many users at once, straight into the database (registering each would hash a password).
    const db = srv.server.database.db
    const prefix = `many${process.pid}x${Date.now() % 100_000}x`
    await db.user.createMany({ data: Array.from({ length: LIMITS.groupMembersMax + 1 }, (_, i) => ({ username: `${prefix}${i}`, display_name: `Many ${i}`, password_hash: 'not-a-hash' })) })
    const many = (await db.user.findMany({ where: { username: { startsWith: prefix } }, select: { user_id: true }, orderBy: { user_id: 'asc' } })).map((u) => u.user_id)
    expect(many).toHaveLength(LIMITS.groupMembersMax + 1)
    const groups = async (): Promise<number> => (await inboxOf(ada)).length

    // One too many on creation, whether the list is within the schema's bound or beyond it.
    const tooMany = await ada.api.post('/api/groups', { title: 'Crowd', member_ids: many.slice(0, LIMITS.groupMembersMax) })
    expect(tooMany.status).toBe(400)
    expect(tooMany.body.error).toMatchObject({ code: 'bad_request', field: 'member_ids' })
    const wayTooMany = await ada.api.post('/api/groups', { title: 'Crowd', member_ids: many })
    expect(wayTooMany.status).toBe(400)
    expect(wayTooMany.body.error).toMatchObject({ code: 'bad_request', field: 'member_ids' })
    expect(await groups()).toBe(0)

    // Exactly the limit is fine.
    const full = await ada.api.post<ConversationDto>('/api/groups', { title: 'Crowd', member_ids: many.slice(0, LIMITS.groupMembersMax - 1) })
    expect(full.status, JSON.stringify(full.body).slice(0, 300)).toBe(201)
    expect(full.body.participants).toHaveLength(LIMITS.groupMembersMax)
    const g = full.body.conversation_id
    const before = await stored(g)

    // One more on adding: refused, nothing changed.
    const oneMore = await ada.api.post(`/api/conversations/${g}/members`, { user_ids: [many.at(-1)!] })
    expect(oneMore.status).toBe(400)
    expect(oneMore.body.error).toMatchObject({ code: 'bad_request', field: 'user_ids' })
    expect(await stored(g)).toEqual(before)
    // Someone leaves: there is room for one again.
    expect((await ada.api.request('DELETE', `/api/conversations/${g}/members/${many[0]}`)).status).toBe(200)
    const again = await ada.api.post<ConversationDto>(`/api/conversations/${g}/members`, { user_ids: [many.at(-1)!] })
    expect(again.status).toBe(200)
    expect(again.body.participants).toHaveLength(LIMITS.groupMembersMax)
  })
})
