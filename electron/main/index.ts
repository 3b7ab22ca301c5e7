// The Electron shell: wires Electron's objects to the controller and the hardening; nothing else.
import os from 'node:os'
import path from 'node:path'
import { app, type BrowserWindow, ipcMain, Menu, Notification, powerMonitor, protocol, safeStorage, session, shell, utilityProcess } from 'electron'
import { APP_SCHEME, APP_SCHEME_PRIVILEGES, isAppUrl, rendererLocation, serveAppFile } from './app-protocol'
import { advertise, browse } from './discovery'
import { DesktopController } from './controller'
import { deepLinkFromArgv, parseDeepLink, PROTOCOL, type DeepLink } from './deep-links'
import type { SpawnServer } from './host'
import { registerIpcHandlers } from './ipc'
import { applicationMenu } from './menu'
import { ShownNotifications } from './notifications'
import { rendererCsp } from '../shared/csp'
import { isWebUrl } from '../shared/web-url'
import { hardenSession, hardenWebContents } from './security'
import { SettingsStore } from './settings'
import { TokenVault } from './token-vault'
import { AppTray } from './tray'
import { createMainWindow, isTrustedFrame } from './window'

export const APP_USER_MODEL_ID = 'dev.switchboard.desktop'

const resources = app.isPackaged ? process.resourcesPath : path.join(__dirname, '../..')
const iconPath = path.join(resources, 'resources', 'icon.png')
const trayIconPath = path.join(resources, 'resources', 'tray.png')
const migrationsDir = path.join(resources, 'prisma', 'migrations')

let win: BrowserWindow | null = null
let tray: AppTray | null = null
let controller: DesktopController | null = null
let quitting = false
let pendingLink: DeepLink | null = deepLinkFromArgv(process.argv)
const shownNotifications = new ShownNotifications<Notification>()

/** Host mode's server runs as an Electron utilityProcess from the bundled server entry. */
const spawnServer: SpawnServer = (args) => {
  const child = utilityProcess.fork(path.join(__dirname, 'server.js'), args, { serviceName: 'Switchboard server', stdio: 'inherit' })
  return {
    onMessage: (listener) => child.on('message', listener),
    onExit: (listener) => child.on('exit', (code) => listener(code)),
    postMessage: (message) => child.postMessage(message),
    kill: () => child.kill(),
  }
}

function lanAddresses(): string[] {
  return Object.values(os.networkInterfaces())
    .flat()
    .filter((a): a is os.NetworkInterfaceInfo => !!a && a.family === 'IPv4' && !a.internal)
    .map((a) => a.address)
}

function showWindow(): void {
  if (!win || win.isDestroyed()) win = openWindow()
  if (win.isMinimized()) win.restore()
  win.show()
  win.focus()
}

function openWindow(): BrowserWindow {
  const created = createMainWindow(__dirname, iconPath)
  // Closing the window keeps Switchboard in the tray, so messages still notify.
  created.on('close', (event) => {
    if (!quitting) {
      event.preventDefault()
      created.hide()
    }
  })
  return created
}

function handleLink(link: DeepLink | null): void {
  if (!link) return
  if (!controller) {
    pendingLink = link
    return
  }
  if (link.kind === 'conversation') controller.openConversation(link.conversationId)
  else controller.requestJoin(link.url)
}

function registerDeepLinkScheme(): void {
  // In development the app runs as `electron .`: the protocol must name the script too.
  if (process.defaultApp && process.argv[1]) app.setAsDefaultProtocolClient(PROTOCOL, process.execPath, [path.resolve(process.argv[1])])
  else app.setAsDefaultProtocolClient(PROTOCOL)
}

async function ready(): Promise<void> {
  const userData = app.getPath('userData')
  const settings = new SettingsStore(path.join(userData, 'settings.json'))
  controller = new DesktopController({
    settings,
    vault: new TokenVault(safeStorage, path.join(userData, 'session.json')),
    userDataDir: userData,
    spawnServer,
    migrationsDir,
    discovery: { browse: () => browse(), advertise: (server) => advertise(server) },
    lanAddresses,
    hostName: () => os.hostname(),
    version: app.getVersion(),
    openExternal: async (url) => {
      if (isWebUrl(url)) await shell.openExternal(url)
    },
    notify: ({ title, body, onClick, messageId }) => {
      if (!Notification.isSupported()) return
      const notification = new Notification({ title, body, icon: iconPath })
      notification.on('click', onClick)
      notification.on('close', () => shownNotifications.forget(messageId, notification))
      shownNotifications.add(messageId, notification)
      notification.show()
    },
    closeNotification: (messageId) => void shownNotifications.close(messageId),
    send: (channel, payload) => {
      if (win && !win.isDestroyed()) win.webContents.send(channel, payload)
    },
    windowFocused: () => !!win && !win.isDestroyed() && win.isVisible() && win.isFocused(),
    showWindow,
    setBadge: (count) => {
      app.setBadgeCount(count)
      tray?.setUnread(count)
    },
    log: { info: (m, e) => console.log(m, e ?? ''), warn: (m, e) => console.warn(m, e ?? '') },
  })
  const control = controller
  const csp = (): string => rendererCsp(control.serverOrigin)
  hardenSession(session.defaultSession, csp)
  const { root } = rendererLocation(__dirname)
  if (root) protocol.handle(APP_SCHEME, (request) => serveAppFile(root, request, csp()))
  registerIpcHandlers(ipcMain, control.handlers, (frame) => isTrustedFrame(win, frame, __dirname))
  Menu.setApplicationMenu(Menu.buildFromTemplate(applicationMenu(process.platform, !app.isPackaged)))
  win = openWindow()
  tray = new AppTray(trayIconPath, {
    show: showWindow,
    quit: () => app.quit(),
    doNotDisturb: () => settings.get().do_not_disturb,
    setDoNotDisturb: (on) => void control.handlers.setPreferences({ do_not_disturb: on }),
  })
  powerMonitor.on('resume', () => control.resync())
  await control.start()
  const link = pendingLink
  pendingLink = null
  handleLink(link)
}

export function main(): void {
  if (!app.requestSingleInstanceLock()) {
    app.quit()
    return
  }
  if (process.platform === 'win32') app.setAppUserModelId(APP_USER_MODEL_ID)
  registerDeepLinkScheme()
  // Must happen before ready: app:// gets an origin, secure context and fetch like https.
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: APP_SCHEME_PRIVILEGES }])
  app.on('second-instance', (_event, argv) => {
    showWindow()
    handleLink(deepLinkFromArgv(argv))
  })
  app.on('open-url', (event, url) => {
    event.preventDefault()
    handleLink(parseDeepLink(url))
  })
  const location = rendererLocation(__dirname)
  app.on('web-contents-created', (_event, contents) => {
    hardenWebContents(contents, { isAppUrl: (url) => isAppUrl(location, url), openExternal: (url) => void shell.openExternal(url) })
  })
  app.on('before-quit', (event) => {
    if (quitting || !controller) return
    // Let the embedded server finish its writes before the app goes.
    event.preventDefault()
    quitting = true
    void controller.stop().finally(() => app.quit())
  })
  app.on('activate', showWindow)
  app.whenReady().then(ready, (error: unknown) => {
    console.error('Switchboard failed to start', error)
    app.quit()
  })
}

main()
