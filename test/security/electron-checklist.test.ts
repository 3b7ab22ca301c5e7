// Electron's security checklist (https://www.electronjs.org/docs/latest/tutorial/security), item by
// item, as it applies to Switchboard. This file is the map: each item is asserted here on the real
// objects, or names the runtime test in test/desktop that holds it; what only the sources can tell is a
// lint rule (eslint.config.mjs, shellSyntax), each proven by test/security/layers.test.ts.
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { APP_SCHEME_PRIVILEGES, isAppUrl, rendererLocation } from '../../electron/main/app-protocol'
import { hardenSession } from '../../electron/main/security'
import { buildBridge } from '../../electron/preload/bridge'
import { INVOKE_CHANNELS } from '../../electron/shared/ipc'
import { rendererCsp } from '../../electron/shared/csp'
import { isWebUrl } from '../../electron/shared/web-url'
import { mainWindowPreferences } from '../desktop/window-preferences'

const ROOT = path.resolve(__dirname, '../..')
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8')
// The preferences the app's window is really created with.
const prefs = await mainWindowPreferences()
const csp = rendererCsp('http://192.168.1.5:47300')

describe("Electron's security checklist", () => {
  it('1. only secure content: every script and style comes from the app itself', () => {
    expect(csp).toMatch(/script-src 'self'(;|$)/)
    expect(csp).not.toMatch(/https?:\/\/(?!192\.168\.1\.5:47300)/)
  })

  it('2–4. no Node in the renderer, context isolation, the sandbox', () => {
    expect(prefs).toMatchObject({ nodeIntegration: false, nodeIntegrationInWorker: false, nodeIntegrationInSubFrames: false, contextIsolation: true, sandbox: true })
    // One BrowserWindow in the code base (a lint rule refuses `new BrowserWindow` elsewhere, and a weakened
    // preference anywhere in the shell), and it takes these preferences.
  })

  it('5. permission requests: only notifications are granted', () => {
    // The handlers hardenSession gives a session (main-process.test.ts checks the app gives them to its own).
    let request: (c: unknown, p: string, cb: (ok: boolean) => void) => void = () => {}
    let check: (c: unknown, p: string) => boolean = () => true
    hardenSession({ setPermissionRequestHandler: (h: typeof request) => (request = h), setPermissionCheckHandler: (h: typeof check) => (check = h), webRequest: { onHeadersReceived: () => {} } } as never, () => csp)
    const asked = ['notifications', 'media', 'geolocation', 'clipboard-read', 'openExternal']
    expect(asked.filter((p) => check(null, p))).toEqual(['notifications'])
    expect(asked.filter((p) => {
      let ok = false
      request(null, p, (answer) => (ok = answer))
      return ok
    })).toEqual(['notifications'])
  })

  it('6, 8, 9, 10. webSecurity on; no insecure content, experimental features or Blink features', () => {
    expect(prefs).toMatchObject({ webSecurity: true, allowRunningInsecureContent: false, experimentalFeatures: false })
    expect(prefs).not.toHaveProperty('enableBlinkFeatures')
  })

  it('7. a strict Content Security Policy on every response', () => {
    for (const directive of ["default-src 'none'", "object-src 'none'", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'"]) expect(csp).toContain(directive)
    expect(csp).not.toMatch(/unsafe-eval|script-src[^;]*unsafe-inline/)
    // On every response of the session and of app://: test/desktop/main-process.test.ts ("wires the
    // hardening in") and main-modules.test.ts (serveAppFile).
  })

  it('11–12. no <webview>: the tag is off and attaching one is refused', () => {
    expect(prefs.webviewTag).toBe(false)
    // Attaching one is refused for every web contents: test/desktop/main-process.test.ts ("wires the hardening in").
  })

  it('13–14. navigation and new windows are limited, for every web contents created', () => {
    // Every web contents Electron creates is hardened: test/desktop/main-process.test.ts ("wires the hardening in").
    const built = rendererLocation('/opt/app/out/main', '')
    expect(isAppUrl(built, 'https://example.com/')).toBe(false)
  })

  it('15. shell.openExternal only for validated http(s) links', () => {
    // Called in electron/main/index.ts only (a lint rule), behind isWebUrl (its table: test/shared/web-url.test.ts);
    // a javascript: link refused and a web link opened through the real IPC path: test/desktop/main-process.test.ts.
    expect(isWebUrl('file:///etc/passwd')).toBe(false)
    expect(isWebUrl('https://example.com/help')).toBe(true)
  })

  it('16. a current Electron', () => {
    const version = JSON.parse(read('package.json')).devDependencies.electron as string
    expect(Number(version.replace(/^\D*/, '').split('.')[0])).toBeGreaterThanOrEqual(45)
  })

  it('17. every IPC message has its sender checked: handlers are registered in one place only', () => {
    // ipcMain is called in electron/main/ipc.ts only (a lint rule); a call from another frame is refused
    // there: test/desktop/main-modules.test.ts and main-process.test.ts.
  })

  it('18. no file://: the renderer comes over a privileged app:// scheme', () => {
    expect(rendererLocation('/opt/app/out/main', '').url).toBe('app://switchboard/index.html')
    expect(APP_SCHEME_PRIVILEGES).toMatchObject({ standard: true, secure: true })
    // loadFile appears nowhere in the shell (a lint rule).
  })

  it('19. fuses: run-as-node, NODE_OPTIONS, inspect flags and file:// privileges off; asar only and verified', () => {
    expect(parse(read('electron-builder.yml')).electronFuses).toEqual({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      enableCookieEncryption: true,
      loadBrowserProcessSpecificV8Snapshot: false,
      grantFileProtocolExtraPrivileges: false,
    })
  })

  it('20. no Electron API reaches the page: the preload exposes only window.messenger', () => {
    // The built preload, run as the sandbox runs it, exposes exactly this as window.messenger
    // (test/desktop/build.test.ts); a lint rule refuses any other exposeInMainWorld.
    const bridge = buildBridge({ invoke: async () => ({ ok: true, value: null }), on: () => {}, removeListener: () => {} })
    expect(Object.keys(bridge).sort()).toEqual([...Object.keys(INVOKE_CHANNELS), 'on'].sort())
    expect(Object.values(bridge).every((v) => typeof v === 'function')).toBe(true)
    expect(Object.isFrozen(bridge)).toBe(true)
  })
})
