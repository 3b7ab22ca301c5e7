import { afterAll, beforeAll, expect, it } from 'vitest'
import { openSqlite } from '../../electron/server/db/database'
import { PrismaInboxReader } from '../../electron/server/db/prisma/inbox'
import { SOURCE_MIGRATIONS_DIR } from '../../electron/server/config'
import { person } from '../helpers/api'
import { startServer, tempDir, noLimits, type TestServer } from '../helpers/server'

let srv: TestServer
const queries: string[] = []
beforeAll(async () => {
  const dataDir = tempDir()
  const database = await openSqlite({ dataDir, migrationsDir: SOURCE_MIGRATIONS_DIR, onQuery: (sql) => queries.push(sql) })
  // The Prisma reader, which other databases use (SQLite's own inbox reader is five queries by construction).
  srv = await startServer({ ...noLimits, dataDir }, { database: { ...database, inbox: new PrismaInboxReader(database.db) } })
})
afterAll(() => srv.close())

async function listQueries(api: { get(path: string): Promise<{ body: unknown[] }> }, userId: number): Promise<{ n: number; items: number }> {
  queries.length = 0
  const { body } = await api.get(`/api/conversations/${userId}`)
  // The token's user is cached after the first request, so this counts the list alone.
  return { n: queries.filter((q) => !/^(BEGIN|COMMIT)/i.test(q)).length, items: body.length }
}

it('lists conversations through Prisma in the same number of queries for 1 and for 40 conversations (up to 400; 5 more per 400 after)', async () => {
  const me = await person(srv.url, 'hub')
  const others = await Promise.all(Array.from({ length: 40 }, (_, i) => person(srv.url, `c${i}`)))
  const first = others[0]!
  const c0 = (await me.api.post('/api/conversations', { participant1_id: me.user.user_id, participant2_id: first.user.user_id })).body
  await first.api.post(`/api/messages/${c0.conversation_id}`, { content: 'hi', sender_id: first.user.user_id })
  const one = await listQueries(me.api, me.user.user_id)
  expect(one.items).toBe(1)

  for (const other of others.slice(1)) {
    const c = (await me.api.post('/api/conversations', { participant1_id: me.user.user_id, participant2_id: other.user.user_id })).body
    await other.api.post(`/api/messages/${c.conversation_id}`, { content: 'hello', sender_id: other.user.user_id })
  }
  const forty = await listQueries(me.api, me.user.user_id)
  expect(forty.items).toBe(40)
  console.log(`conversation list: ${one.n} queries for 1 conversation, ${forty.n} for 40`)
  expect(forty.n).toBe(one.n)
  // participations + conversations + participants + users + latest ids + unread + latest messages, and
  // the latest messages' relations (sender, attachments, the message replied to, reactions)
  expect(one.n).toBeGreaterThanOrEqual(6)
  expect(forty.n).toBeLessThanOrEqual(12)
})
