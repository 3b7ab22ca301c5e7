import { EventEmitter } from 'node:events'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it, onTestFinished, vi } from 'vitest'
import { rendererCsp } from '../../electron/shared/csp'
import { hardenedPreferences } from './hardened-preferences'
import type { MessageDto } from '../../electron/shared/dto'
import { eventChannel, INVOKE_CHANNELS } from '../../electron/shared/ipc'
import { person } from '../helpers/api'
import { startBalancer } from '../helpers/balancer'
import { startServer, tempDir } from '../helpers/server'
import { until } from '../helpers/wait'
import { createElectronMock } from './electron-mock'

let current: ReturnType<typeof createElectronMock>

async function boot(options: { lock?: boolean; platform?: NodeJS.Platform; argv?: string[] } = {}) {
  const userData = tempDir()
  // Any free port for the embedded server: test files run side by side, and two apps on the default
  // port would make one fall back to another (a second fork), which is host-manager.test.ts's subject.
  writeFileSync(path.join(userData, 'settings.json'), JSON.stringify({ host_port: 0 }))
  current = createElectronMock({ userData, lock: options.lock ?? true })
  vi.resetModules()
  const mock = current.mock
  vi.doMock('electron', () => mock)
  const platform = Object.getOwnPropertyDescriptor(process, 'platform')!
  const argv = process.argv
  if (options.platform) Object.defineProperty(process, 'platform', { value: options.platform })
  if (options.argv) process.argv = options.argv
  try {
    await import('../../electron/main/index')
  } finally {
    Object.defineProperty(process, 'platform', platform)
    process.argv = argv
  }
  // Ready once the first-run server (the app hosts by default) answers.
  if (options.lock !== false) {
    await until('the window, the tray and the host', () => current.trays.length > 0 && current.forks.length > 0 && current.windows[0].webContents.mainFrame.url !== '')
    await until('the host process', () => current.forks[0]!.child.real.connected)
  }
  return current
}

/** Calls an IPC channel as the app's window would (or as another frame, when `frame` is given). */
function invoke(e: ReturnType<typeof createElectronMock>, channel: string, args: unknown[] = [], frame?: unknown) {
  const handler = e.handlers.get(channel)!
  return handler({ senderFrame: frame ?? e.windows[0].webContents.mainFrame }, ...args) as Promise<any>
}

/** What main has sent the window on `channel`, in order. */
function sentToWindow<T>(e: ReturnType<typeof createElectronMock>, channel: string): T[] {
  return (e.windows[0].webContents.send.mock.calls as [string, T][]).filter(([c]) => c === channel).map(([, payload]) => payload)
}

afterEach(async () => {
  // Quit the app: before-quit stops the embedded server.
  current?.mock.app.quit()
  await until('the host stopped', () => current.forks.every((f) => f.child.real.exitCode !== null))
})

describe('the Electron shell', () => {
  it('takes the single-instance lock, opens one hardened window and registers every IPC channel', async () => {
    const e = await boot()
    expect(e.mock.app.requestSingleInstanceLock).toHaveBeenCalled()
    expect(e.windows).toHaveLength(1)
    expect(e.windows[0].options.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true })
    expect(e.windows[0].options.webPreferences.preload).toMatch(/preload[\\/]index\.js$/)
    expect(e.windows[0].loadURL).toHaveBeenCalledWith('app://switchboard/index.html')
    expect([...e.handlers.keys()].sort()).toEqual(Object.values(INVOKE_CHANNELS).sort())
    expect(e.sessionMock.setPermissionRequestHandler).toHaveBeenCalled()
    expect(e.sessionMock.webRequest.onHeadersReceived).toHaveBeenCalled()
    expect((e.mock.app.setAsDefaultProtocolClient.mock.calls[0] as unknown[])[0]).toBe('switchboard')
    expect(e.mock.Menu.setApplicationMenu).toHaveBeenCalled()
    expect(e.trays).toHaveLength(1)
    expect(e.trays[0].setToolTip).toHaveBeenCalledWith('Switchboard')
    expect(e.mock.app.setAppUserModelId).not.toHaveBeenCalled()
  })

  it('serves the renderer over a privileged app:// scheme registered before ready, never from file://', async () => {
    const e = await boot()
    const register = e.mock.protocol.registerSchemesAsPrivileged
    expect(register).toHaveBeenCalledWith([{ scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true }) }])
    expect(register.mock.invocationCallOrder[0]).toBeLessThan(e.mock.app.whenReady.mock.invocationCallOrder[0]!)
    const serve = e.protocolHandlers.get('app')!
    // Files outside the renderer folder are out of reach, however the path is spelled.
    for (const url of ['app://switchboard/../main/index.ts', 'app://switchboard/%2e%2e/main/index.ts', 'app://switchboard/..%2fmain%2findex.ts', 'app://other/index.html']) {
      expect((await serve(new Request(url))).status).toBe(404)
    }
    expect((await serve(new Request('app://switchboard/index.html', { method: 'POST', body: 'x' }))).status).toBe(405)
    // IPC answers the window's page while it shows app://; the same window showing a file:// page is not the app.
    const frame = e.windows[0].webContents.mainFrame
    expect((await invoke(e, INVOKE_CHANNELS.getSetup)).ok).toBe(true)
    frame.url = 'file:///tmp/renderer/index.html'
    expect(await invoke(e, INVOKE_CHANNELS.getSetup)).toMatchObject({ ok: false, error: { code: 'forbidden' } })
    frame.url = 'app://switchboard/index.html'
  })

  it('wires the hardening in: the window’s preferences, the CSP and permissions of the session, every web contents, external links', async () => {
    const e = await boot()
    let serverUrl: string | null = null
    await until('the host’s address', async () => !!(serverUrl = (await invoke(e, INVOKE_CHANNELS.getSetup)).value.server_url))
    // The one window takes the secure preferences, all of them.
    const prefs = e.windows[0].options.webPreferences
    expect(prefs).toEqual(hardenedPreferences(path.join(path.dirname(prefs.preload), '../main')))
    // The default session puts the CSP for the current server on every response and grants notifications only.
    const onHeaders = e.sessionMock.webRequest.onHeadersReceived.mock.calls[0]![0] as (d: unknown, cb: (r: { responseHeaders: Record<string, string[]> }) => void) => void
    let headers: Record<string, string[]> = {}
    onHeaders({ responseHeaders: { 'X-Other': ['1'] } }, (r) => (headers = r.responseHeaders))
    expect(headers).toEqual({ 'X-Other': ['1'], 'Content-Security-Policy': [rendererCsp(serverUrl)] })
    const onPermission = e.sessionMock.setPermissionRequestHandler.mock.calls[0]![0] as (c: unknown, p: string, cb: (ok: boolean) => void) => void
    const granted = ['media', 'geolocation', 'notifications'].filter((p) => {
      let ok = false
      onPermission(null, p, (answer) => (ok = answer))
      return ok
    })
    expect(granted).toEqual(['notifications'])
    // Every web contents Electron creates is hardened: no navigation away, no webview, no new window.
    const contents = Object.assign(new EventEmitter(), { setWindowOpenHandler: vi.fn() })
    e.mock.app.emit('web-contents-created', {}, contents)
    const refused = (event: string, url?: string): boolean => {
      const attempt = { preventDefault: vi.fn() }
      contents.emit(event, attempt, url)
      return attempt.preventDefault.mock.calls.length > 0
    }
    expect([refused('will-navigate', 'https://evil.example/'), refused('will-redirect', 'file:///etc/passwd'), refused('will-attach-webview')]).toEqual([true, true, true])
    const open = contents.setWindowOpenHandler.mock.calls[0]![0] as (d: { url: string }) => { action: string }
    expect([open({ url: 'file:///etc/passwd' }), open({ url: 'https://example.com/doc' })]).toEqual([{ action: 'deny' }, { action: 'deny' }])
    // External links reach the system browser only when safe, from a new window or from the inbox.
    expect(await invoke(e, INVOKE_CHANNELS.openExternal, ['javascript:alert(1)'])).toMatchObject({ ok: false, error: { code: 'bad_request' } })
    expect(await invoke(e, INVOKE_CHANNELS.openExternal, ['https://example.com/help'])).toMatchObject({ ok: true })
    expect(e.mock.shell.openExternal.mock.calls).toEqual([['https://example.com/doc'], ['https://example.com/help']])
  })

  it('quits at once when another instance holds the lock, opening nothing', async () => {
    const e = await boot({ lock: false })
    expect(e.mock.app.quit).toHaveBeenCalled()
    // Nothing can open later either: everything else waits for ready, which is never asked for.
    expect(e.mock.app.whenReady).not.toHaveBeenCalled()
    expect(e.windows).toHaveLength(0)
    expect(e.handlers.size).toBe(0)
  })

  it('sets the AppUserModelID on Windows so notifications show', async () => {
    const e = await boot({ platform: 'win32' })
    expect(e.mock.app.setAppUserModelId).toHaveBeenCalledWith('dev.switchboard.desktop')
  })

  it('hosts the server in a utilityProcess by default, answers only its own window, and stops the server on quit', async () => {
    const e = await boot()
    let answer = await invoke(e, INVOKE_CHANNELS.getSetup)
    await until('the host’s address', async () => !!(answer = await invoke(e, INVOKE_CHANNELS.getSetup)).value.server_url)
    expect(answer).toMatchObject({ ok: true, value: { mode: 'host', server_url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/) } })
    expect(e.forks).toHaveLength(1)
    expect(e.forks[0]!.modulePath).toMatch(/[\\/]server\.js$/)
    expect(e.forks[0]!.options).toMatchObject({ serviceName: 'Switchboard server' })
    expect(e.forks[0]!.args).toEqual(expect.arrayContaining(['--host', '127.0.0.1', '--migrations', expect.stringMatching(/prisma[\\/]migrations$/)]))
    const health = await fetch(`${answer.value.server_url}/api/health`)
    expect(health.status).toBe(200)

    // Another frame (an iframe, another window) is refused before anything happens.
    expect(await invoke(e, INVOKE_CHANNELS.getSetup, [], { url: 'https://evil.example/' })).toMatchObject({ ok: false, error: { code: 'forbidden' } })
    // A malformed call is refused and changes nothing.
    expect(await invoke(e, INVOKE_CHANNELS.hostServer, [{ lan: 'yes' }])).toMatchObject({ ok: false, error: { code: 'bad_request' } })
    expect(e.forks).toHaveLength(1)

    e.mock.app.quit()
    await until('the host stopped', () => e.forks[0]!.child.real.exitCode !== null)
    expect(e.forks[0]!.child.real.exitCode).toBe(0)
    await expect(fetch(`${answer.value.server_url}/api/health`)).rejects.toThrow()
  })

  it('opens the conversation a switchboard:// link names, from a second instance', async () => {
    const e = await boot()
    e.mock.app.emit('second-instance', {}, ['/opt/Switchboard/switchboard', 'switchboard://conversation/5'])
    await until('the window told', () => e.windows[0].webContents.send.mock.calls.length > 0)
    expect(e.windows[0].webContents.send).toHaveBeenCalledWith(eventChannel('open_conversation'), 5)
    expect(e.windows[0].show).toHaveBeenCalled()
  })

  it('resyncs the chat when the computer resumes from sleep: a message missed while asleep arrives', async () => {
    const e = await boot()
    // Join a server through a proxy whose connections can go silent, as a sleeping laptop's do.
    const server = await startServer()
    const port = Number(new URL(server.url).port)
    const proxy = await startBalancer(() => [port])
    onTestFinished(async () => {
      await proxy.close()
      await server.close()
    })
    expect(await invoke(e, INVOKE_CHANNELS.joinServer, [proxy.url])).toMatchObject({ ok: true, value: { mode: 'join' } })
    const session = await invoke(e, INVOKE_CHANNELS.register, [{ username: 'ada', password: 'correct horse battery', display_name: 'Ada' }])
    expect(session).toMatchObject({ ok: true })
    await until('online', async () => (await invoke(e, INVOKE_CHANNELS.getStatus)).value.state === 'online')
    const bob = await person(server.url, 'bob')
    const conversation = (await bob.api.post('/api/conversations', { participant1_id: bob.user.user_id, participant2_id: session.value.user.user_id })).body
    const say = async (content: string) => expect((await bob.api.post(`/api/messages/${conversation.conversation_id}`, { content, sender_id: bob.user.user_id })).status).toBe(201)
    const inWindow = () => sentToWindow<MessageDto>(e, eventChannel('new_message')).map((m) => m.content)
    await say('before sleep')
    await until('the live message', () => inWindow().includes('before sleep'))

    // Asleep: the connection goes silent without closing, so neither end notices until Socket.IO's
    // heartbeat gives up (25 + 20 s), well after this test's wait. Bob writes meanwhile.
    proxy.freeze()
    const connectionsBefore = proxy.counts.get(port)!
    await say('while asleep')
    e.mock.powerMonitor.emit('resume')
    // Only a new connection and a catch-up can bring it now.
    await until('the message sent while asleep', () => inWindow().includes('while asleep'), { timeoutMs: 15_000, state: () => inWindow().join(', ') })
    expect(proxy.counts.get(port)).toBeGreaterThan(connectionsBefore)
    expect(inWindow()).toEqual(['before sleep', 'while asleep'])
  })

  it('takes back the notification of a message deleted for everyone; an edit notifies nothing', async () => {
    const e = await boot()
    const server = await startServer()
    onTestFinished(() => server.close())
    expect(await invoke(e, INVOKE_CHANNELS.joinServer, [server.url])).toMatchObject({ ok: true })
    const session = await invoke(e, INVOKE_CHANNELS.register, [{ username: 'ada', password: 'correct horse battery', display_name: 'Ada' }])
    await until('online', async () => (await invoke(e, INVOKE_CHANNELS.getStatus)).value.state === 'online')
    const bob = await person(server.url, 'bob')
    const conversation = (await bob.api.post('/api/conversations', { participant1_id: bob.user.user_id, participant2_id: session.value.user.user_id })).body
    // The window is not focused: a message from Bob notifies.
    const secret = (await bob.api.post<MessageDto>(`/api/messages/${conversation.conversation_id}`, { content: 'a secret', sender_id: bob.user.user_id })).body
    await until('the notification', () => e.notifications.length === 1)
    const shown = e.notifications[0]
    expect(shown.options).toMatchObject({ title: 'bob', body: 'a secret' })
    expect(shown.show).toHaveBeenCalled()
    expect((await bob.api.request('PATCH', `/api/messages/${secret.message_id}`, { content: 'a bigger secret' })).status).toBe(200)
    await until('the edit', () => sentToWindow<MessageDto>(e, eventChannel('message_updated')).length === 1)
    expect(e.notifications).toHaveLength(1)
    expect(shown.close).not.toHaveBeenCalled()
    expect((await bob.api.request('DELETE', `/api/messages/${secret.message_id}`)).status).toBe(200)
    await until('the notification taken back', () => shown.close.mock.calls.length === 1)
    expect(sentToWindow<MessageDto>(e, eventChannel('message_deleted'))).toEqual([expect.objectContaining({ message_id: secret.message_id, content: '' })])
  })

  it('hides to the tray when the window is closed, and really closes when quitting, after the server has stopped', async () => {
    const e = await boot()
    const win = e.windows[0]
    win.close()
    expect(win.hide).toHaveBeenCalled()
    expect(win.isDestroyed()).toBe(false)
    expect(e.lifecycle).toEqual([])

    // Quit from the tray's menu: the server stops first, then the window really closes and the app quits.
    let serverExitWhenClosed: number | null = null
    win.once('closed', () => (serverExitWhenClosed = e.forks[0]!.child.real.exitCode))
    const menu = (e.trays[0].setContextMenu.mock.calls.at(-1) as [{ template: { label?: string; click?: () => void }[] }])[0].template
    menu.find((item) => item.label === 'Quit Switchboard')!.click!()
    await until('the app quit', () => e.lifecycle.includes('quit'))
    // The first before-quit was held back until the server had stopped; the second let everything close.
    expect(e.lifecycle).toEqual(['before-quit', 'before-quit', 'window-closed', 'will-quit', 'quit'])
    expect(e.mock.app.quit).toHaveBeenCalledTimes(2)
    expect(win.isDestroyed()).toBe(true)
    expect(serverExitWhenClosed).toBe(0)
  })
})
