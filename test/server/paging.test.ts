import { afterAll, beforeAll, expect, it } from 'vitest'
import { PrismaInboxReader } from '../../electron/server/db/prisma/inbox'
import type { MessageDto } from '../../electron/shared/dto'
import { pair } from '../helpers/api'
import { startServer, type TestServer } from '../helpers/server'

let srv: TestServer
beforeAll(async () => {
  srv = await startServer()
})
afterAll(() => srv.close())

it('pages back through 10,000 messages with `before`, each once, in order', async () => {
  const { ada, bob, conversationId } = await pair(srv.url)
  const db = srv.server.database.db
  const start = Date.UTC(2026, 0, 1)
  // Bulk-created (sending 10,000 over HTTP would test the rate limit, not paging).
  for (let chunk = 0; chunk < 10; chunk++) {
    await db.message.createMany({
      data: Array.from({ length: 1000 }, (_, j) => {
        const i = chunk * 1000 + j
        return { conversation_id: conversationId, sender_id: i % 2 ? bob.user.user_id : ada.user.user_id, content: `m${i}`, created_at: new Date(start + i * 1000) }
      }),
    })
  }
  const seen: MessageDto[] = []
  let before: number | undefined
  let pages = 0
  for (;;) {
    const res = await ada.api.get<MessageDto[]>(`/api/messages/${conversationId}?limit=200${before ? `&before=${before}` : ''}`)
    expect(res.status).toBe(200)
    if (res.body.length === 0) break
    pages++
    const ids = res.body.map((m) => m.message_id)
    expect(ids).toEqual([...ids].sort((a, b) => a - b)) // each page ascending
    seen.unshift(...res.body)
    before = res.body[0]!.message_id
  }
  expect(pages).toBe(50)
  expect(seen).toHaveLength(10_000)
  expect(new Set(seen.map((m) => m.message_id)).size).toBe(10_000)
  expect(seen.map((m) => m.content)).toEqual(Array.from({ length: 10_000 }, (_, i) => `m${i}`))
  const times = seen.map((m) => m.created_at)
  expect([...times].sort()).toEqual(times)
  // The server's page reader (SQLite's raw one, or Prisma's on PostgreSQL) and the Prisma reader give the same pages.
  const viaPrisma = new PrismaInboxReader(db)
  for (const before of [undefined, seen[5000]!.message_id, seen[3]!.message_id]) {
    const q = before ? `&before=${before}` : ''
    const raw = (await ada.api.get<MessageDto[]>(`/api/messages/${conversationId}?limit=120${q}`)).body
    expect(JSON.stringify(await viaPrisma.page(conversationId, before, 120))).toBe(JSON.stringify(raw))
  }
})

it('returns the latest 50 by default', async () => {
  const { ada, conversationId } = await pair(srv.url)
  for (let i = 0; i < 60; i++) await ada.api.post(`/api/messages/${conversationId}`, { content: `n${i}`, sender_id: ada.user.user_id })
  const res = await ada.api.get<MessageDto[]>(`/api/messages/${conversationId}`)
  expect(res.body.map((m) => m.content)).toEqual(Array.from({ length: 50 }, (_, i) => `n${i + 10}`))
})
