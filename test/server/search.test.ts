// GET /api/search on a real server: SQLite's FTS5 index in the `node` project, PostgreSQL's pg_trgm
// index in `postgres`. The same file with the same expectations runs on both, so it is the contract
// that both engines give the same results for the same corpus and query: words, two-letter word
// starts, substrings, accents, Chinese, Japanese, emoji, query syntax taken literally, every filter,
// paging without repeats, relevance, and who may read what (an outsider, a removed member, a deleted
// or edited message). Each test has people of its own, so only its own messages can match.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { MessageDto, SearchPageDto, UploadedFileDto } from '../../electron/shared/dto'
import { Api, chatOn, type Answer, type Person } from '../helpers/api'
import { noLimits, startServer, type TestServer } from '../helpers/server'

let srv: TestServer
let chat: ReturnType<typeof chatOn>
beforeAll(async () => {
  srv = await startServer(noLimits)
  chat = chatOn(srv.url)
})
afterAll(() => srv.close())

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64')

function search(who: Person, q: string, params: Record<string, string | number | boolean> = {}): Promise<Answer<SearchPageDto>> {
  const query = new URLSearchParams({ q, ...Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)])) })
  return who.api.get<SearchPageDto>(`/api/search?${query}`)
}

/** The ids found, newest first (a 200 expected). */
async function found(who: Person, q: string, params: Record<string, string | number | boolean> = {}): Promise<number[]> {
  const res = await search(who, q, params)
  expect(res.status, JSON.stringify(res.body)).toBe(200)
  return res.body.results.map((r) => r.message.message_id)
}

/** The marked parts of each result's text, as a client would mark them. */
const marked = (page: SearchPageDto): string[][] => page.results.map((r) => r.highlights.map(([a, b]) => r.message.content.slice(a, b)))

const ids = (...messages: MessageDto[]): number[] => messages.map((m) => m.message_id).sort((a, b) => b - a)

describe('what a query finds', () => {
  let ada: Person
  let bob: Person
  const m: Record<string, MessageDto> = {}
  beforeAll(async () => {
    ;[ada, bob] = await chat.people('ada', 'bob')
    const c = await chat.direct(ada, bob)
    const texts = {
      hello: 'Hello world, see you tomorrow',
      cafe: 'Meet at the Café Noir?',
      plainCafe: 'the cafe is closed',
      okay: 'okay then',
      book: 'a book about it',
      beijing: '我住在北京市，欢迎来玩',
      tokyo: '明日は東京タワーに行きます',
      party: 'party time 🎉🎉 at nine',
      thumbs: 'nice 👍🏽',
      syntax: 'use "NEAR(a b)" or col:x* ^start in FTS',
      percent: '100% sure_thing',
    }
    for (const [key, text] of Object.entries(texts)) m[key] = await chat.say(key === 'okay' ? bob : ada, c, text)
  })

  it('finds words and substrings anywhere, ignoring case', async () => {
    expect(await found(ada, 'world')).toEqual(ids(m.hello!))
    expect(await found(ada, 'ELLO')).toEqual(ids(m.hello!))
    expect(await found(ada, 'orrow')).toEqual(ids(m.hello!))
    expect(await found(ada, 'hello tomorrow')).toEqual(ids(m.hello!))
    expect(await found(ada, 'hello nowhere')).toEqual([])
  })

  it('matches two letters only where a word starts, three or more anywhere', async () => {
    expect(await found(ada, 'ok')).toEqual(ids(m.okay!))
    expect(await found(ada, 'ook')).toEqual(ids(m.book!))
  })

  it('ignores accents both ways: "cafe" finds "Café", "café" finds "cafe"', async () => {
    expect(await found(ada, 'cafe')).toEqual(ids(m.cafe!, m.plainCafe!))
    expect(await found(ada, 'CAFÉ')).toEqual(ids(m.cafe!, m.plainCafe!))
    const page = (await search(ada, 'cafe noir')).body
    expect(marked(page)).toEqual([['Café', 'Noir']])
  })

  it('finds Chinese and Japanese by any run of characters, one character included', async () => {
    expect(await found(ada, '北京')).toEqual(ids(m.beijing!))
    expect(await found(ada, '京')).toEqual(ids(m.beijing!, m.tokyo!))
    expect(await found(ada, '東京タワー')).toEqual(ids(m.tokyo!))
    expect(await found(ada, 'タワ')).toEqual(ids(m.tokyo!))
    expect(await found(ada, '北京 欢迎')).toEqual(ids(m.beijing!))
    expect(marked((await search(ada, '北京')).body)).toEqual([['北京']])
  })

  it('finds emoji, with or without a skin tone', async () => {
    expect(await found(ada, '🎉')).toEqual(ids(m.party!))
    expect(await found(ada, '👍')).toEqual(ids(m.thumbs!))
    expect(marked((await search(ada, '🎉')).body)).toEqual([['🎉🎉']])
  })

  it('takes quotes, NEAR, *, ^, column filters, % and _ as text to find, never as syntax', async () => {
    expect(await found(ada, '"NEAR(a')).toEqual(ids(m.syntax!))
    expect(await found(ada, 'col:x*')).toEqual(ids(m.syntax!))
    expect(await found(ada, '^start')).toEqual(ids(m.syntax!))
    expect(await found(ada, 'NEAR(hello world)')).toEqual([])
    expect(await found(ada, 'text:hello')).toEqual([])
    expect(await found(ada, '100%')).toEqual(ids(m.percent!))
    expect(await found(ada, 'e_th')).toEqual(ids(m.percent!))
    expect(await found(ada, '0%s')).toEqual([])
  })

  it('marks each occurrence of each term as UTF-16 ranges of the text as written', async () => {
    const page = (await search(ada, 'hello tomorrow')).body
    expect(page.results[0]!.highlights).toEqual([
      [0, 5],
      [21, 29],
    ])
  })

  it('refuses a query with nothing to search for, too long, or with bad filters, with a reason', async () => {
    const refused = async (q: string, params: Record<string, string> = {}): Promise<string> => {
      const res = await search(ada, q, params)
      expect(res.status, JSON.stringify(res.body)).toBe(400)
      return (res.body as unknown as { error: { message: string } }).error.message
    }
    expect(await refused('a')).toMatch(/^q: has nothing to search for/)
    expect(await refused('   ')).toMatch(/^q: /)
    expect(await refused('x'.repeat(201))).toMatch(/^q: must be at most 200/)
    expect(await refused('hello', { limit: '0' })).toMatch(/^limit: /)
    expect(await refused('hello', { limit: '51' })).toMatch(/^limit: /)
    expect(await refused('hello', { before: 'yesterday' })).toMatch(/^before: /)
    expect(await refused('hello', { after: '2026-12-03T10:00:00Z', before: '2026-12-03T09:00:00Z' })).toMatch(/^after: /)
    expect(await refused('hello', { has_attachment: 'yes' })).toMatch(/^has_attachment: /)
    expect(await refused('hello', { cursor: 'not-a-cursor' })).toMatch(/^cursor: /)
    expect(await refused('hello', { order: 'oldest' })).toMatch(/^order: /)
    expect((await new Api(srv.url).get('/api/search?q=hello')).status).toBe(401)
  })
})

describe('filters and pages', () => {
  it('filters by conversation, sender, time and attachment', async () => {
    const [ada, bob, cy] = await chat.people('ada', 'bob', 'cy')
    const withBob = await chat.direct(ada, bob)
    const withCy = await chat.direct(ada, cy)
    const a1 = await chat.say(ada, withBob, 'filter me one')
    const b1 = await chat.say(bob, withBob, 'filter me two')
    const c1 = await chat.say(cy, withCy, 'filter me three')
    const form = new FormData()
    form.append('file', new Blob([PNG], { type: 'image/png' }), 'dot.png')
    const file = (await ada.api.request<UploadedFileDto>('POST', '/api/files', form)).body
    const a2 = await chat.say(ada, withCy, 'filter me with a picture', { attachments: [{ file_url: file.file_url }] })
    expect(await found(ada, 'filter')).toEqual(ids(a1, b1, c1, a2))
    expect(await found(ada, 'filter', { conversation_id: withBob })).toEqual(ids(a1, b1))
    expect(await found(ada, 'filter', { sender_id: ada.user.user_id })).toEqual(ids(a1, a2))
    expect(await found(ada, 'filter', { has_attachment: true })).toEqual(ids(a2))
    expect(await found(ada, 'filter', { has_attachment: false })).toEqual(ids(a1, b1, c1))
    const all = [a1, b1, c1, a2]
    const at = (x: MessageDto): number => Date.parse(x.created_at)
    expect(await found(ada, 'filter', { after: b1.created_at })).toEqual(ids(...all.filter((x) => at(x) > at(b1))))
    expect(await found(ada, 'filter', { before: c1.created_at, conversation_id: withBob })).toEqual(ids(...[a1, b1].filter((x) => at(x) < at(c1))))
    expect(await found(ada, 'filter', { after: new Date(at(a1) - 60_000).toISOString(), before: new Date(at(a2) + 60_000).toISOString() })).toEqual(ids(...all))
    expect(await found(ada, 'filter', { before: new Date(at(a1) - 60_000).toISOString() })).toEqual([])
  })

  it('pages newest first by cursor without a repeat or a gap, and by relevance', async () => {
    const [ada, bob] = await chat.people('ada', 'bob')
    const c = await chat.direct(ada, bob)
    const sent: MessageDto[] = []
    for (let i = 0; i < 45; i++) sent.push(await chat.say(i % 2 ? bob : ada, c, i === 7 ? 'page page page' : `a page number ${i} pageant`))
    const seen: number[] = []
    let cursor: string | undefined
    let pages = 0
    do {
      const res = await search(ada, 'page', { limit: 20, ...(cursor ? { cursor } : {}) })
      expect(res.status).toBe(200)
      seen.push(...res.body.results.map((r) => r.message.message_id))
      cursor = res.body.next_cursor ?? undefined
      pages++
    } while (cursor)
    expect(pages).toBe(3)
    expect(seen).toEqual(ids(...sent))

    // Relevance: the message with three whole-word matches first, then the rest newest first.
    const ranked: number[] = []
    cursor = undefined
    do {
      const res = await search(ada, 'page', { order: 'relevance', limit: 20, ...(cursor ? { cursor } : {}) })
      expect(res.status).toBe(200)
      ranked.push(...res.body.results.map((r) => r.message.message_id))
      cursor = res.body.next_cursor ?? undefined
    } while (cursor)
    expect(ranked).toEqual([sent[7]!.message_id, ...ids(...sent).filter((id) => id !== sent[7]!.message_id)])
    // A cursor of one order is refused by the other.
    const first = await search(ada, 'page', { limit: 20 })
    expect((await search(ada, 'page', { order: 'relevance', cursor: first.body.next_cursor! })).status).toBe(400)
  })
})

describe('who may read what', () => {
  it('never shows an outsider a message, and answers 403/404 for a conversation they name', async () => {
    const [ada, bob, eve] = await chat.people('ada', 'bob', 'eve')
    const c = await chat.direct(ada, bob)
    await chat.say(ada, c, 'secret plans for friday')
    expect(await found(eve, 'secret')).toEqual([])
    expect((await search(eve, 'secret', { conversation_id: c })).status).toBe(403)
    expect((await search(eve, 'secret', { conversation_id: 2_000_000_000 })).status).toBe(404)
  })

  it('shows a removed member the messages up to their removal, none after', async () => {
    const [ada, bob, cy] = await chat.people('ada', 'bob', 'cy')
    const g = await chat.group(ada, [bob, cy])
    const before = await chat.say(ada, g, 'roadmap draft one')
    expect((await ada.api.request('DELETE', `/api/conversations/${g}/members/${cy.user.user_id}`)).status).toBe(200)
    const after = await chat.say(ada, g, 'roadmap draft two')
    expect(await found(cy, 'roadmap')).toEqual(ids(before))
    expect(await found(cy, 'roadmap', { conversation_id: g })).toEqual(ids(before))
    expect(await found(bob, 'roadmap')).toEqual(ids(before, after))
  })

  it('never finds a deleted message, and finds an edited one by its new text only', async () => {
    const [ada, bob] = await chat.people('ada', 'bob')
    const c = await chat.direct(ada, bob)
    const gone = await chat.say(ada, c, 'regrettable remark')
    const fixed = await chat.say(ada, c, 'teh typo')
    expect((await ada.api.request('DELETE', `/api/messages/${gone.message_id}`)).status).toBe(200)
    expect((await ada.api.patch(`/api/messages/${fixed.message_id}`, { content: 'the typo fixed' })).status).toBe(200)
    expect(await found(bob, 'regrettable')).toEqual([])
    expect(await found(bob, 'teh')).toEqual([])
    expect(await found(bob, 'fixed')).toEqual(ids(fixed))
    expect(marked((await search(bob, 'typo')).body)).toEqual([['typo']])
  })
})

describe('a server with the index turned off', () => {
  it('answers searches with 503 and keeps no index; the next start with it on rebuilds it, edits made meanwhile included', async () => {
    const off = await startServer({ ...noLimits, searchIndex: false })
    const dataDir = off.dataDir
    let on: TestServer | undefined
    try {
      expect(off.server.database.migrations.search).toBe('marked stale')
      const offChat = chatOn(off.url)
      const [ada, bob] = await offChat.people('ada', 'bob')
      const c = await offChat.direct(ada, bob)
      const kept = await offChat.say(ada, c, 'written while the index was off')
      const edited = await offChat.say(ada, c, 'first words')
      expect((await ada.api.patch(`/api/messages/${edited.message_id}`, { content: 'second words' })).status).toBe(200)
      const res = await search(ada, 'written')
      expect(res.status).toBe(503)
      expect(res.body).toEqual({ error: { code: 'unavailable', message: 'Search is turned off on this server.' } })
      await off.close({ keepData: true })

      on = await startServer({ ...noLimits, dataDir })
      expect(on.server.database.migrations.search).toBe('rebuilt')
      const at = (q: string): Promise<number[]> => found({ ...ada, api: new Api(on!.url, ada.token) }, q)
      expect(await at('written')).toEqual([kept.message_id])
      expect(await at('second')).toEqual([edited.message_id])
      expect(await at('first')).toEqual([])
    } finally {
      await (on ?? off).close()
    }
  })
})
