// The change feed on a running server: a change announced ahead of a position not yet heard of waits
// for it and goes out after it; a position never heard of is waited for `feedGapMs`, then skipped,
// and the node's sockets are told to catch up. (A hole is made here by announcing a change with a
// position beyond the database's: nothing else can make one on purpose.)
import { afterEach, expect, it } from 'vitest'
import type { MessageDto } from '../../electron/shared/dto'
import { pair } from '../helpers/api'
import { collect, connect, next } from '../helpers/sockets'
import { noLimits, startServer, type TestServer } from '../helpers/server'
import { until } from '../helpers/wait'

const GAP_MS = 400
const servers: TestServer[] = []
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close()
})

async function setUp() {
  const srv = await startServer({ ...noLimits, feedGapMs: GAP_MS })
  servers.push(srv)
  const { ada, bob, conversationId } = await pair(srv.url)
  const socket = await connect(srv.url, bob.token)
  const position = await srv.server.database.writer.position()
  /** Announces a change at `seq` that no transaction made, to bob. */
  const announce = (seq: number, content: string): MessageDto => {
    const message = { message_id: 1_000_000 + seq, conversation_id: conversationId, sender_id: ada.user.user_id, content, created_at: new Date().toISOString(), is_read: false, client_id: null, sender: ada.user, attachments: [], system: null, reply_to: null, edited_at: null, deleted_at: null, reactions: [] }
    srv.server.services.events.emit('message_created', { seq, message, participantIds: [bob.user.user_id] })
    return message
  }
  return { srv, ada, bob, conversationId, socket, position, announce }
}

it('holds a change announced ahead of the next position until that position is committed, then delivers both in order', async () => {
  const { ada, conversationId, socket, position, announce } = await setUp()
  const got = collect<MessageDto>(socket, 'new_message')
  const resyncs = collect(socket, 'resync')
  announce(position + 2, 'announced ahead')
  // The real send takes position + 1, the hole: both then go out, the real one first.
  const sent = await ada.api.post<MessageDto>(`/api/messages/${conversationId}`, { content: 'committed next', sender_id: ada.user.user_id })
  expect(sent.status).toBe(201)
  await until('bob has both', () => got.length >= 2)
  expect(got.map((m) => m.content)).toEqual(['committed next', 'announced ahead'])
  expect(resyncs).toEqual([])
})

it('skips a position never heard of after feedGapMs, telling the node’s sockets to catch up, and goes on', async () => {
  const { socket, position, announce } = await setUp()
  const got = collect<MessageDto>(socket, 'new_message')
  const started = Date.now()
  announce(position + 2, 'after a hole')
  const resync = await next(socket, 'resync')
  expect(Date.now() - started).toBeGreaterThanOrEqual(GAP_MS - 50)
  // Catch up from before the hole: position + 1 was never heard of.
  expect(resync).toEqual({ window_ms: 15_000, after_seq: position })
  await until('bob has the change after the hole', () => got.length >= 1)
  // Delivery goes on in order after the hole without waiting again.
  announce(position + 3, 'next in line')
  await until('bob has the next one', () => got.length >= 2)
  expect(got.map((m) => m.content)).toEqual(['after a hole', 'next in line'])
})
