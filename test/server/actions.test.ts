// Message actions on a real server (SQLite in `node`, PostgreSQL in `postgres`): replies, pages around a
// message, edits and their versions, deletion for everyone (with its files), reactions; each route's
// answer and refusals, the live event each change sends with its feed position, and catch-up by
// position (sync after_seq) compacted. Absence is proven with a sentinel sent after.
import { readdirSync } from 'node:fs'
import path from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import type { MessageDto, MessageVersionDto, ReactionUpdateDto, UploadedFileDto } from '../../electron/shared/dto'
import type { FeedPosition, ServerToClientEvents, SyncResult } from '../../electron/shared/events'
import { LIMITS } from '../../electron/shared/limits'
import { chatOn, type Answer, type Person } from '../helpers/api'
import { noLimits, startServer, type TestServer } from '../helpers/server'
import { call, closeAllSockets, connect, type TestSocket } from '../helpers/sockets'
import { until } from '../helpers/wait'

let srv: TestServer
beforeAll(async () => {
  srv = await startServer(noLimits)
})
afterEach(() => {
  closeAllSockets()
  vi.restoreAllMocks()
})
afterAll(() => srv.close())

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64')
const uid = (p: Person): number => p.user.user_id
/** The chat steps every server test writes (test/helpers/api.ts), on this file's server. */
const chat = (): ReturnType<typeof chatOn> => chatOn(srv.url)
const people = <N extends string[]>(...names: N): Promise<{ [K in keyof N]: Person }> => chat().people(...names)
const direct = (a: Person, b: Person): Promise<number> => chat().direct(a, b)
const say = (who: Person, conversationId: number, content: string, extra?: Record<string, unknown>): Promise<MessageDto> => chat().say(who, conversationId, content, extra)
const group = (owner: Person, members: Person[], title?: string): Promise<number> => chat().group(owner, members, title)
const del = (who: Person, url: string): Promise<Answer> => who.api.request('DELETE', url)
const put = (who: Person, url: string): Promise<Answer> => who.api.request('PUT', url)
const reaction = (messageId: number, emoji: string): string => `/api/messages/${messageId}/reactions/${encodeURIComponent(emoji)}`

async function history(who: Person, conversationId: number, query = ''): Promise<MessageDto[]> {
  const res = await who.api.get<MessageDto[]>(`/api/messages/${conversationId}?limit=${LIMITS.pageMax}${query}`)
  expect(res.status, JSON.stringify(res.body)).toBe(200)
  return res.body
}

const edit = (who: Person, messageId: number, content: string): Promise<Answer> => who.api.patch(`/api/messages/${messageId}`, { content })

type Heard = { event: keyof ServerToClientEvents; payload: any; at: FeedPosition | undefined }
/** Every change event a socket gets, with the position it came with, in order of arrival. */
function listen(socket: TestSocket): Heard[] {
  const heard: Heard[] = []
  for (const event of ['new_message', 'message_read', 'message_updated', 'message_deleted', 'reaction_updated', 'conversation_updated'] as const) {
    socket.on(event, ((payload: unknown, at: FeedPosition | undefined) => heard.push({ event, payload, at })) as never)
  }
  return heard
}

/** Sends a sentinel in a direct chat and waits for it: every change made before it has been delivered by then. */
async function settle(from: Person, heard: Heard[], conversationId: number): Promise<void> {
  const sentinel = await say(from, conversationId, `sentinel ${Math.random()}`)
  await until('the sentinel', () => heard.some((h) => h.event === 'new_message' && h.payload.message_id === sentinel.message_id))
}

describe('replies and pages around a message', () => {
  it('carries the quoted message, refuses one of another conversation, and says so once the original is deleted', async () => {
    const [ada, bob, cy] = await people('ada', 'bob', 'cy')
    const c = await direct(ada, bob)
    const other = await direct(ada, cy)
    const long = 'x'.repeat(LIMITS.replyExcerptChars + 50)
    const original = await say(ada, c, long)
    const reply = await say(bob, c, 'replying', { reply_to_id: original.message_id })
    expect(reply.reply_to).toEqual({ message_id: original.message_id, sender: ada.user, excerpt: 'x'.repeat(LIMITS.replyExcerptChars), deleted: false })
    // The same through the socket.
    const socket = await connect(srv.url, bob.token)
    const viaSocket = await call<{ message: MessageDto }>(socket, 'send_message', { conversation_id: c, content: 'again', sender_id: uid(bob), reply_to_id: original.message_id })
    expect(viaSocket.ok).toBe(true)
    expect(viaSocket.message.reply_to?.message_id).toBe(original.message_id)

    const elsewhere = await say(ada, other, 'in another chat')
    for (const reply_to_id of [elsewhere.message_id, 999_999_999]) {
      const refused = await bob.api.post(`/api/messages/${c}`, { content: 'no', sender_id: uid(bob), reply_to_id })
      expect(refused.status).toBe(400)
      expect(refused.body.error.field).toBe('reply_to_id')
    }
    expect((await history(bob, c)).map((m) => m.content)).toEqual([long, 'replying', 'again'])

    expect((await del(ada, `/api/messages/${original.message_id}`)).status).toBe(200)
    const quoted = (await history(bob, c)).find((m) => m.message_id === reply.message_id)!
    expect(quoted.reply_to).toEqual({ message_id: original.message_id, sender: ada.user, excerpt: 'deleted message', deleted: true })
  })

  it('pages around a message: it and what comes either side, for members only', async () => {
    const [ada, bob, eve] = await people('ada', 'bob', 'eve')
    const c = await direct(ada, bob)
    const sent: MessageDto[] = []
    for (let i = 0; i < 12; i++) sent.push(await say(i % 2 ? bob : ada, c, `m${i}`))
    const ids = sent.map((m) => m.message_id)
    const around = await history(bob, c, `&around=${ids[6]}`)
    expect(around.map((m) => m.message_id)).toEqual(ids) // limit 200: everything
    const page = (await bob.api.get<MessageDto[]>(`/api/messages/${c}?around=${ids[6]}&limit=5`)).body
    expect(page.map((m) => m.content)).toEqual(['m4', 'm5', 'm6', 'm7', 'm8'])
    const atStart = (await bob.api.get<MessageDto[]>(`/api/messages/${c}?around=${ids[0]}&limit=4`)).body
    expect(atStart.map((m) => m.content)).toEqual(['m0', 'm1', 'm2', 'm3'])
    expect((await bob.api.get(`/api/messages/${c}?around=${ids[3]}&before=${ids[5]}`)).status).toBe(400)
    expect((await bob.api.get(`/api/messages/${c}?around=999999999`)).status).toBe(404)
    expect((await eve.api.get(`/api/messages/${c}?around=${ids[3]}`)).status).toBe(403)
  })
})

describe('edits', () => {
  it('replaces the text for its sender, keeps the earlier versions, and tells every member with the change’s position', async () => {
    const [ada, bob] = await people('ada', 'bob')
    const c = await direct(ada, bob)
    const heard = listen(await connect(srv.url, bob.token))
    const first = await say(ada, c, 'helo')
    const edited = await edit(ada, first.message_id, 'hello')
    expect(edited.status).toBe(200)
    expect(edited.body).toMatchObject({ message_id: first.message_id, content: 'hello', created_at: first.created_at })
    expect(edited.body.edited_at).not.toBeNull()
    const again = await edit(ada, first.message_id, 'hello, bob\u0007')
    expect(again.body.content).toBe('hello, bob') // sanitised as a send is
    await until('two message_updated', () => heard.filter((h) => h.event === 'message_updated').length === 2)
    const updates = heard.filter((h) => h.event === 'message_updated')
    expect(updates.map((h) => h.payload.content)).toEqual(['hello', 'hello, bob'])
    // Positions grow with each change a socket gets.
    const seqs = heard.map((h) => h.at!.seq)
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b))
    expect(new Set(seqs).size).toBe(seqs.length)

    const versions = await bob.api.get<MessageVersionDto[]>(`/api/messages/${first.message_id}/edits`)
    expect(versions.status).toBe(200)
    expect(versions.body.map((v) => v.content)).toEqual(['helo', 'hello'])
    expect(versions.body[0]!.written_at).toBe(first.created_at)
    expect(versions.body[1]!.written_at).toBe(edited.body.edited_at)

    // The text it already has: answered, nothing stored, nothing sent (a retried edit).
    const same = await edit(ada, first.message_id, 'hello, bob')
    expect(same.status).toBe(200)
    await settle(ada, heard, c)
    expect(heard.filter((h) => h.event === 'message_updated')).toHaveLength(2)
    expect((await bob.api.get<MessageVersionDto[]>(`/api/messages/${first.message_id}/edits`)).body).toHaveLength(2)
  })

  it('refuses other people, outsiders, notices, deleted messages, malformed bodies, an expired window and a 21st edit', async () => {
    const [ada, bob, eve] = await people('ada', 'bob', 'eve')
    const c = await direct(ada, bob)
    const m = await say(ada, c, 'mine')
    expect((await edit(bob, m.message_id, 'not yours')).status).toBe(403)
    expect((await edit(eve, m.message_id, 'outsider')).status).toBe(403)
    expect((await edit(ada, 999_999_999, 'missing')).status).toBe(404)
    for (const body of [{ content: '' }, { content: '   ' }, { content: 'x'.repeat(LIMITS.contentMaxChars + 1) }, { content: 'a', is_read: true }, { content: 5 }, {}]) {
      const res = await ada.api.patch(`/api/messages/${m.message_id}`, body)
      expect(res.status, JSON.stringify(body)).toBe(400)
      expect(res.body.error.message).toBeTruthy()
    }
    const g = await group(ada, [bob])
    const notice = (await history(ada, g))[0]!
    expect(notice.system).not.toBeNull()
    expect((await edit(ada, notice.message_id, 'forged')).status).toBe(403)

    for (let i = 1; i <= LIMITS.editsMax; i++) expect((await edit(ada, m.message_id, `version ${i}`)).status).toBe(200)
    const tooMany = await edit(ada, m.message_id, 'one more')
    expect(tooMany.status).toBe(403)
    expect(tooMany.body.error.message).toMatch(/20 times/)

    const late = await say(ada, c, 'late')
    vi.spyOn(Date, 'now').mockReturnValue(Date.parse(late.created_at) + LIMITS.editWindowMs + 1_000)
    const expired = await edit(ada, late.message_id, 'too late')
    expect(expired.status).toBe(403)
    expect(expired.body.error.message).toMatch(/24 hours/)
    vi.restoreAllMocks()

    expect((await del(ada, `/api/messages/${late.message_id}`)).status).toBe(200)
    expect((await edit(ada, late.message_id, 'after deletion')).status).toBe(409)
    // Nothing changed by any refusal.
    expect((await history(ada, c)).map((x) => [x.content, x.deleted_at === null])).toEqual([
      [`version ${LIMITS.editsMax}`, true],
      ['', false],
    ])
  })
})

describe('deletion for everyone', () => {
  async function upload(who: Person, name: string): Promise<UploadedFileDto> {
    const form = new FormData()
    form.append('file', new Blob([PNG], { type: 'image/png' }), name)
    const res = await who.api.request<UploadedFileDto>('POST', '/api/files', form)
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    return res.body
  }
  const stored = (): string[] => readdirSync(path.join(srv.dataDir, 'files'))

  it('leaves a tombstone without text, files, versions or reactions, removes its files from storage, and tells every member once', async () => {
    const [ada, bob] = await people('ada', 'bob')
    const c = await direct(ada, bob)
    const heard = listen(await connect(srv.url, bob.token))
    const file = await upload(ada, 'photo.png')
    const name = file.file_url.split('/').at(-1)!
    const m = await say(ada, c, 'with a photo', { attachments: [{ file_url: file.file_url }] })
    expect((await bob.api.request('GET', file.file_url)).status).toBe(200)
    await edit(ada, m.message_id, 'with a photo!')
    expect((await put(bob, reaction(m.message_id, '👍'))).status).toBe(200)
    expect(stored()).toContain(name)

    const gone = await del(ada, `/api/messages/${m.message_id}`)
    expect(gone.status).toBe(200)
    expect(gone.body).toMatchObject({ message_id: m.message_id, content: '', attachments: [], reactions: [], edited_at: null })
    expect(gone.body.deleted_at).not.toBeNull()
    expect((await bob.api.get(`/api/messages/${m.message_id}/edits`)).body).toEqual([])
    for (const who of [ada, bob]) expect((await who.api.request('GET', file.file_url)).status).toBe(404)
    expect(stored()).not.toContain(name)
    await until('message_deleted', () => heard.some((h) => h.event === 'message_deleted'))
    expect(heard.find((h) => h.event === 'message_deleted')!.payload).toEqual(gone.body)

    // Again: the same tombstone, and no second event.
    const again = await del(ada, `/api/messages/${m.message_id}`)
    expect(again.status).toBe(200)
    expect(again.body).toEqual(gone.body)
    await settle(ada, heard, c)
    expect(heard.filter((h) => h.event === 'message_deleted')).toHaveLength(1)
  })

  it('keeps a file another message still uses', async () => {
    const [ada, bob] = await people('ada', 'bob')
    const c = await direct(ada, bob)
    const file = await upload(ada, 'shared.png')
    const one = await say(ada, c, 'one', { attachments: [{ file_url: file.file_url }] })
    await say(ada, c, 'two', { attachments: [{ file_url: file.file_url }] })
    expect((await del(ada, `/api/messages/${one.message_id}`)).status).toBe(200)
    expect((await bob.api.request('GET', file.file_url)).status).toBe(200)
  })

  it('lets the sender, and in a group its owner and admins, delete; no one else', async () => {
    const [ada, bob, cy, eve] = await people('ada', 'bob', 'cy', 'eve')
    const c = await direct(ada, bob)
    const m = await say(ada, c, 'direct')
    expect((await del(bob, `/api/messages/${m.message_id}`)).status).toBe(403)
    expect((await del(eve, `/api/messages/${m.message_id}`)).status).toBe(403)
    expect((await del(ada, '/api/messages/999999999')).status).toBe(404)
    expect((await del(ada, '/api/messages/abc')).status).toBe(400)

    const g = await group(ada, [bob, cy])
    expect((await ada.api.patch(`/api/conversations/${g}/members/${uid(bob)}`, { role: 'admin' })).status).toBe(200)
    const fromCy = await say(cy, g, 'cy writes')
    const fromAda = await say(ada, g, 'ada writes')
    const fromBob = await say(bob, g, 'bob writes')
    expect((await del(cy, `/api/messages/${fromAda.message_id}`)).status).toBe(403) // a member, not theirs
    expect((await del(bob, `/api/messages/${fromCy.message_id}`)).status).toBe(200) // an admin
    expect((await del(ada, `/api/messages/${fromBob.message_id}`)).status).toBe(200) // the owner
    const notice = (await history(ada, g))[0]!
    expect((await del(ada, `/api/messages/${notice.message_id}`)).status).toBe(403)
    expect((await history(cy, g)).map((x) => [x.content, x.deleted_at !== null])).toEqual([
      [notice.content, false],
      [`${ada.user.display_name} made ${bob.user.display_name} an admin`, false],
      ['', true],
      ['ada writes', false],
      ['', true],
    ])
  })
})

describe('reactions', () => {
  it('adds and takes back one emoji per person, counts exactly, and tells every member of each change once', async () => {
    const [ada, bob] = await people('ada', 'bob')
    const c = await direct(ada, bob)
    const heard = listen(await connect(srv.url, ada.token))
    const m = await say(ada, c, 'react to me')
    const first = await put(bob, reaction(m.message_id, '👍'))
    expect(first.status).toBe(200)
    expect(first.body.reactions).toEqual([{ emoji: '👍', count: 1, user_ids: [uid(bob)] }])
    expect((await put(bob, reaction(m.message_id, '👍'))).body.reactions).toEqual([{ emoji: '👍', count: 1, user_ids: [uid(bob)] }])
    await put(ada, reaction(m.message_id, '👍'))
    const two = await put(ada, reaction(m.message_id, '❤️'))
    expect(two.body.reactions).toEqual([
      { emoji: '👍', count: 2, user_ids: [uid(bob), uid(ada)] },
      { emoji: '❤️', count: 1, user_ids: [uid(ada)] },
    ])
    const back = await del(bob, reaction(m.message_id, '👍'))
    expect(back.body.reactions).toEqual([
      { emoji: '👍', count: 1, user_ids: [uid(ada)] },
      { emoji: '❤️', count: 1, user_ids: [uid(ada)] },
    ])
    expect((await del(bob, reaction(m.message_id, '👍'))).status).toBe(200) // nothing to take back: still fine
    await settle(bob, heard, c)
    const updates = heard.filter((h) => h.event === 'reaction_updated').map((h) => h.payload as ReactionUpdateDto)
    expect(updates.map((u) => u.reactions.map((r) => `${r.emoji}${r.count}`).join(' '))).toEqual(['👍1', '👍2', '👍2 ❤️1', '👍1 ❤️1'])
    expect(updates.every((u) => u.message_id === m.message_id && u.conversation_id === c)).toBe(true)
    expect((await history(bob, c)).find((x) => x.message_id === m.message_id)!.reactions).toEqual(back.body.reactions)
  })

  it('refuses what is not one emoji, outsiders, notices and deleted messages', async () => {
    const [ada, bob, eve] = await people('ada', 'bob', 'eve')
    const c = await direct(ada, bob)
    const m = await say(ada, c, 'hi')
    for (const bad of ['a', '👍👍', ':+1:', '👍 ', '<b>', '1']) {
      const res = await put(bob, reaction(m.message_id, bad))
      expect(res.status, bad).toBe(400)
      expect(res.body.error.field).toBe('emoji')
    }
    // Multi-code-point graphemes are one emoji.
    for (const good of ['👍🏽', '👨‍👩‍👧', '🇫🇷', '❤️']) expect((await put(bob, reaction(m.message_id, good))).status, good).toBe(200)
    expect((await put(eve, reaction(m.message_id, '👍'))).status).toBe(403)
    expect((await put(bob, reaction(999_999_999, '👍'))).status).toBe(404)
    const g = await group(ada, [bob])
    const notice = (await history(ada, g))[0]!
    expect((await put(bob, reaction(notice.message_id, '👍'))).status).toBe(403)
    await del(ada, `/api/messages/${m.message_id}`)
    expect((await put(bob, reaction(m.message_id, '👍'))).status).toBe(409)
  })

  it('names at most 20 people per emoji, with the count exact', async () => {
    const [ada, ...others] = (await people('ada', ...Array.from({ length: 24 }, (_, i) => `r${i}`))) as Person[]
    const g = await group(ada!, others)
    const m = await say(ada!, g, 'everyone react')
    for (const p of others) expect((await put(p, reaction(m.message_id, '🎉'))).status).toBe(200)
    const [entry] = (await history(ada!, g)).find((x) => x.message_id === m.message_id)!.reactions
    expect(entry!.count).toBe(24)
    expect(entry!.user_ids).toEqual(others.slice(0, LIMITS.reactionUsersShown).map(uid))
  })
})

describe('catch-up by position', () => {
  it('returns every change after a position once, as it is now, in position order, paged without a gap', async () => {
    const [ada, bob, cy] = await people('ada', 'bob', 'cy')
    const c = await direct(ada, bob)
    const g = await group(ada, [bob, cy], 'Before')
    const bobSocket = await connect(srv.url, bob.token)
    const start = await call<SyncResult>(bobSocket, 'sync', { after_seq: 0 })
    expect(start.ok).toBe(true)
    const from = start.position as number
    // While bob looks away: new messages, an edit, reactions, a deletion, reads, a rename.
    const one = await say(ada, c, 'one')
    const two = await say(ada, c, 'two')
    await edit(ada, one.message_id, 'one, edited')
    await put(ada, reaction(two.message_id, '👍'))
    await put(ada, reaction(two.message_id, '🎉'))
    await del(ada, `/api/messages/${two.message_id}`)
    const three = await say(cy, g, 'three')
    expect((await cy.api.patch(`/api/messages/${one.message_id}`, { is_read: true })).status).toBe(403) // not cy's chat
    expect((await ada.api.patch(`/api/messages/${three.message_id}`, { is_read: true })).status).toBe(200)
    expect((await ada.api.patch(`/api/conversations/${g}`, { title: 'After' })).status).toBe(200)

    const whole = (await call<SyncResult>(bobSocket, 'sync', { after_seq: from })) as unknown as SyncResult
    expect(whole.has_more).toBe(false)
    // Each message once, as it is now; the deleted one as its tombstone; notices are messages too.
    const byId = new Map(whole.messages.map((m) => [m.message_id, m]))
    expect(whole.messages).toHaveLength(byId.size)
    expect(byId.get(one.message_id)).toMatchObject({ content: 'one, edited' })
    expect(byId.get(two.message_id)).toMatchObject({ content: '', reactions: [] })
    expect(byId.get(two.message_id)!.deleted_at).not.toBeNull()
    expect(byId.get(three.message_id)).toMatchObject({ content: 'three' })
    expect(whole.messages.filter((m) => m.system?.type === 'renamed')).toHaveLength(1)
    expect(whole.read_states).toEqual([{ conversation_id: g, user_id: uid(ada), last_read_message_id: three.message_id }])
    expect(whole.conversations!.map((x) => [x.conversation_id, x.title])).toEqual([[g, 'After']])
    expect(whole.position!).toBeGreaterThan(from)

    // Page by page, two at a time: the same changes, positions only growing, nothing twice.
    const seen: string[] = []
    let after = from
    for (let pages = 0; ; pages++) {
      expect(pages).toBeLessThan(20)
      const page = (await call<SyncResult>(bobSocket, 'sync', { after_seq: after, limit: 2 })) as unknown as SyncResult
      expect(page.messages.length + page.read_states.length + page.conversations!.length).toBeLessThanOrEqual(2)
      seen.push(...page.messages.map((m) => `m${m.message_id}`), ...page.read_states.map((r) => `r${r.user_id}`), ...page.conversations!.map((x) => `c${x.conversation_id}`))
      expect(page.position!).toBeGreaterThanOrEqual(after)
      after = page.position!
      if (!page.has_more) break
    }
    expect(seen.sort()).toEqual([...whole.messages.map((m) => `m${m.message_id}`), ...whole.read_states.map((r) => `r${r.user_id}`), ...whole.conversations!.map((x) => `c${x.conversation_id}`)].sort())
    expect(after).toBe(whole.position)
    // Nothing after the end.
    expect(await call<SyncResult>(bobSocket, 'sync', { after_seq: whole.position })).toMatchObject({ messages: [], read_states: [], conversations: [], has_more: false, position: whole.position })
  })

  it('shows a removed member the messages up to their removal as they are now (as their history does), nothing after, and the group as at their removal', async () => {
    const [ada, bob, cy] = await people('ada', 'bob', 'cy')
    const g = await group(ada, [bob, cy])
    const before = await say(ada, g, 'before')
    const cySocket = await connect(srv.url, cy.token)
    const from = (await call<SyncResult>(cySocket, 'sync', { after_seq: 0 })).position as number
    expect((await del(ada, `/api/conversations/${g}/members/${uid(cy)}`)).status).toBe(200)
    await edit(ada, before.message_id, 'edited after cy left')
    await put(bob, reaction(before.message_id, '❤️'))
    await say(ada, g, 'after')
    await ada.api.patch(`/api/conversations/${g}`, { title: 'Renamed later' })
    const page = (await call<SyncResult>(cySocket, 'sync', { after_seq: from })) as unknown as SyncResult
    expect(page.messages.map((m) => m.content)).toEqual([`${ada.user.display_name} removed cy`, 'edited after cy left'])
    expect(page.messages[1]!.reactions.map((r) => r.emoji)).toEqual(['❤️'])
    // The same as the history answers.
    const history = (await cy.api.get<MessageDto[]>(`/api/messages/${g}`)).body
    expect(history.find((m) => m.message_id === before.message_id)).toEqual(page.messages[1])
    expect(history.map((m) => m.content)).not.toContain('after')
    expect(page.conversations!.map((x) => [x.conversation_id, x.title, x.participants.some((p) => p.user_id === uid(cy))])).toEqual([[g, 'Team', false]])
    expect(page.read_states).toEqual([])
  })

  it('refuses a sync with both cursors or none', async () => {
    const [ada] = await people('ada')
    const socket = await connect(srv.url, ada.token)
    for (const payload of [{}, { after_seq: 1, after_message_id: 1 }, { after_seq: -1 }, { after_seq: 'x' }]) {
      const res = await call(socket, 'sync', payload)
      expect(res.ok, JSON.stringify(payload)).toBe(false)
    }
  })
})
