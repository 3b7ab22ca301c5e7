import { EventEmitter } from 'node:events'
import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import { appFilePath, isAppUrl, rendererLocation, serveAppFile } from '../../electron/main/app-protocol'
import { tempDir } from '../helpers/server'
import { deepLinkFromArgv, parseDeepLink } from '../../electron/main/deep-links'
import { registerIpcHandlers, type MessengerHandlers } from '../../electron/main/ipc'
import { notificationContent, ShownNotifications, trayTooltip, UnreadCounts } from '../../electron/main/notifications'
import { hardenSession, hardenWebContents } from '../../electron/main/security'
import { rendererCsp } from '../../electron/shared/csp'
import { hardenedPreferences } from './hardened-preferences'
import { mainWindowPreferences } from './window-preferences'
import type { MessageDto } from '../../electron/shared/dto'
import { INVOKE_CHANNELS } from '../../electron/shared/ipc'
import { AppError } from '../../electron/shared/result'

const message = (over: Partial<MessageDto> = {}): MessageDto => ({
  message_id: 9,
  conversation_id: 3,
  sender_id: 2,
  content: 'Hello there',
  created_at: '2026-11-27T09:00:00.000Z',
  is_read: false,
  client_id: null,
  sender: { user_id: 2, username: 'bob', display_name: 'Bob' },
  attachments: [],
  system: null,
  reply_to: null,
  edited_at: null,
  deleted_at: null,
  reactions: [],
  ...over,
})

describe('the app:// scheme', () => {
  const root = path.join(tempDir(), 'renderer')
  mkdirSync(path.join(root, 'assets'), { recursive: true })
  writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>Switchboard</title>')
  writeFileSync(path.join(root, 'assets', 'app.js'), 'console.log(1)')
  writeFileSync(path.join(root, 'assets', 'notes.txt'), 'not a web type')
  writeFileSync(path.join(root, '..', 'secret.html'), 'outside')
  const csp = "default-src 'none'"

  it('serves the built renderer with its type, the CSP and nosniff', async () => {
    const page = await serveAppFile(root, new Request('app://switchboard/'), csp)
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(page.headers.get('content-security-policy')).toBe(csp)
    expect(page.headers.get('x-content-type-options')).toBe('nosniff')
    expect(await page.text()).toContain('<title>Switchboard</title>')
    const script = await serveAppFile(root, new Request('app://switchboard/assets/app.js?v=1'), csp)
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
    expect(await script.text()).toBe('console.log(1)')
  })

  it('reaches nothing outside the renderer folder and nothing of an unknown type', async () => {
    for (const url of [
      'app://switchboard/../secret.html',
      'app://switchboard/%2e%2e/secret.html',
      'app://switchboard/..%2fsecret.html',
      'app://switchboard/..%5csecret.html',
      'app://switchboard/assets/%2e%2e/%2e%2e/secret.html',
      'app://switchboard/index.html%00.png',
      'app://switchboard/%E0%A4%A',
      'app://switchboard/assets/notes.txt',
      'app://switchboard/missing.js',
      'app://evil/index.html',
      'file:///etc/passwd',
    ]) {
      expect((await serveAppFile(root, new Request(url), csp)).status, url).toBe(404)
    }
    expect(appFilePath(root, 'app://switchboard/assets/app.js')).toBe(path.join(root, 'assets', 'app.js'))
    expect((await serveAppFile(root, new Request('app://switchboard/index.html', { method: 'PUT', body: 'x' }), csp)).status).toBe(405)
  })

  it('treats only app://switchboard pages as the app (or the dev server in development)', () => {
    const built = rendererLocation('/opt/app/out/main', '')
    expect(built.url).toBe('app://switchboard/index.html')
    expect(isAppUrl(built, 'app://switchboard/index.html#/c/1')).toBe(true)
    for (const url of ['file:///opt/app/out/renderer/index.html', 'app://evil/index.html', 'https://switchboard/', 'nonsense']) expect(isAppUrl(built, url)).toBe(false)
    const dev = rendererLocation('/opt/app/out/main', 'http://localhost:5173')
    expect(dev.root).toBeNull()
    expect(isAppUrl(dev, 'http://localhost:5173/src/main.ts')).toBe(true)
    expect(isAppUrl(dev, 'http://localhost:5174/')).toBe(false)
  })
})

describe('window hardening', () => {
  it('creates the window isolated and sandboxed, without Node, with every hardened preference', async () => {
    expect(await mainWindowPreferences('/app/out/main')).toEqual(hardenedPreferences('/app/out/main'))
  })

  it('has a CSP with no remote code and only the chat server to talk to', () => {
    const csp = rendererCsp('http://192.168.1.5:47300')
    expect(csp).toContain("default-src 'none'")
    expect(csp).toContain("script-src 'self';")
    expect(csp).not.toMatch(/unsafe-eval|script-src[^;]*unsafe-inline|\*/)
    expect(csp).toContain('connect-src \'self\' http://192.168.1.5:47300 ws://192.168.1.5:47300')
    expect(rendererCsp(null)).toContain("connect-src 'self';")
  })

  it('refuses navigation away from the app and every new window; hands safe links to the browser', () => {
    const contents = Object.assign(new EventEmitter(), { setWindowOpenHandler: vi.fn() })
    const openExternal = vi.fn()
    hardenWebContents(contents as never, { isAppUrl: (u) => u.startsWith('app://'), openExternal })
    const navigate = (event: string, url: string): boolean => {
      const e = { preventDefault: vi.fn() }
      contents.emit(event, e, url)
      return e.preventDefault.mock.calls.length > 0
    }
    expect(navigate('will-navigate', 'https://evil.example')).toBe(true)
    expect(navigate('will-navigate', 'app://inbox/index.html')).toBe(false)
    expect(navigate('will-redirect', 'file:///etc/passwd')).toBe(true)
    expect(navigate('will-attach-webview', 'https://x')).toBe(true)
    const open = contents.setWindowOpenHandler.mock.calls[0]![0] as (d: { url: string }) => { action: string }
    expect(open({ url: 'https://example.com/doc' })).toEqual({ action: 'deny' })
    expect(open({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' })
    expect(openExternal.mock.calls).toEqual([['https://example.com/doc']])
  })

  it('denies every permission but notifications and puts the CSP on every response', () => {
    const session = { setPermissionRequestHandler: vi.fn(), setPermissionCheckHandler: vi.fn(), webRequest: { onHeadersReceived: vi.fn() } }
    hardenSession(session as never, () => 'the-csp')
    const request = session.setPermissionRequestHandler.mock.calls[0]![0] as (c: unknown, p: string, cb: (ok: boolean) => void) => void
    const answers: Record<string, boolean> = {}
    for (const p of ['media', 'geolocation', 'notifications', 'openExternal', 'clipboard-read', 'fullscreen']) request(null, p, (ok) => (answers[p] = ok))
    expect(answers).toEqual({ media: false, geolocation: false, notifications: true, openExternal: false, 'clipboard-read': false, fullscreen: false })
    const check = session.setPermissionCheckHandler.mock.calls[0]![0] as (c: unknown, p: string) => boolean
    expect(check(null, 'media')).toBe(false)
    const headers = session.webRequest.onHeadersReceived.mock.calls[0]![0] as (d: unknown, cb: (r: unknown) => void) => void
    let answer: any
    headers({ responseHeaders: { 'X-Other': ['1'] } }, (r) => (answer = r))
    expect(answer.responseHeaders).toEqual({ 'X-Other': ['1'], 'Content-Security-Policy': ['the-csp'] })
  })
})

describe('IPC handlers', () => {
  function setup(trusted = true) {
    const handlers = new Map<string, (event: unknown, ...args: unknown[]) => Promise<any>>()
    const ipcMain = { handle: vi.fn((ch: string, fn: any) => handlers.set(ch, fn)), removeHandler: vi.fn((ch: string) => handlers.delete(ch)) }
    const impl = Object.fromEntries(Object.keys(INVOKE_CHANNELS).map((m) => [m, vi.fn(async (...args: unknown[]) => ({ method: m, args }))])) as unknown as MessengerHandlers & Record<string, ReturnType<typeof vi.fn>>
    const dispose = registerIpcHandlers(ipcMain, impl, () => trusted)
    const invoke = (method: keyof typeof INVOKE_CHANNELS, ...args: unknown[]) => handlers.get(INVOKE_CHANNELS[method])!({ senderFrame: {} }, ...args)
    return { handlers, impl, invoke, dispose }
  }

  it('registers one handler per channel, and removes them all', () => {
    const { handlers, dispose } = setup()
    expect([...handlers.keys()].sort()).toEqual(Object.values(INVOKE_CHANNELS).sort())
    dispose()
    expect(handlers.size).toBe(0)
  })

  it('passes valid arguments through and answers with a value', async () => {
    const { invoke, impl } = setup()
    expect(await invoke('sendMessage', 3, 'hi')).toEqual({ ok: true, value: { method: 'sendMessage', args: [3, 'hi'] } })
    expect(await invoke('login', { username: 'Ada', password: 'secret-pass' })).toMatchObject({ ok: true })
    expect(impl.login).toHaveBeenCalledWith({ username: 'ada', password: 'secret-pass' })
  })

  it.each([
    ['editMessage', [5, 1, 'fixed']],
    ['deleteMessage', [5, 1]],
    ['react', [5, 1, '👍', true]],
    ['react', [5, 1, '❤️', false]],
    ['getMessageVersions', [5]],
    ['getPendingActions', []],
    ['retryAction', ['a-0123']],
    ['discardAction', ['a-0123']],
    ['getMessages', [1, { around: 5, limit: 20 }]],
    ['sendMessage', [1, 'a reply', undefined, { replyToId: 4 }]],
    ['searchMessages', [{ q: 'hello', conversationId: 3, order: 'relevance', limit: 20, cursor: 'abc' }]],
  ])('passes %s(%j) through to the controller', async (method, args) => {
    const { invoke, impl } = setup()
    expect(await invoke(method as never, ...args)).toMatchObject({ ok: true })
    expect(impl[method]).toHaveBeenCalledWith(...args)
  })

  it.each([
    ['sendMessage', ['3', 'hi']],
    ['sendMessage', [3, 'x'.repeat(10_001)]],
    ['startConversation', [-1]],
    ['joinServer', ['file:///etc/passwd']],
    ['openExternal', ['javascript:alert(1)']],
    ['getFile', ['/api/files/../../switchboard.db']],
    ['setTyping', [1, 'yes']],
    ['markAsRead', [1]],
    ['login', [{ username: 'ada' }]],
    ['uploadFile', [{ name: 'x', type: 'text/plain', bytes: 'not bytes' }]],
    ['editMessage', [5, 1, '   ']],
    ['editMessage', [5, 1, 'x'.repeat(10_001)]],
    ['editMessage', ['5', 1, 'fixed']],
    ['editMessage', [5, 'fixed']],
    ['deleteMessage', [5]],
    ['deleteMessage', [0, 1]],
    ['react', [5, 1, 'ok', true]],
    ['react', [5, 1, '👍👍', true]],
    ['react', [5, 1, '👍', 'yes']],
    ['react', [5, 1, '<img src=x>', true]],
    ['getMessageVersions', [-5]],
    ['retryAction', [5]],
    ['discardAction', ['x'.repeat(65)]],
    ['getMessages', [1, { before: 2, around: 3 }]],
    ['getMessages', [1, { around: 'latest' }]],
    ['sendMessage', [1, 'hi', undefined, { replyToId: -1 }]],
    ['searchMessages', ['hello']],
    ['searchMessages', [{ q: 'x'.repeat(201) }]],
    ['searchMessages', [{ q: 'hello', limit: 51 }]],
    ['searchMessages', [{ q: 'hello', before: 'yesterday' }]],
  ])('refuses %s(%j) before anything happens', async (method, args) => {
    const { invoke, impl } = setup()
    const answer = await invoke(method as never, ...args)
    expect(answer).toMatchObject({ ok: false, error: { code: 'bad_request' } })
    expect(answer.error.message).toContain(method)
    expect(impl[method]).not.toHaveBeenCalled()
  })

  it('refuses calls from frames that are not the app’s own', async () => {
    const { invoke, impl } = setup(false)
    expect(await invoke('listConversations')).toMatchObject({ ok: false, error: { code: 'forbidden' } })
    expect(impl.listConversations).not.toHaveBeenCalled()
  })

  it('turns a failing handler into an error value with its code', async () => {
    const { invoke, impl } = setup()
    ;(impl.startConversation as unknown as ReturnType<typeof vi.fn>).mockRejectedValueOnce(new AppError('not_found', 'User 9 does not exist.'))
    expect(await invoke('startConversation', 9)).toEqual({ ok: false, error: { code: 'not_found', message: 'User 9 does not exist.' } })
  })
})

describe('deep links', () => {
  it.each([
    ['switchboard://conversation/42', { kind: 'conversation', conversationId: 42 }],
    ['switchboard://conversation/42/', { kind: 'conversation', conversationId: 42 }],
    ['switchboard://join?url=http%3A%2F%2F192.168.1.5%3A47300%2Fsome%2Fpath', { kind: 'join', url: 'http://192.168.1.5:47300' }],
    ['switchboard://conversation/0', null],
    ['switchboard://conversation/99999999999', null],
    ['switchboard://conversation/abc', null],
    ['switchboard://join?url=file%3A%2F%2F%2Fetc%2Fpasswd', null],
    ['switchboard://join?url=javascript%3Aalert(1)', null],
    ['switchboard://settings', null],
    ['https://conversation/42', null],
    ['nonsense', null],
  ])('%s → %j', (link, expected) => {
    expect(parseDeepLink(link)).toEqual(expected)
  })

  it('finds the link among a second instance’s arguments', () => {
    expect(deepLinkFromArgv(['/opt/Switchboard/switchboard', '--no-sandbox', 'switchboard://conversation/7'])).toEqual({ kind: 'conversation', conversationId: 7 })
    expect(deepLinkFromArgv(['/opt/Switchboard/switchboard'])).toBeNull()
  })
})

describe('notifications and the badge', () => {
  // The rule itself (in view, notify, count, replays) is the shared one: test/shared/attention.test.ts.
  const away = { userId: 1, activeConversationId: null, windowShown: false, doNotDisturb: false }
  const listed = (conversation_id: number, unread_count: number, latest: number | null, muted = false, title: string | null = null) => ({
    conversation_id,
    unread_count,
    messages: latest === null ? [] : [message({ conversation_id, message_id: latest })],
    muted,
    title,
  })

  it('counts from the list the server gave, and not again what a catch-up replays', () => {
    const unread = new UnreadCounts()
    unread.reset([listed(3, 2, 50), listed(4, 0, null)])
    expect(unread.total).toBe(2)
    expect(unread.receive(message({ conversation_id: 3, message_id: 49 }), away)).toMatchObject({ replay: true, notify: false, countUnread: false })
    expect(unread.receive(message({ conversation_id: 3, message_id: 50 }), away)).toMatchObject({ replay: true, notify: false })
    expect(unread.total).toBe(2)
    expect(unread.receive(message({ conversation_id: 3, message_id: 51 }), away)).toMatchObject({ notify: true, countUnread: true })
    expect(unread.receive(message({ conversation_id: 4, message_id: 52 }), away)).toMatchObject({ notify: true, countUnread: true })
    // The same message twice (a rewind after a reconnect) counts once.
    expect(unread.receive(message({ conversation_id: 4, message_id: 52 }), away).countUnread).toBe(false)
    expect(unread.total).toBe(4)
    // Across nodes an older message can come after a newer one: it is still new, counted and notified.
    expect(unread.receive(message({ conversation_id: 4, message_id: 54 }), away).countUnread).toBe(true)
    expect(unread.receive(message({ conversation_id: 4, message_id: 53 }), away)).toMatchObject({ replay: false, notify: true, countUnread: true })
    expect(unread.total).toBe(6)
  })

  it('counts a conversation it never listed from its first message on, and forgets on read and on sign-out', () => {
    const unread = new UnreadCounts()
    unread.receive(message({ conversation_id: 7, message_id: 10 }), away)
    unread.receive(message({ conversation_id: 7, message_id: 11, sender_id: 1 }), away) // mine, from another device
    unread.receive(message({ conversation_id: 7, message_id: 12 }), { ...away, activeConversationId: 7, windowShown: true })
    expect(unread.total).toBe(1)
    unread.receive(message({ conversation_id: 8, message_id: 13 }), { ...away, doNotDisturb: true })
    expect(unread.total).toBe(2)
    unread.read(7)
    expect(unread.total).toBe(1)
    // Read, it is still known: its last message replayed does not count again.
    expect(unread.receive(message({ conversation_id: 7, message_id: 12 }), away).countUnread).toBe(false)
    unread.clear()
    expect(unread.total).toBe(0)
  })

  it('leaves a muted conversation off the badge and unnotified, counts it still, and follows muting and renames', () => {
    const unread = new UnreadCounts()
    unread.reset([listed(3, 2, 50, true, 'Team'), listed(4, 1, 60)])
    expect(unread.total).toBe(1)
    expect(unread.receive(message({ conversation_id: 3, message_id: 61 }), away)).toMatchObject({ notify: false, countUnread: true, badge: false })
    expect(unread.total).toBe(1)
    expect(unread.titleOf(3)).toBe('Team')
    unread.describe({ conversation_id: 3, title: 'Team room', muted: false })
    expect(unread.total).toBe(4) // the 3 counted while muted, and the other one
    expect(unread.titleOf(3)).toBe('Team room')
    expect(unread.receive(message({ conversation_id: 3, message_id: 62 }), away)).toMatchObject({ notify: true, badge: true })
    // conversation_updated carries no muted: a rename keeps the user's setting.
    unread.describe({ conversation_id: 3, title: 'Team' })
    expect(unread.receive(message({ conversation_id: 3, message_id: 63 }), away).notify).toBe(true)
    expect(unread.titleOf(4)).toBeNull()
  })

  it('says who wrote and a short plain preview', () => {
    expect(notificationContent(message({ content: 'line one\n\nline   two' }))).toEqual({ title: 'Bob', body: 'line one line two' })
    expect(notificationContent(message({ content: 'x'.repeat(500) })).body).toHaveLength(140)
    const file = { attachment_id: 1, message_id: 9, file_url: '/api/files/x', file_name: 'plan.pdf', file_type: 'application/pdf', size: 1 }
    expect(notificationContent(message({ content: '', attachments: [file] })).body).toBe('Sent a file: plan.pdf')
    expect(notificationContent(message({ content: '', attachments: [file, file] })).body).toBe('Sent 2 files')
    expect(notificationContent(message({ content: 'hi' }), 'Team')).toEqual({ title: 'Bob in Team', body: 'hi' })
  })

  it('closes the notification shown for a message, once, and only the one remembered for it', () => {
    const note = () => ({ close: vi.fn() })
    const shown = new ShownNotifications(3)
    const [a, b, c, d] = [note(), note(), note(), note()]
    shown.add(1, a)
    shown.add(2, b)
    expect(shown.close(1)).toBe(true)
    expect(a.close).toHaveBeenCalledTimes(1)
    expect(shown.close(1)).toBe(false)
    // Dismissed by the user: forgotten, nothing to close. A stale dismissal does not forget a newer one.
    shown.forget(2, b)
    expect(shown.close(2)).toBe(false)
    shown.add(3, c)
    shown.forget(3, a)
    expect(shown.size).toBe(1)
    // Only the newest are remembered.
    for (const id of [4, 5, 6]) shown.add(id, id === 6 ? d : note())
    expect(shown.size).toBe(3)
    expect(shown.close(3)).toBe(false)
    expect(c.close).not.toHaveBeenCalled()
    expect(shown.close(6)).toBe(true)
    expect(d.close).toHaveBeenCalledTimes(1)
  })

  it('says how many are unread in the tray', () => {
    expect(trayTooltip(0)).toBe('Switchboard')
    expect(trayTooltip(1)).toBe('Switchboard: 1 unread message')
    expect(trayTooltip(7)).toBe('Switchboard: 7 unread messages')
  })
})
