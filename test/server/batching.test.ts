import { afterEach, describe, expect, it, vi } from 'vitest'
import { SOURCE_MIGRATIONS_DIR } from '../../electron/server/config'
import { openSqlite, type Database } from '../../electron/server/db/database'
import type { MessageWriter } from '../../electron/server/db/ports'
import { PrismaMessageWriter } from '../../electron/server/db/prisma/writer'
import type { MessageDto, UploadedFileDto } from '../../electron/shared/dto'
import { pair } from '../helpers/api'
import { noLimits, startServer, tempDir, type TestServer } from '../helpers/server'
import { closeAllSockets, collect, connect } from '../helpers/sockets'

let srv: TestServer
afterEach(async () => {
  closeAllSockets()
  await srv.close()
})

// Both writers behind the send path: raw prepared statements on SQLite, and Prisma (what PostgreSQL uses).
describe.each<[string, (database: Database) => MessageWriter]>([
  ['the SQLite writer', (database) => database.writer],
  ['the Prisma writer', (database) => new PrismaMessageWriter(database.db)],
])('with %s', (_name, writerOf) => {
it('stores sends that arrive together in shared transactions, each exactly as sent, broadcast in id order', async () => {
  const dataDir = tempDir()
  const database = await openSqlite({ dataDir, migrationsDir: SOURCE_MIGRATIONS_DIR })
  srv = await startServer({ ...noLimits, dataDir }, { database: { ...database, writer: writerOf(database) } })
  const pairs = await Promise.all(Array.from({ length: 3 }, () => pair(srv.url)))
  const watchers = await Promise.all(pairs.map((p) => connect(srv.url, p.bob.token)))
  const seen = watchers.map((w) => collect<MessageDto>(w, 'new_message'))
  const form = new FormData()
  form.append('file', new Blob(['attached words']), 'note.txt')
  const file = (await pairs[0]!.ada.api.request<UploadedFileDto>('POST', '/api/files', form)).body

  const { messages } = srv.server.services
  const sends = Array.from({ length: 60 }, (_, i) => {
    const p = pairs[i % 3]!
    const withFile = i === 0
    return messages.send(p.ada.user, p.conversationId, {
      content: `batched ${i}`,
      sender_id: p.ada.user.user_id,
      client_id: `batch-${i}`,
      ...(withFile ? { attachments: [{ file_url: file.file_url }] } : {}),
    })
  })
  // The same client_id twice in one batch: one row, the second answer a duplicate of it.
  sends.push(messages.send(pairs[1]!.ada.user, pairs[1]!.conversationId, { content: 'batched 1 again', sender_id: pairs[1]!.ada.user.user_id, client_id: 'batch-1' }))
  const results = await Promise.all(sends)

  expect(results.filter((r) => r.duplicate)).toHaveLength(1)
  expect(results[60]!.message).toEqual(results[1]!.message)
  const rows = await srv.server.database.db.message.findMany({ where: { client_id: { startsWith: 'batch-' } }, include: { attachments: true }, orderBy: { message_id: 'asc' } })
  expect(rows).toHaveLength(60)
  for (const r of results.slice(0, 60)) {
    const row = rows.find((x) => x.message_id === r.message.message_id)!
    expect(row.content).toBe(r.message.content)
    expect(row.client_id).toBe(r.message.client_id)
    expect(row.conversation_id).toBe(r.message.conversation_id)
    expect(row.attachments.map((a) => a.attachment_id)).toEqual(r.message.attachments.map((a) => a.attachment_id))
  }
  expect(results[0]!.message.attachments).toMatchObject([{ file_url: file.file_url, file_name: 'note.txt', file_type: 'text/plain', size: 14 }])
  // Each answer equals what a reader gets back.
  const listed = (await pairs[0]!.bob.api.get<MessageDto[]>(`/api/messages/${pairs[0]!.conversationId}?limit=200`)).body
  for (const m of listed) expect(results.find((r) => r.message.message_id === m.message_id)!.message).toEqual(m)

  // A last message in each conversation: once it is seen, everything sent before it has been broadcast.
  await Promise.all(pairs.map((p) => messages.send(p.ada.user, p.conversationId, { content: 'sentinel', sender_id: p.ada.user.user_id })))
  await vi.waitFor(() => expect(seen.every((list) => list.at(-1)?.content === 'sentinel')).toBe(true))
  for (const [w, all] of seen.entries()) {
    const list = all.slice(0, -1)
    expect(list).toHaveLength(20)
    const ids = list.map((m) => m.message_id)
    expect(ids).toEqual([...ids].sort((a, b) => a - b))
    expect(list.every((m) => m.conversation_id === pairs[w]!.conversationId)).toBe(true)
  }
})
})
