// The web client's MessengerApi over a fake server: the message actions, their events, and the queue
// kept in browser storage across a reload.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createWebMessenger } from '../../electron/client/web-messenger'
import type { AppEvents, MessengerApi } from '../../electron/shared/messenger-api'
import { AppError } from '../../electron/shared/result'
import { FakeSocketServer, fakeFetch, message, user, type FetchCall } from './fakes'

const ORIGIN = 'http://chat.test'
const apis: MessengerApi[] = []
afterEach(async () => {
  for (const api of apis.splice(0)) await api.logout()
})

function memoryStorage() {
  const backing = new Map<string, string>()
  return { backing, getItem: (k: string) => backing.get(k) ?? null, setItem: (k: string, v: string) => void backing.set(k, v), removeItem: (k: string) => void backing.delete(k) }
}

function webMessenger(storage = memoryStorage(), route: (call: FetchCall) => { status: number; body?: unknown } | undefined = () => undefined, server = new FakeSocketServer()) {
  server.on('sync', (p) => ({ ok: true, messages: [], has_more: false, read_states: [], conversations: [], position: p.after_seq ?? 0 }))
  const http = fakeFetch((call) => {
    if (call.path === '/api/auth/login') return { status: 200, body: { token: 'token', user: user(1, 'ada') } }
    if (call.path === '/api/me') return { status: 200, body: user(1, 'ada') }
    if (call.path === '/api/conversations/1') return { status: 200, body: [] }
    return route(call) ?? { status: 404, body: { error: { code: 'not_found', message: 'No such route.' } } }
  })
  const api = createWebMessenger({ origin: ORIGIN, storage, fetch: http.fetch, io: server.io })
  apis.push(api)
  /** Every payload of an event, from now on. */
  const heard = <E extends keyof AppEvents>(event: E): AppEvents[E][] => {
    const list: AppEvents[E][] = []
    api.on(event, (payload) => list.push(payload))
    return list
  }
  return { api, server, http, storage, heard }
}

const online = (api: MessengerApi) => vi.waitFor(async () => expect((await api.getStatus()).state).toBe('online'))

describe('the web client’s message actions', () => {
  it('edits, deletes and reacts through the queue, with pending_actions on every change, and answers versions, history around a message and replies', async () => {
    const versions = [{ content: 'first', written_at: '2026-11-27T10:00:00.000Z' }]
    const { api, server, http, heard } = webMessenger(undefined, (call) => {
      if (call.path === '/api/messages/5/edits') return { status: 200, body: versions }
      if (call.path === '/api/messages/1?around=5') return { status: 200, body: [message(4), message(5), message(6)] }
      if (call.path.startsWith('/api/messages/5')) return { status: 200, body: message(5) }
      return undefined
    })
    const pending = heard('pending_actions')
    await api.login({ username: 'ada', password: 'correct horse battery' })
    await online(api)
    server.on('send_message', (p) => ({ ok: true, duplicate: false, message: message(9, { sender_id: 1, content: p.content, client_id: p.client_id }) }))
    expect(await api.sendMessage(1, 'a reply', undefined, { replyToId: 5 })).toMatchObject({ reply_to_id: 5, state: 'pending' })
    await vi.waitFor(() => expect(server.sent('send_message')).toEqual([expect.objectContaining({ content: 'a reply', reply_to_id: 5 })]))

    const edit = await api.editMessage(5, 1, 'fixed')
    expect(edit).toMatchObject({ kind: 'edit', message_id: 5, conversation_id: 1, content: 'fixed' })
    await api.react(5, 1, '😂', true)
    await api.react(5, 1, '😂', false)
    await api.deleteMessage(5, 1)
    await vi.waitFor(async () => expect(await api.getPendingActions()).toEqual([]))
    expect(http.calls.filter((c) => c.path.startsWith('/api/messages/5')).map((c) => `${c.method} ${c.path}`)).toEqual([
      'PATCH /api/messages/5',
      `PUT /api/messages/5/reactions/${encodeURIComponent('😂')}`,
      `DELETE /api/messages/5/reactions/${encodeURIComponent('😂')}`,
      'DELETE /api/messages/5',
    ])
    expect(pending[0]).toEqual([expect.objectContaining({ action_id: edit.action_id, state: 'pending' })])
    expect(pending.at(-1)).toEqual([])

    expect(await api.getMessageVersions(5)).toEqual(versions)
    expect((await api.getMessages(1, { around: 5 })).map((m) => m.message_id)).toEqual([4, 5, 6])
  })

  it('searches with GET /api/search, each parameter under its name and the text encoded, and answers the page', async () => {
    const page = { results: [{ message: message(7, { content: 'café & "quotes"' }), highlights: [[0, 4]] }], next_cursor: 'abc' }
    const { api, http } = webMessenger(undefined, (call) => (call.path.startsWith('/api/search?') ? { status: 200, body: page } : undefined))
    await api.login({ username: 'ada', password: 'correct horse battery' })
    expect(await api.searchMessages({ q: 'café & "x"', conversationId: 3, senderId: 2, before: '2026-12-03T10:00:00Z', hasAttachment: false, order: 'relevance', limit: 5, cursor: 'abc' })).toEqual(page)
    const call = http.calls.find((c) => c.path.startsWith('/api/search?'))!
    expect(Object.fromEntries(new URLSearchParams(call.path.split('?')[1]))).toEqual({
      q: 'café & "x"',
      conversation_id: '3',
      sender_id: '2',
      before: '2026-12-03T10:00:00Z',
      has_attachment: 'false',
      order: 'relevance',
      limit: '5',
      cursor: 'abc',
    })
  })

  it('hands the server’s change events to listeners under the same names', async () => {
    const { api, server, heard } = webMessenger()
    const updated = heard('message_updated')
    const deleted = heard('message_deleted')
    const reactions = heard('reaction_updated')
    await api.login({ username: 'ada', password: 'correct horse battery' })
    await online(api)
    const reaction = { conversation_id: 1, message_id: 5, reactions: [{ emoji: '👍', count: 2, user_ids: [2, 3] }] }
    server.push('message_updated', message(5, { content: 'edited', edited_at: '2026-11-27T11:00:00.000Z' }), { seq: 1 })
    server.push('reaction_updated', reaction, { seq: 2 })
    server.push('message_deleted', message(5, { content: '', deleted_at: '2026-11-27T12:00:00.000Z' }), { seq: 3 })
    // Held until the catch-up that follows the connection is done, then handed on in order.
    await vi.waitFor(() => expect(deleted).toHaveLength(1))
    expect(updated).toEqual([expect.objectContaining({ message_id: 5, content: 'edited' })])
    expect(reactions).toEqual([reaction])
    expect(deleted).toEqual([expect.objectContaining({ message_id: 5, deleted_at: '2026-11-27T12:00:00.000Z' })])
  })

  it('refuses what the server would refuse for good with an AppError, and fails what it does refuse, for the user to retry or discard', async () => {
    const { api, heard } = webMessenger(undefined, (call) =>
      call.path === '/api/messages/7' ? { status: 409, body: { error: { code: 'conflict', message: 'This message was deleted.' } } } : undefined,
    )
    const pending = heard('pending_actions')
    await api.login({ username: 'ada', password: 'correct horse battery' })
    await online(api)
    const empty = await api.editMessage(5, 1, ' ').catch((error: unknown) => error)
    expect(empty).toBeInstanceOf(AppError)
    expect((empty as AppError).info).toMatchObject({ code: 'bad_request', field: 'content' })
    const edit = await api.editMessage(7, 1, 'too late')
    await vi.waitFor(() => expect(pending.at(-1)).toEqual([expect.objectContaining({ action_id: edit.action_id, state: 'failed', error: { code: 'conflict', message: 'This message was deleted.' } })]))
    await api.discardAction(edit.action_id)
    expect(await api.getPendingActions()).toEqual([])
    expect(pending.at(-1)).toEqual([])
  })

  it('keeps an edit made offline in browser storage across a reload and sends it once when online', async () => {
    const storage = memoryStorage()
    const offline = new FakeSocketServer()
    offline.accepting = false
    const before = webMessenger(storage, () => undefined, offline)
    await before.api.login({ username: 'ada', password: 'correct horse battery' })
    await before.api.editMessage(5, 1, 'typed offline')
    expect(before.http.calls.filter((c) => c.method === 'PATCH')).toEqual([])
    // The page is reloaded (the old one is gone without a goodbye).
    apis.splice(apis.indexOf(before.api), 1)
    const after = webMessenger(storage, (call) => (call.path === '/api/messages/5' ? { status: 200, body: message(5, { content: 'typed offline' }) } : undefined))
    expect(await after.api.getSession()).toMatchObject({ user: { user_id: 1 } })
    await vi.waitFor(async () => expect(await after.api.getPendingActions()).toEqual([]))
    expect(after.http.calls.filter((c) => c.method === 'PATCH')).toEqual([{ method: 'PATCH', path: '/api/messages/5', body: { content: 'typed offline' } }])
  })
})
