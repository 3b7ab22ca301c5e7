// The desktop controller over a fake server (socket and fetch): message actions reach the server
// through the chat handlers, their events reach the window, and a deleted message's notification is
// taken back, while edits and reactions never notify.
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { DesktopController, type ControllerDeps } from '../../electron/main/controller'
import { SettingsStore } from '../../electron/main/settings'
import { TokenVault } from '../../electron/main/token-vault'
import { eventChannel } from '../../electron/shared/ipc'
import { fakeSafeStorage } from '../helpers/desktop'
import { tempDir } from '../helpers/server'
import { FakeSocketServer, fakeFetch, message, user, type FetchCall } from '../client/fakes'

const SERVER = 'http://chat.test'
const controllers: DesktopController[] = []
afterEach(async () => {
  for (const c of controllers.splice(0)) await c.stop()
})

/** A controller signed in to the fake server (join mode, a saved session), with Electron's parts recorded. */
async function signedIn(route: (call: FetchCall) => { status: number; body?: unknown } | undefined = () => undefined) {
  const dir = tempDir()
  writeFileSync(path.join(dir, 'settings.json'), JSON.stringify({ mode: 'join', join_url: SERVER }))
  const vault = new TokenVault(fakeSafeStorage(), path.join(dir, 'session.json'), 'linux')
  await vault.save({ server_url: SERVER, token: 'token' })
  const server = new FakeSocketServer()
  server.on('sync', (p) => ({ ok: true, messages: [], has_more: false, read_states: [], conversations: [], position: p.after_seq ?? 0 }))
  const http = fakeFetch((call) => {
    if (call.path === '/api/me') return { status: 200, body: user(1, 'ada') }
    if (call.path === '/api/conversations/1') return { status: 200, body: [] }
    return route(call) ?? { status: 404, body: { error: { code: 'not_found', message: 'No such route.' } } }
  })
  const notifications: Parameters<ControllerDeps['notify']>[0][] = []
  const closed: number[] = []
  const sent: { channel: string; payload: unknown }[] = []
  const deps: ControllerDeps = {
    settings: new SettingsStore(path.join(dir, 'settings.json')),
    vault,
    userDataDir: dir,
    spawnServer: () => {
      throw new Error('join mode starts no server')
    },
    discovery: { browse: async () => [], advertise: () => ({ stop: async () => {} }) },
    lanAddresses: () => [],
    hostName: () => 'test-host',
    version: '0.1.0',
    openExternal: async () => {},
    notify: (n) => void notifications.push(n),
    closeNotification: (messageId) => void closed.push(messageId),
    send: (channel, payload) => void sent.push({ channel, payload }),
    windowFocused: () => false,
    showWindow: vi.fn(),
    setBadge: () => {},
    log: { info: () => {}, warn: () => {} },
    fetch: http.fetch,
    io: server.io,
  }
  const controller = new DesktopController(deps)
  controllers.push(controller)
  await controller.start()
  expect(await controller.handlers.getSession()).toMatchObject({ server_url: SERVER, user: { user_id: 1 } })
  await vi.waitFor(() => expect(sent.some((s) => s.channel === eventChannel('status') && (s.payload as { state: string }).state === 'online')).toBe(true))
  const onChannel = (event: Parameters<typeof eventChannel>[0]) => sent.filter((s) => s.channel === eventChannel(event)).map((s) => s.payload)
  return { controller, server, http, notifications, closed, onChannel }
}

describe('message actions in the desktop app', () => {
  it('closes a deleted message’s notification; edits and reactions reach the window but never notify', async () => {
    const { server, notifications, closed, onChannel } = await signedIn()
    server.push('new_message', message(50, { content: 'a secret' }), { seq: 1 })
    await vi.waitFor(() => expect(notifications).toHaveLength(1))
    expect(notifications[0]).toMatchObject({ messageId: 50, title: 'bob', body: 'a secret' })
    server.push('message_updated', message(50, { content: 'a bigger secret', edited_at: '2026-11-27T11:00:00.000Z' }), { seq: 2 })
    server.push('reaction_updated', { conversation_id: 1, message_id: 50, reactions: [{ emoji: '👍', count: 1, user_ids: [2] }] }, { seq: 3 })
    expect(closed).toEqual([])
    server.push('message_deleted', message(50, { content: '', deleted_at: '2026-11-27T12:00:00.000Z' }), { seq: 4 })
    expect(closed).toEqual([50])
    expect(notifications).toHaveLength(1)
    expect(onChannel('message_updated')).toEqual([expect.objectContaining({ message_id: 50, content: 'a bigger secret' })])
    expect(onChannel('reaction_updated')).toEqual([{ conversation_id: 1, message_id: 50, reactions: [{ emoji: '👍', count: 1, user_ids: [2] }] }])
    expect(onChannel('message_deleted')).toEqual([expect.objectContaining({ message_id: 50, deleted_at: '2026-11-27T12:00:00.000Z' })])
  })

  it('edits, deletes and reacts through the queue, and answers versions, history around a message and replies', async () => {
    const versions = [{ content: 'first', written_at: '2026-11-27T10:00:00.000Z' }]
    let refuse = true
    const { controller, server, http, onChannel } = await signedIn((call) => {
      if (call.path === '/api/messages/5/edits') return { status: 200, body: versions }
      if (call.path === '/api/messages/1?around=5&limit=10') return { status: 200, body: [message(5)] }
      if (call.method === 'DELETE' && call.path === '/api/messages/6' && refuse) return { status: 403, body: { error: { code: 'forbidden', message: 'Only its sender or a group admin may delete this message.' } } }
      if (call.path.startsWith('/api/messages/')) return { status: 200, body: message(Number(call.path.split('/')[3])) }
      return undefined
    })
    const { handlers } = controller
    server.on('send_message', (p) => ({ ok: true, duplicate: false, message: message(9, { sender_id: 1, sender: user(1, 'ada'), content: p.content, client_id: p.client_id }) }))
    expect(await handlers.sendMessage(1, 'reply', undefined, { replyToId: 5 })).toMatchObject({ reply_to_id: 5 })
    await vi.waitFor(() => expect(server.sent('send_message')).toEqual([expect.objectContaining({ reply_to_id: 5, content: 'reply' })]))

    expect(await handlers.editMessage(5, 1, 'fixed')).toMatchObject({ kind: 'edit', message_id: 5, content: 'fixed' })
    await handlers.react(5, 1, '🙏', true)
    const deletion = await handlers.deleteMessage(6, 1)
    await vi.waitFor(async () => expect(await handlers.getPendingActions()).toEqual([expect.objectContaining({ action_id: deletion.action_id, state: 'failed' })]))
    refuse = false
    await handlers.retryAction(deletion.action_id)
    await vi.waitFor(async () => expect(await handlers.getPendingActions()).toEqual([]))
    expect(http.calls.filter((c) => c.path.startsWith('/api/messages/')).map((c) => `${c.method} ${c.path}`)).toEqual([
      'PATCH /api/messages/5',
      `PUT /api/messages/5/reactions/${encodeURIComponent('🙏')}`,
      'DELETE /api/messages/6',
      'DELETE /api/messages/6',
    ])
    // The window heard of every change of the queue, the last one empty.
    expect(onChannel('pending_actions').at(-1)).toEqual([])
    await expect(handlers.discardAction('a-none')).resolves.toBeUndefined()

    expect(await handlers.getMessageVersions(5)).toEqual(versions)
    expect(await handlers.getMessages(1, { around: 5, limit: 10 })).toEqual([message(5)])
  })
})
