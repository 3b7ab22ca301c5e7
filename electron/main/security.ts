// Electron's security checklist (the window's webPreferences are in window.ts): a strict CSP, no
// navigation, no new windows, no permissions but notifications, external links only when safe.
import type { Session, WebContents } from 'electron'
import { isWebUrl } from '../shared/web-url'

const ALLOWED_PERMISSIONS = new Set(['notifications'])

export function hardenSession(session: Session, csp: () => string): void {
  session.setPermissionRequestHandler((_contents, permission, callback) => callback(ALLOWED_PERMISSIONS.has(permission)))
  session.setPermissionCheckHandler((_contents, permission) => ALLOWED_PERMISSIONS.has(permission))
  // The CSP rides on every response the app loads (the pages carry none of their own).
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [csp()] } })
  })
}

export function hardenWebContents(contents: WebContents, options: { isAppUrl(url: string): boolean; openExternal(url: string): void }): void {
  contents.on('will-navigate', (event, url) => {
    if (!options.isAppUrl(url)) event.preventDefault()
  })
  contents.on('will-redirect', (event, url) => {
    if (!options.isAppUrl(url)) event.preventDefault()
  })
  contents.on('will-attach-webview', (event) => event.preventDefault())
  contents.setWindowOpenHandler(({ url }) => {
    if (isWebUrl(url)) options.openExternal(url)
    return { action: 'deny' }
  })
}
