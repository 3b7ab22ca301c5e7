// The renderer is served from `app://switchboard/`, a privileged custom scheme, instead of file://:
// a page then has an origin of its own, can read nothing but the built renderer folder, and the
// grantFileProtocolExtraPrivileges fuse can stay off (Electron's security checklist, item 18).
import { readFile } from 'node:fs/promises'
import path from 'node:path'

export const APP_SCHEME = 'app'
export const APP_HOST = 'switchboard'
export const APP_ENTRY_URL = `${APP_SCHEME}://${APP_HOST}/index.html`

export interface RendererLocation {
  /** What the window loads. */
  url: string
  /** The built renderer folder served over app://, or null when electron-vite's dev server serves it. */
  root: string | null
}

/** Where the renderer comes from: electron-vite's dev server, or the built files over app://. */
export function rendererLocation(mainDir: string, devUrl = process.env.ELECTRON_RENDERER_URL): RendererLocation {
  if (devUrl) return { url: devUrl, root: null }
  return { url: APP_ENTRY_URL, root: path.join(mainDir, '../renderer') }
}

export function isAppUrl(location: RendererLocation, url: string): boolean {
  if (location.root) return isAppSchemeUrl(url)
  try {
    return new URL(url).origin === new URL(location.url).origin
  } catch {
    return false
  }
}

/** Passed to protocol.registerSchemesAsPrivileged before the app is ready. */
export const APP_SCHEME_PRIVILEGES = { standard: true, secure: true, supportFetchAPI: true, codeCache: true } as const

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
}

export function isAppSchemeUrl(url: string): boolean {
  try {
    const u = new URL(url)
    return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST
  } catch {
    return false
  }
}

/** The file an app:// URL names inside `root`, or null when it names anything outside it. */
export function appFilePath(root: string, url: string): string | null {
  if (!isAppSchemeUrl(url)) return null
  let relative: string
  try {
    relative = decodeURIComponent(new URL(url).pathname)
  } catch {
    return null
  }
  if (relative.includes('\0')) return null
  if (relative === '/' || relative === '') relative = '/index.html'
  const base = path.resolve(root)
  const file = path.resolve(base, `.${path.posix.normalize(relative.replaceAll('\\', '/'))}`)
  return file.startsWith(base + path.sep) ? file : null
}

/** Answers one app:// request: only GET/HEAD, only known file types, always with the CSP. */
export async function serveAppFile(root: string, request: Request, csp: string): Promise<Response> {
  if (request.method !== 'GET' && request.method !== 'HEAD') return new Response(null, { status: 405 })
  const file = appFilePath(root, request.url)
  const type = file ? CONTENT_TYPES[path.extname(file).toLowerCase()] : undefined
  if (!file || !type) return new Response(null, { status: 404 })
  let body: Buffer
  try {
    body = await readFile(file)
  } catch {
    return new Response(null, { status: 404 })
  }
  return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), {
    headers: {
      'Content-Type': type,
      'Content-Security-Policy': csp,
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-cache',
    },
  })
}
