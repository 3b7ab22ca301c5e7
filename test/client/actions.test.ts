import { describe, expect, it, vi } from 'vitest'
import { ActionQueue, type ActionsDeps } from '../../electron/client/actions'
import { MemoryStore, type PendingAction } from '../../electron/client/store'
import type { MessageDto } from '../../electron/shared/dto'
import { AppError } from '../../electron/shared/result'
import { message } from './fakes'

/** An attempt the test answers by hand. */
interface Attempt {
  action: PendingAction
  answer(message: MessageDto): void
  fail(error: unknown): void
}

function queueOver(items: PendingAction[] = [], over: Partial<ActionsDeps> = {}) {
  const store = new MemoryStore()
  const attempts: Attempt[] = []
  const online = { value: true }
  const queue: ActionQueue = new ActionQueue({
    items,
    save: () => store.save({ outbox: [], actions: queue.items, seq: 0 }),
    canSend: () => online.value,
    perform: (action) => new Promise<MessageDto>((resolve, reject) => void attempts.push({ action, answer: resolve, fail: reject })),
    backoff: () => 1,
    ...over,
  })
  const changes: PendingAction[][] = []
  const done: string[] = []
  queue.events.on('changed', (list) => changes.push(list))
  queue.events.on('done', ({ action }) => done.push(action.action_id))
  const attempt = async (n: number): Promise<Attempt> => {
    await vi.waitFor(() => expect(attempts.length).toBeGreaterThan(n))
    return attempts[n]!
  }
  return { queue, store, attempts, attempt, online, changes, done, saved: async () => (await store.load())?.actions ?? [] }
}

describe('the queue of actions', () => {
  it('keeps actions made offline in the store and sends each once, in order, once connected', async () => {
    const { queue, attempt, attempts, online, saved, changes, done } = queueOver()
    online.value = false
    const edit = await queue.add({ kind: 'edit', message_id: 5, conversation_id: 1, content: 'fixed' })
    await queue.add({ kind: 'react', message_id: 5, conversation_id: 1, emoji: '👍' })
    await queue.add({ kind: 'delete', message_id: 6, conversation_id: 1 })
    expect(edit).toMatchObject({ action_id: expect.stringMatching(/^a-[0-9a-f]{32}$/), kind: 'edit', state: 'pending', attempts: 0, content: 'fixed' })
    expect((await saved()).map((a) => a.kind)).toEqual(['edit', 'react', 'delete'])
    expect(attempts).toHaveLength(0)
    expect(changes.map((list) => list.length)).toEqual([1, 2, 3])

    online.value = true
    const flushed = queue.flush()
    for (const [i, kind] of ['edit', 'react', 'delete'].entries()) {
      const a = await attempt(i)
      expect(a.action.kind).toBe(kind)
      // One at a time: the next waits for this answer.
      expect(attempts).toHaveLength(i + 1)
      a.answer(message(a.action.message_id))
    }
    await flushed
    expect(attempts).toHaveLength(3)
    expect(done).toEqual(changes[2]!.map((a) => a.action_id))
    expect(queue.items).toEqual([])
    expect(await saved()).toEqual([])
  })

  it('sends an action again after a lost answer or a busy server, the same action each time, and settles it once', async () => {
    const { queue, attempt, done } = queueOver()
    const edit = await queue.add({ kind: 'edit', message_id: 5, conversation_id: 1, content: 'fixed' })
    // The server applied it, but the answer was lost on the way back.
    ;(await attempt(0)).fail(new AppError('unavailable', 'Cannot reach the server (socket hang up).'))
    ;(await attempt(1)).fail(new AppError('rate_limited', 'Slow down.', { retry_after_ms: 2 }))
    ;(await attempt(2)).fail(new TypeError('fetch failed'))
    const last = await attempt(3)
    // The same action every time: its id, its message, its text.
    const sentAs = await Promise.all([0, 1, 2, 3].map(async (n) => (await attempt(n)).action))
    expect(sentAs.map(({ action_id, kind, message_id, content }) => ({ action_id, kind, message_id, content }))).toEqual(Array(4).fill({ action_id: edit.action_id, kind: 'edit', message_id: 5, content: 'fixed' }))
    expect(sentAs.map((a) => a.attempts)).toEqual([1, 2, 3, 4])
    expect(last.action).toMatchObject({ action_id: edit.action_id, kind: 'edit', message_id: 5, content: 'fixed', attempts: 4 })
    last.answer(message(5, { content: 'fixed', edited_at: '2026-11-27T11:00:00.000Z' }))
    await vi.waitFor(() => expect(done).toEqual([edit.action_id]))
    expect(queue.items).toEqual([])
  })

  it('marks an action the server refuses for good as failed with its error, goes on with the next, and retries or discards it when asked', async () => {
    const { queue, attempt, saved, online } = queueOver()
    const late = await queue.add({ kind: 'edit', message_id: 5, conversation_id: 1, content: 'too late' })
    await queue.add({ kind: 'react', message_id: 7, conversation_id: 1, emoji: '❤️' })
    ;(await attempt(0)).fail(new AppError('forbidden', 'The time to edit this message has passed.'))
    const next = await attempt(1)
    expect(next.action.kind).toBe('react')
    next.answer(message(7))
    await vi.waitFor(() => expect(queue.items).toHaveLength(1))
    expect(queue.items[0]).toMatchObject({ action_id: late.action_id, state: 'failed', attempts: 1, error: { code: 'forbidden', message: 'The time to edit this message has passed.' } })
    expect((await saved())[0]).toMatchObject({ state: 'failed' })

    await queue.retry(late.action_id)
    const again = await attempt(2)
    expect(again.action).toMatchObject({ state: 'pending', attempts: 2 })
    expect(again.action).not.toHaveProperty('error')
    again.fail(new AppError('conflict', 'The message was deleted.'))
    await vi.waitFor(() => expect(queue.items[0]?.state).toBe('failed'))

    online.value = false
    const waiting = await queue.add({ kind: 'delete', message_id: 8, conversation_id: 1 })
    await queue.discard(waiting.action_id) // only failed ones are discarded
    await queue.retry('a-unknown')
    expect(queue.items.map((a) => a.kind)).toEqual(['edit', 'delete'])
    await queue.discard(late.action_id)
    expect(queue.items.map((a) => a.action_id)).toEqual([waiting.action_id])
    expect((await saved()).map((a) => a.action_id)).toEqual([waiting.action_id])
  })

  it('leaves actions pending when the token is refused: they wait for the next session', async () => {
    const { queue, attempt, attempts } = queueOver()
    await queue.add({ kind: 'delete', message_id: 5, conversation_id: 1 })
    ;(await attempt(0)).fail(new AppError('unauthorized', 'Sign in again.'))
    expect(queue.items[0]).toMatchObject({ state: 'pending', attempts: 1 })
    // Once the first flush has given up, the next one (a new session's) sends it again.
    await vi.waitFor(() => {
      void queue.flush()
      expect(attempts.length).toBe(2)
    })
    expect(queue.items[0]).toMatchObject({ state: 'pending', attempts: 2 })
    ;(await attempt(1)).answer(message(5, { deleted_at: '2026-11-27T12:00:00.000Z' }))
    await vi.waitFor(() => expect(queue.items).toEqual([]))
    expect(attempts).toHaveLength(2)
    expect(queue.items).toEqual([])
  })

  it('starts from what an earlier run saved', async () => {
    const kept: PendingAction = { action_id: 'a-kept', kind: 'unreact', message_id: 3, conversation_id: 1, emoji: '👍', queued_at: '2026-11-27T09:00:00.000Z', state: 'pending', attempts: 1 }
    const { queue, attempt } = queueOver([kept])
    void queue.flush()
    const a = await attempt(0)
    expect(a.action).toMatchObject({ action_id: 'a-kept', kind: 'unreact', emoji: '👍', attempts: 2 })
    a.answer(message(3))
    await vi.waitFor(() => expect(queue.items).toEqual([]))
  })
})
