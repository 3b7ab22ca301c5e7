import { describe, expect, it, vi } from 'vitest'
import { newClientId, Outbox, type OutboxDeps } from '../../electron/client/outbox'
import { MemoryStore, type PendingMessage } from '../../electron/client/store'
import type { MessageDto } from '../../electron/shared/dto'
import type { Ack } from '../../electron/shared/result'
import type { SendMessagePayload } from '../../electron/shared/schemas'

type SendAck = Ack<{ message: MessageDto; duplicate: boolean }>

/** A send the test answers by hand. */
interface Call {
  payload: SendMessagePayload
  answer(ack: SendAck): void
  fail(): void
}

const stored = (payload: SendMessagePayload, id: number): SendAck => ({
  ok: true,
  duplicate: false,
  message: {
    message_id: id,
    conversation_id: payload.conversation_id,
    sender_id: 1,
    content: payload.content,
    created_at: '2026-11-27T10:00:00.000Z',
    is_read: false,
    client_id: payload.client_id ?? null,
    sender: { user_id: 1, username: 'ada', display_name: 'Ada' },
    attachments: [],
    system: null,
    reply_to: null,
    edited_at: null,
    deleted_at: null,
    reactions: [],
  },
})

/** An outbox over a fake store and a transport whose answers the test gives; `online` says whether sending may go on. */
function outboxOver(items: PendingMessage[] = [], over: Partial<OutboxDeps> = {}) {
  const store = new MemoryStore()
  const calls: Call[] = []
  const online = { value: true }
  const deps: OutboxDeps = {
    items,
    senderId: 1,
    save: () => store.save({ outbox: outbox.items, cursor: 0 }),
    canSend: () => online.value,
    send: (payload) =>
      new Promise<SendAck>((resolve, reject) => {
        calls.push({ payload, answer: resolve, fail: () => reject(new Error('no answer')) })
      }),
    backoff: () => 1,
    ...over,
  }
  const outbox: Outbox = new Outbox(deps)
  const changes: PendingMessage[][] = []
  const sent: string[] = []
  outbox.events.on('changed', (list) => changes.push(list))
  outbox.events.on('sent', ({ client_id }) => sent.push(client_id))
  return { outbox, store, calls, online, changes, sent, savedOutbox: async () => (await store.load())?.outbox ?? [] }
}

describe('the outbox', () => {
  it('gives every send a client_id of its own', () => {
    const ids = new Set(Array.from({ length: 1000 }, newClientId))
    expect(ids.size).toBe(1000)
    for (const id of ids) expect(id).toMatch(/^c-[0-9a-f]{32}$/)
  })

  it('saves a send before it goes out, and sends one at a time, oldest first', async () => {
    const { outbox, calls, online, savedOutbox, sent } = outboxOver()
    online.value = false
    const first = await outbox.add(7, 'one')
    await outbox.add(7, 'two', [{ file_url: '/api/files/a', file_name: 'a.png' }])
    await outbox.add(8, 'three', [])
    expect((await savedOutbox()).map((i) => i.content)).toEqual(['one', 'two', 'three'])
    expect(first).toMatchObject({ conversation_id: 7, content: 'one', state: 'pending', attempts: 0 })
    expect(calls).toHaveLength(0) // offline: nothing goes out

    online.value = true
    const flushed = outbox.flush()
    for (const [i, content] of ['one', 'two', 'three'].entries()) {
      await vi.waitFor(() => expect(calls).toHaveLength(i + 1))
      expect(calls[i]!.payload).toMatchObject({ content, sender_id: 1, client_id: outbox.items[0]!.client_id })
      calls[i]!.answer(stored(calls[i]!.payload, 100 + i))
    }
    await flushed
    expect(calls[1]!.payload.attachments).toEqual([{ file_url: '/api/files/a', file_name: 'a.png' }])
    expect(calls[2]!.payload).not.toHaveProperty('attachments')
    expect(sent).toEqual(calls.map((c) => c.payload.client_id))
    expect(outbox.items).toEqual([])
    expect(await savedOutbox()).toEqual([])
  })

  it('starts from what an earlier run saved, and sends it with the same client_id', async () => {
    const kept: PendingMessage = { client_id: 'c-kept', conversation_id: 3, content: 'from before', queued_at: '2026-11-27T09:00:00.000Z', state: 'pending', attempts: 2 }
    const { outbox, calls } = outboxOver([kept])
    expect(outbox.counts).toEqual({ pending: 1, failed: 0 })
    void outbox.flush()
    await vi.waitFor(() => expect(calls).toHaveLength(1))
    expect(calls[0]!.payload).toMatchObject({ client_id: 'c-kept', content: 'from before' })
    calls[0]!.answer(stored(calls[0]!.payload, 1))
    await vi.waitFor(() => expect(outbox.items).toEqual([]))
  })

  it('sends again under the same client_id when no answer comes, or the server is busy', async () => {
    const { outbox, calls } = outboxOver()
    await outbox.add(1, 'hello')
    await vi.waitFor(() => expect(calls).toHaveLength(1))
    calls[0]!.fail()
    await vi.waitFor(() => expect(calls).toHaveLength(2))
    calls[1]!.answer({ ok: false, error: { code: 'unavailable', message: 'shutting down' } })
    await vi.waitFor(() => expect(calls).toHaveLength(3))
    calls[2]!.answer({ ok: false, error: { code: 'rate_limited', message: 'slow down', retry_after_ms: 5 } })
    await vi.waitFor(() => expect(calls).toHaveLength(4))
    expect(new Set(calls.map((c) => c.payload.client_id)).size).toBe(1)
    expect(outbox.items[0]).toMatchObject({ state: 'pending', attempts: 4 })
    calls[3]!.answer(stored(calls[3]!.payload, 1))
    await vi.waitFor(() => expect(outbox.items).toEqual([]))
  })

  it('marks a send the server refuses for good as failed, and goes on with the next', async () => {
    const { outbox, calls, changes, savedOutbox } = outboxOver()
    const refused = await outbox.add(1, 'not my conversation')
    await outbox.add(2, 'fine')
    await vi.waitFor(() => expect(calls).toHaveLength(1))
    calls[0]!.answer({ ok: false, error: { code: 'forbidden', message: 'Not a participant.' } })
    await vi.waitFor(() => expect(calls).toHaveLength(2))
    expect(calls[1]!.payload.content).toBe('fine')
    calls[1]!.answer(stored(calls[1]!.payload, 5))
    await vi.waitFor(() => expect(outbox.items).toHaveLength(1))
    expect(outbox.items[0]).toMatchObject({ client_id: refused.client_id, state: 'failed', error: { code: 'forbidden' } })
    expect(outbox.counts).toEqual({ pending: 0, failed: 1 })
    expect((await savedOutbox())[0]).toMatchObject({ state: 'failed' })
    expect(changes.at(-1)!.map((i) => i.state)).toEqual(['failed'])
  })

  it('retries a failed send when asked, and discards it when asked; pending sends are not discarded', async () => {
    const { outbox, calls, online, savedOutbox } = outboxOver()
    const item = await outbox.add(1, 'again')
    await vi.waitFor(() => expect(calls).toHaveLength(1))
    calls[0]!.answer({ ok: false, error: { code: 'bad_request', message: 'Too long.' } })
    await vi.waitFor(() => expect(outbox.counts.failed).toBe(1))

    await outbox.retry(item.client_id)
    await vi.waitFor(() => expect(calls).toHaveLength(2))
    expect(outbox.items[0]).toMatchObject({ state: 'pending', attempts: 2 })
    expect(outbox.items[0]).not.toHaveProperty('error')
    calls[1]!.answer({ ok: false, error: { code: 'bad_request', message: 'Too long.' } })
    await vi.waitFor(() => expect(outbox.counts.failed).toBe(1))

    online.value = false
    const waiting = await outbox.add(1, 'still pending')
    await outbox.discard(waiting.client_id)
    await outbox.retry('c-unknown')
    expect(outbox.items.map((i) => i.content)).toEqual(['again', 'still pending'])
    await outbox.discard(item.client_id)
    expect(outbox.items.map((i) => i.content)).toEqual(['still pending'])
    expect((await savedOutbox()).map((i) => i.content)).toEqual(['still pending'])
  })
})
