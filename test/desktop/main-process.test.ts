import { afterEach, describe, expect, it, vi } from 'vitest'
import { EVENT_CHANNELS, INVOKE_CHANNELS } from '../../electron/shared/ipc'
import { tempDir } from '../helpers/server'
import { sleep } from '../helpers/sockets'
import { createElectronMock } from './electron-mock'

let current: ReturnType<typeof createElectronMock>

async function boot(options: { lock?: boolean; platform?: NodeJS.Platform; argv?: string[] } = {}) {
  current = createElectronMock({ userData: tempDir(), lock: options.lock ?? true })
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
  await until(() => options.lock === false || (current.trays.length > 0 && current.forks.length > 0 && current.windows[0].webContents.mainFrame.url !== ''))
  if (options.lock !== false) await until(() => current.forks[0]!.child.real.connected)
  return current
}

async function until(predicate: () => boolean, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!predicate()) {
    if (Date.now() > end) throw new Error('timed out')
    await sleep(20)
  }
}

/** Calls an IPC channel as the app's window would (or as another frame, when `frame` is given). */
function invoke(e: ReturnType<typeof createElectronMock>, channel: string, args: unknown[] = [], frame?: unknown) {
  const handler = e.handlers.get(channel)!
  return handler({ senderFrame: frame ?? e.windows[0].webContents.mainFrame }, ...args) as Promise<any>
}

afterEach(async () => {
  // Quit the app: before-quit stops the embedded server.
  current?.mock.app.quit()
  await until(() => current.forks.every((f) => f.child.real.exitCode !== null))
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

  it('quits at once when another instance holds the lock, opening nothing', async () => {
    const e = await boot({ lock: false })
    await sleep(100)
    expect(e.mock.app.quit).toHaveBeenCalled()
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
    for (let i = 0; i < 200 && !answer.value.server_url; i++) {
      await sleep(50)
      answer = await invoke(e, INVOKE_CHANNELS.getSetup)
    }
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
    await until(() => e.forks[0]!.child.real.exitCode !== null)
    expect(e.forks[0]!.child.real.exitCode).toBe(0)
    await expect(fetch(`${answer.value.server_url}/api/health`)).rejects.toThrow()
  })

  it('opens the conversation a switchboard:// link names, from a second instance', async () => {
    const e = await boot()
    e.mock.app.emit('second-instance', {}, ['/opt/Switchboard/switchboard', 'switchboard://conversation/5'])
    await until(() => e.windows[0].webContents.send.mock.calls.length > 0)
    expect(e.windows[0].webContents.send).toHaveBeenCalledWith(EVENT_CHANNELS.onOpenConversation, 5)
    expect(e.windows[0].show).toHaveBeenCalled()
  })

  it('resyncs the chat when the computer resumes from sleep', async () => {
    const e = await boot()
    expect(e.mock.powerMonitor.listenerCount('resume')).toBe(1)
  })

  it('hides to the tray when the window is closed, and really closes when quitting', async () => {
    const e = await boot()
    const close = { preventDefault: vi.fn() }
    e.windows[0].emit('close', close)
    expect(close.preventDefault).toHaveBeenCalled()
    expect(e.windows[0].hide).toHaveBeenCalled()
  })
})
