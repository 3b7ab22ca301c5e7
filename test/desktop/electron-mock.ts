// A stand-in for the `electron` module that records what main asks of Electron. utilityProcess.fork
// starts the real server entry with child_process.fork, so host mode runs for real.
import { fork } from 'node:child_process'
import { EventEmitter } from 'node:events'
import path from 'node:path'
import { vi } from 'vitest'

const SERVER_ENTRY = path.resolve(__dirname, '../../electron/server/cli.ts')

/** An event a listener may cancel, as Electron's are. */
function cancellable() {
  const event = { defaultPrevented: false, preventDefault: vi.fn(() => void (event.defaultPrevented = true)) }
  return event
}

export function createElectronMock(options: { userData: string; lock?: boolean }) {
  const windows: any[] = []
  // What the app went through, in order ('before-quit', 'will-quit', 'quit', 'window-closed').
  const lifecycle: string[] = []
  const app = Object.assign(new EventEmitter(), {
    isPackaged: false,
    requestSingleInstanceLock: vi.fn(() => options.lock ?? true),
    // As Electron documents it: before-quit (cancellable), then every window is asked to close; when
    // all have closed, will-quit and quit. A cancelled before-quit or a window that stays open stops it.
    quit: vi.fn(() => {
      const beforeQuit = cancellable()
      lifecycle.push('before-quit')
      app.emit('before-quit', beforeQuit)
      if (beforeQuit.defaultPrevented) return
      for (const w of windows) if (!w.destroyed) w.close()
      if (windows.some((w) => !w.destroyed)) return
      lifecycle.push('will-quit')
      app.emit('will-quit', cancellable())
      lifecycle.push('quit')
      app.emit('quit', cancellable(), 0)
    }),
    whenReady: vi.fn(() => Promise.resolve()),
    setAppUserModelId: vi.fn(),
    setAsDefaultProtocolClient: vi.fn(() => true),
    setBadgeCount: vi.fn(() => true),
    getPath: vi.fn((name: string) => (name === 'userData' ? options.userData : `/tmp/${name}`)),
    getVersion: vi.fn(() => '0.1.0'),
  })

  class BrowserWindow extends EventEmitter {
    options: any
    destroyed = false
    visible = false
    focused = false
    webContents: any
    constructor(opts: any) {
      super()
      this.options = opts
      const mainFrame = { url: '' }
      this.webContents = Object.assign(new EventEmitter(), {
        mainFrame,
        send: vi.fn(),
        setWindowOpenHandler: vi.fn(),
      })
      windows.push(this)
    }
    loadURL = vi.fn(async (url: string) => {
      this.webContents.mainFrame.url = url
    })
    show = vi.fn(() => (this.visible = true))
    hide = vi.fn(() => (this.visible = false))
    focus = vi.fn(() => (this.focused = true))
    /** As the user closing it, or app.quit: 'close' may cancel; otherwise the window goes and 'closed' follows. */
    close = vi.fn(() => {
      if (this.destroyed) return
      const event = cancellable()
      this.emit('close', event)
      if (event.defaultPrevented) return
      this.destroyed = true
      this.visible = false
      lifecycle.push('window-closed')
      this.emit('closed')
    })
    restore = vi.fn()
    isMinimized = () => false
    isDestroyed = () => this.destroyed
    isVisible = () => this.visible
    isFocused = () => this.focused
  }

  const handlers = new Map<string, (event: unknown, ...args: unknown[]) => Promise<unknown>>()
  const ipcMain = {
    handle: vi.fn((channel: string, fn: any) => handlers.set(channel, fn)),
    removeHandler: vi.fn((channel: string) => handlers.delete(channel)),
  }

  const sessionMock = { setPermissionRequestHandler: vi.fn(), setPermissionCheckHandler: vi.fn(), webRequest: { onHeadersReceived: vi.fn() } }

  const notifications: any[] = []
  class Notification extends EventEmitter {
    static isSupported = vi.fn(() => true)
    constructor(readonly options: any) {
      super()
      notifications.push(this)
    }
    show = vi.fn()
    close = vi.fn()
  }

  const trays: any[] = []
  class Tray extends EventEmitter {
    constructor(readonly image: unknown) {
      super()
      trays.push(this)
    }
    setToolTip = vi.fn()
    setContextMenu = vi.fn()
  }

  const forks: { modulePath: string; args: string[]; options: any; child: any }[] = []
  const utilityProcess = {
    fork: vi.fn((modulePath: string, args: string[], opts: any) => {
      const real = fork(SERVER_ENTRY, args, { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] })
      const child = Object.assign(new EventEmitter(), {
        postMessage: (m: unknown) => real.send(m as object),
        kill: vi.fn(() => real.kill('SIGTERM')),
        real,
      })
      real.on('message', (m) => child.emit('message', m))
      real.on('exit', (code) => child.emit('exit', code))
      forks.push({ modulePath, args, options: opts, child })
      return child
    }),
  }

  const protocolHandlers = new Map<string, (request: Request) => Promise<Response>>()
  const protocol = {
    registerSchemesAsPrivileged: vi.fn(),
    handle: vi.fn((scheme: string, handler: any) => protocolHandlers.set(scheme, handler)),
  }

  const mock = {
    app,
    protocol,
    BrowserWindow,
    ipcMain,
    session: { defaultSession: sessionMock },
    Notification,
    Tray,
    Menu: { buildFromTemplate: vi.fn((t: unknown) => ({ template: t })), setApplicationMenu: vi.fn() },
    nativeImage: { createFromPath: vi.fn((p: string) => ({ path: p })) },
    shell: { openExternal: vi.fn(async () => {}) },
    powerMonitor: new EventEmitter(),
    safeStorage: {
      isAsyncEncryptionAvailable: vi.fn(async () => true),
      encryptStringAsync: vi.fn(async (s: string) => Buffer.from(s).reverse()),
      decryptStringAsync: vi.fn(async (b: Buffer) => ({ result: Buffer.from(b).reverse().toString(), shouldReEncrypt: false })),
      getSelectedStorageBackend: vi.fn(() => 'gnome_libsecret'),
    },
    utilityProcess,
  }
  return { mock, windows, lifecycle, handlers, notifications, trays, forks, sessionMock, protocolHandlers }
}
