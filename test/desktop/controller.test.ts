import { readFileSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { DesktopController } from '../../electron/main/controller'
import { TokenVault } from '../../electron/main/token-vault'
import type { ConversationDto, MessageDto } from '../../electron/shared/dto'
import { eventChannel } from '../../electron/shared/ipc'
import { Api, person } from '../helpers/api'
import { fakeSafeStorage, harness as makeHarness, type Harness } from '../helpers/desktop'
import { noLimits, startServer, tempDir, type TestServer } from '../helpers/server'
import { until } from '../helpers/wait'

/** A free port in 20000-32767, where Linux never puts a port-0 listener (its ephemeral range starts at 32768). */
async function freePortBelowEphemeral(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000)
    const free = await new Promise<boolean>((resolve) => {
      const probe = createServer().once('error', () => resolve(false))
      probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)))
    })
    if (free) return port
  }
}

const controllers: DesktopController[] = []
const servers: TestServer[] = []
afterEach(async () => {
  for (const c of controllers.splice(0)) await c.stop()
  for (const s of servers.splice(0)) await s.close()
})

async function harness(...args: Parameters<typeof makeHarness>): Promise<Harness> {
  const h = await makeHarness(...args)
  controllers.push(h.controller)
  return h
}

const messagesSent = (h: Harness): MessageDto[] => h.sent.filter((s) => s.channel === eventChannel('new_message')).map((s) => s.payload as MessageDto)

describe('host mode, from first run to notifications', () => {
  it('hosts on loopback, signs up, keeps the token encrypted, notifies and badges what is not in view', async () => {
    const h = await harness()
    const { handlers } = h.controller
    // The first run hosts on this computer by itself: the app works before anything is chosen.
    const setup = await handlers.getSetup()
    expect(setup).toMatchObject({ mode: 'host', lan: false, server_url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/), lan_urls: [] })
    expect(h.deps.settings.get().mode).toBe('host')
    expect(await fetch(`${setup.server_url}/api/health`).then((r) => r.status)).toBe(200)
    await expect(handlers.login({ username: 'nobody-yet', password: 'whatever-1' })).rejects.toMatchObject({ info: { code: 'unauthorized' } })
    expect(h.deps.discovery.advertise).not.toHaveBeenCalled()
    const session = await handlers.register({ username: 'ada', password: 'correct horse battery', display_name: 'Ada' })
    expect(session).toMatchObject({ server_url: setup.server_url, user: { username: 'ada' } })
    const token = (await h.deps.vault.load())!.token
    expect(token.split('.')).toHaveLength(3) // a JWT
    expect(readFileSync(path.join(h.userDataDir, 'session.json'), 'utf8')).not.toContain(token)

    // Bob writes from elsewhere.
    const bob = await person(setup.server_url!, 'bob')
    const conversation = await handlers.startConversation(bob.user.user_id)
    await until('online', () => h.sent.some((s) => s.channel === eventChannel('status') && (s.payload as { state: string }).state === 'online'))

    // The conversation is on screen and the window focused: shown, not notified, not badged.
    await handlers.setActiveConversation(conversation.conversation_id)
    await bob.api.post(`/api/messages/${conversation.conversation_id}`, { content: 'in view', sender_id: bob.user.user_id })
    await until('first message', () => messagesSent(h).length === 1)
    expect(h.notifications).toHaveLength(0)

    // The window loses focus: the next message notifies and counts.
    h.focused.value = false
    const second = (await bob.api.post(`/api/messages/${conversation.conversation_id}`, { content: 'are you there?', sender_id: bob.user.user_id })).body
    await until('notification', () => h.notifications.length === 1)
    expect(h.notifications[0]).toMatchObject({ title: 'bob', body: 'are you there?' })
    expect(h.badge.at(-1)).toBe(1)

    // Clicking it brings the window and opens the conversation.
    h.notifications[0]!.onClick()
    expect(h.deps.showWindow).toHaveBeenCalled()
    expect(h.sent.at(-1)).toEqual({ channel: eventChannel('open_conversation'), payload: conversation.conversation_id })

    // Reading clears the badge, and Bob sees ✓✓.
    await handlers.markAsRead(second.message_id, conversation.conversation_id)
    expect(h.badge.at(-1)).toBe(0)
    const seen = (await bob.api.get(`/api/messages/${conversation.conversation_id}`)).body as MessageDto[]
    expect(seen.every((m) => m.is_read)).toBe(true)

    // Do not disturb: counted, not notified.
    await handlers.setPreferences({ do_not_disturb: true })
    await bob.api.post(`/api/messages/${conversation.conversation_id}`, { content: 'shh', sender_id: bob.user.user_id })
    await until('third message', () => messagesSent(h).length === 3)
    expect(h.notifications).toHaveLength(1)
    expect(h.badge.at(-1)).toBe(1)
  })

  it('carries groups over the bridge: the update event, notifications titled with the group, nothing for notices, mute off the badge', async () => {
    const h = await harness()
    const { handlers } = h.controller
    const setup = await handlers.getSetup()
    const ada = await handlers.register({ username: 'ada', password: 'correct horse battery', display_name: 'Ada' })
    const bob = await person(setup.server_url!, 'bob')
    const cy = await person(setup.server_url!, 'cy')
    await until('online', () => h.sent.some((s) => s.channel === eventChannel('status') && (s.payload as { state: string }).state === 'online'))
    h.focused.value = false
    // Bob makes a group with Ada in it: the desktop user hears of it at once, over the IPC event of the same name.
    const group = (await bob.api.post<ConversationDto>('/api/groups', { title: 'Team', member_ids: [ada.user.user_id, cy.user.user_id] })).body
    await until('conversation_updated', () => h.sent.some((s) => s.channel === eventChannel('conversation_updated') && (s.payload as ConversationDto).conversation_id === group.conversation_id))
    // The notice of its making reached the window but asks for nothing.
    await until('the notice', () => messagesSent(h).some((m) => m.conversation_id === group.conversation_id && m.system?.type === 'created'))
    expect(h.notifications).toHaveLength(0)
    await cy.api.post(`/api/messages/${group.conversation_id}`, { content: 'hello team', sender_id: cy.user.user_id })
    await until('notification', () => h.notifications.length === 1)
    expect(h.notifications[0]).toMatchObject({ title: 'cy in Team', body: 'hello team' })
    expect(h.badge.at(-1)).toBe(1)
    // Muted: off the badge, and the next message is counted in the list but not notified.
    const muted = await handlers.updateConversation(group.conversation_id, { muted: true })
    expect(muted).toMatchObject({ muted: true, unread_count: 1 })
    expect(h.badge.at(-1)).toBe(0)
    const next = (await cy.api.post<MessageDto>(`/api/messages/${group.conversation_id}`, { content: 'still there?', sender_id: cy.user.user_id })).body
    await until('the next message', () => messagesSent(h).some((m) => m.message_id === next.message_id))
    expect(h.notifications).toHaveLength(1)
    expect(h.badge.at(-1)).toBe(0)
    expect((await handlers.listConversations()).find((c) => c.conversation_id === group.conversation_id)).toMatchObject({ unread_count: 2, muted: true, title: 'Team' })
  })

  it('sends through the outbox and restores the session after a restart of the app', async () => {
    const dir = tempDir()
    // A port of its own, below the range the system hands out for port 0: test files running beside
    // this one take ports all the time, and the restart must find this one free to keep the address.
    writeFileSync(path.join(dir, 'settings.json'), JSON.stringify({ host_port: await freePortBelowEphemeral() }))
    const first = await harness(dir)
    const setup = await first.controller.handlers.hostServer({ lan: false })
    const session = await first.controller.handlers.register({ username: 'grace', password: 'correct horse battery' })
    const bob = await person(setup.server_url!, 'bob')
    const conversation = await first.controller.handlers.startConversation(bob.user.user_id)
    const pending = await first.controller.handlers.sendMessage(conversation.conversation_id, 'from the desktop')
    expect(pending).toMatchObject({ state: 'pending', content: 'from the desktop', client_id: expect.stringMatching(/^c-/) })
    await until('sent', () => first.sent.some((s) => s.channel === eventChannel('outbox') && (s.payload as unknown[]).length === 0))
    await first.controller.stop()
    controllers.splice(controllers.indexOf(first.controller), 1)

    const second = await harness(dir)
    expect(await second.controller.handlers.getSetup()).toMatchObject({ mode: 'host', server_url: setup.server_url })
    expect(await second.controller.handlers.getSession()).toEqual(session)
    const history = await second.controller.handlers.getMessages(conversation.conversation_id)
    expect(history.map((m) => m.content)).toEqual(['from the desktop'])
  })

  it('shares on the LAN: announces over mDNS and lists the addresses others can join', async () => {
    const h = await harness()
    const setup = await h.controller.handlers.hostServer({ lan: true })
    const port = Number(new URL(setup.server_url!).port)
    expect(setup.lan_urls).toEqual([`http://192.168.1.20:${port}`])
    expect(h.deps.discovery.advertise).toHaveBeenCalledWith({ name: 'test-host', port, version: '0.1.0' })
  })
})

describe('join mode', () => {
  it('joins a server that answers, refuses one that does not, and lists discovered servers', async () => {
    const remote = await startServer(noLimits)
    servers.push(remote)
    const h = await harness()
    await expect(h.controller.handlers.joinServer('http://127.0.0.1:9')).rejects.toMatchObject({ info: { code: 'unavailable' } })
    const setup = await h.controller.handlers.joinServer(`${remote.url}/some/path`)
    expect(setup).toEqual({ mode: 'join', lan: false, server_url: remote.url, lan_urls: [] })
    const session = await h.controller.handlers.register({ username: 'joiner', password: 'correct horse battery' })
    expect((await new Api(remote.url).post('/api/auth/login', { username: 'joiner', password: 'correct horse battery' })).status).toBe(200)
    expect(session.server_url).toBe(remote.url)
    expect(await h.controller.handlers.discoverServers()).toEqual([{ name: 'Office', url: 'http://10.0.0.2:47300', addresses: ['10.0.0.2'] }])
  })

  it('keeps a token only for this run, and says so, where no secure storage exists', async () => {
    const remote = await startServer(noLimits)
    servers.push(remote)
    const warnings: string[] = []
    const h = await harness(tempDir(), fakeSafeStorage('basic_text', false))
    h.deps.log.warn = (m: string) => warnings.push(m)
    await h.controller.handlers.joinServer(remote.url)
    await h.controller.handlers.register({ username: 'nokeyring', password: 'correct horse battery' })
    expect(warnings.join(' ')).toMatch(/sign in again after restarting/)
    expect(() => readFileSync(path.join(h.userDataDir, 'session.json'))).toThrow()
  })

  it('warns when Linux falls back to a plain-text keyring', async () => {
    const vault = new TokenVault(fakeSafeStorage('basic_text'), path.join(tempDir(), 's.json'), 'linux')
    expect(await vault.status()).toEqual({ persistent: true, warning: expect.stringMatching(/weak protection/) })
    const mac = new TokenVault(fakeSafeStorage('basic_text'), path.join(tempDir(), 's.json'), 'darwin')
    expect((await mac.status()).warning).toBeNull()
  })
})
