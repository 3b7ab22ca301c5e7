import path from 'node:path'
import { BrowserWindow, type WebFrameMain } from 'electron'
import { secureWebPreferences } from './security'

/** Where the renderer comes from: electron-vite's dev server, or the built files inside the app. */
export function rendererLocation(mainDir: string, devUrl = process.env.ELECTRON_RENDERER_URL): { url: string; file: string | null } {
  if (devUrl) return { url: devUrl, file: null }
  const file = path.join(mainDir, '../renderer/index.html')
  return { url: new URL(`file://${file}`).href, file }
}

export function isAppUrl(location: { url: string; file: string | null }, url: string): boolean {
  try {
    const target = new URL(url)
    const app = new URL(location.url)
    return location.file ? target.protocol === 'file:' && target.pathname === app.pathname : target.origin === app.origin
  } catch {
    return false
  }
}

export function createMainWindow(mainDir: string, iconPath: string): BrowserWindow {
  const location = rendererLocation(mainDir)
  const win = new BrowserWindow({
    width: 1100,
    height: 720,
    minWidth: 360,
    minHeight: 480,
    show: false,
    title: 'Switchboard',
    icon: iconPath,
    autoHideMenuBar: process.platform !== 'darwin',
    webPreferences: secureWebPreferences(path.join(mainDir, '../preload/index.js')),
  })
  win.once('ready-to-show', () => win.show())
  if (location.file) void win.loadFile(location.file)
  else void win.loadURL(location.url)
  return win
}

/** IPC is answered only for the app's own top-level page in its own window. */
export function isTrustedFrame(win: BrowserWindow | null, frame: WebFrameMain | null, mainDir: string): boolean {
  if (!win || !frame || win.isDestroyed()) return false
  return frame === win.webContents.mainFrame && isAppUrl(rendererLocation(mainDir), frame.url)
}
