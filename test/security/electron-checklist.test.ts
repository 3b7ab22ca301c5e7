// Electron's security checklist (https://www.electronjs.org/docs/latest/tutorial/security), item by
// item, as it applies to Switchboard. Runtime behaviour is asserted in test/desktop; this file is the
// map, and checks what only the sources and the packaging config can tell.
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { APP_SCHEME_PRIVILEGES, isAppUrl, rendererLocation } from '../../electron/main/app-protocol'
import { isSafeExternalUrl } from '../../electron/main/security'
import { rendererCsp } from '../../electron/shared/csp'
import { mainWindowPreferences } from '../desktop/window-preferences'

const ROOT = path.resolve(__dirname, '../..')
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8')
const sources = (dir: string): { file: string; text: string }[] =>
  readdirSync(path.join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .map((f) => ({ file: path.join(dir, f), text: read(path.join(dir, f)) }))
const shell = [...sources('electron/main'), ...sources('electron/preload')]
const occurrences = (pattern: RegExp) => shell.filter((s) => pattern.test(s.text)).map((s) => s.file.replaceAll('\\', '/'))
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
    // One BrowserWindow in the code base (a lint rule refuses `new BrowserWindow` elsewhere), and it takes these preferences.
  })

  it('5. permission requests: only notifications are granted', () => {
    expect(read('electron/main/security.ts')).toMatch(/ALLOWED_PERMISSIONS = new Set\(\['notifications'\]\)/)
  })

  it('6, 8, 9, 10. webSecurity on; no insecure content, experimental features or Blink features', () => {
    expect(prefs).toMatchObject({ webSecurity: true, allowRunningInsecureContent: false, experimentalFeatures: false })
    expect(prefs).not.toHaveProperty('enableBlinkFeatures')
    expect(occurrences(/enableBlinkFeatures|allowRunningInsecureContent:\s*true|webSecurity:\s*false/)).toEqual([])
  })

  it('7. a strict Content Security Policy on every response', () => {
    for (const directive of ["default-src 'none'", "object-src 'none'", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'"]) expect(csp).toContain(directive)
    expect(csp).not.toMatch(/unsafe-eval|script-src[^;]*unsafe-inline/)
    expect(read('electron/main/index.ts')).toMatch(/hardenSession\(session\.defaultSession, csp\)/)
    expect(read('electron/main/app-protocol.ts')).toContain("'Content-Security-Policy': csp")
  })

  it('11–12. no <webview>: the tag is off and attaching one is refused', () => {
    expect(prefs.webviewTag).toBe(false)
    expect(read('electron/main/security.ts')).toContain("contents.on('will-attach-webview', (event) => event.preventDefault())")
  })

  it('13–14. navigation and new windows are limited, for every web contents created', () => {
    expect(read('electron/main/index.ts')).toMatch(/app\.on\('web-contents-created'[\s\S]*hardenWebContents\(contents/)
    const built = rendererLocation('/opt/app/out/main', '')
    expect(isAppUrl(built, 'https://example.com/')).toBe(false)
  })

  it('15. shell.openExternal only for validated http(s) links', () => {
    for (const s of shell.filter((f) => f.text.includes('shell.openExternal('))) {
      // Every call site sits behind isSafeExternalUrl (directly, or through hardenWebContents' window-open handler).
      const calls = s.text.split('shell.openExternal(').length - 1
      const guarded = (s.text.match(/isSafeExternalUrl\(url\)\)\s*await shell\.openExternal\(/g) ?? []).length + (s.text.match(/openExternal: \(url\) => void shell\.openExternal\(url\)/g) ?? []).length
      expect(guarded, s.file).toBe(calls)
    }
    expect(read('electron/main/security.ts')).toMatch(/if \(isSafeExternalUrl\(url\)\) options\.openExternal\(url\)/)
    expect(isSafeExternalUrl('file:///etc/passwd')).toBe(false)
  })

  it('16. a current Electron', () => {
    const version = JSON.parse(read('package.json')).devDependencies.electron as string
    expect(Number(version.replace(/^\D*/, '').split('.')[0])).toBeGreaterThanOrEqual(45)
  })

  it('17. every IPC message has its sender checked: handlers are registered in one place only', () => {
    expect(occurrences(/ipcMain\.(handle|on)\(|\.handle\(channel/)).toEqual(['electron/main/ipc.ts'])
    expect(read('electron/main/ipc.ts')).toMatch(/isTrustedFrame\(event\.senderFrame\)/)
  })

  it('18. no file://: the renderer comes over a privileged app:// scheme', () => {
    expect(rendererLocation('/opt/app/out/main', '').url).toBe('app://switchboard/index.html')
    expect(APP_SCHEME_PRIVILEGES).toMatchObject({ standard: true, secure: true })
    expect(occurrences(/loadFile\(/)).toEqual([])
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
    const preload = read('electron/preload/index.ts')
    expect(preload.match(/exposeInMainWorld\(/g)).toHaveLength(1)
    expect(preload).toMatch(/exposeInMainWorld\('messenger'/)
    expect(preload).not.toMatch(/exposeInMainWorld\([^,]+,\s*(ipcRenderer|require|process)\b/)
    // What buildBridge returns (functions only, frozen) is asserted in test/desktop/preload.test.ts.
  })
})
