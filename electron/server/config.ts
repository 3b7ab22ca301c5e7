import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { LIMITS } from '../shared/limits'

export interface RateLimit {
  /** Actions allowed per window. */
  points: number
  windowSeconds: number
}

export interface ServerConfig {
  host: string
  /** 0 picks a free port (tests). */
  port: number
  /** Where the database, the JWT secret and uploaded files live. */
  dataDir: string
  /** The SQL migrations applied at start-up; a packaged app passes its own copy. */
  migrationsDir: string
  /** postgresql://… runs on PostgreSQL (scale-out); null keeps SQLite in the data folder. */
  databaseUrl: string | null
  /** redis://… connects the nodes: Socket.IO adapter on Redis Streams, shared rate limits; null: one node. */
  redisUrl: string | null
  /** Names this deployment's stream and keys in Redis, so several can share one Redis. */
  redisPrefix: string
  /** Uploaded files; `<data>/files` unless set. Nodes of one deployment share one folder. */
  filesDir: string | null
  /** The built renderer, served at `/` as the web client; null serves none. */
  webRoot: string | null
  /** Largest upload in bytes. */
  uploadMaxBytes: number
  /** Largest JSON body or socket frame in bytes. */
  bodyMaxBytes: number
  /** Origins allowed by CORS; empty means no CORS headers at all. */
  corsOrigins: string[]
  sendRate: RateLimit
  /** Failed logins per username and address before the next try must wait. */
  loginFailures: RateLimit
  /** Failed logins per address, whatever the usernames, before the next try must wait. */
  loginFailuresPerAddress: RateLimit
  registerRate: RateLimit
  typingRate: RateLimit
  uploadRate: RateLimit
  /** Group changes per person: create, rename, add, remove, roles. */
  groupRate: RateLimit
  /** Message searches per user (a search reads more than a page of history). */
  searchRate: RateLimit
  tokenTtl: string
  logLevel: string
  /** How long a node waits for a change it has not heard of before its clients catch up instead (several nodes). */
  feedGapMs: number
  /** How long after sending a message its sender may edit it (LIMITS.editWindowMs by default). */
  editWindowMs: number
  /**
   * Whether messages are indexed for search (default true). Off (--search-index off) the writes skip
   * the index and GET /api/search answers 503; the next start with it on rebuilds it. For measuring
   * what the index costs, and for a server that must not keep a second copy of the text.
   */
  searchIndex: boolean
}

/** The repository's migrations; correct when running from source (CLI, tests). */
export const SOURCE_MIGRATIONS_DIR = path.resolve(__dirname, '../../prisma/migrations')

/** PostgreSQL's migrations, derived from the same schema (prisma/postgres). */
export const SOURCE_POSTGRES_MIGRATIONS_DIR = path.resolve(__dirname, '../../prisma/postgres/migrations')

/** The built renderer (`npm run build`): beside the bundle in out/main (and in the packaged app), or out/renderer from source. */
export const BUILT_WEB_ROOT = path.basename(__dirname) === 'main' ? path.resolve(__dirname, '../renderer') : path.resolve(__dirname, '../../out/renderer')

/** Where the platform keeps application data: XDG on Linux, Application Support on macOS, AppData on Windows. */
export function defaultDataDir(env: Record<string, string | undefined> = process.env, platform: NodeJS.Platform = process.platform): string {
  const home = os.homedir()
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'Switchboard Server')
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'Switchboard Server')
  return path.join(env.XDG_DATA_HOME || path.join(home, '.local', 'share'), 'switchboard-server')
}

export function defaultConfig(overrides: Partial<ServerConfig> = {}): ServerConfig {
  return {
    host: '127.0.0.1',
    port: 3000,
    dataDir: defaultDataDir(),
    migrationsDir: SOURCE_MIGRATIONS_DIR,
    databaseUrl: null,
    redisUrl: null,
    redisPrefix: 'switchboard',
    filesDir: null,
    webRoot: BUILT_WEB_ROOT,
    uploadMaxBytes: 25 * 1024 * 1024,
    bodyMaxBytes: 256 * 1024,
    corsOrigins: [],
    sendRate: { points: 60, windowSeconds: 10 },
    loginFailures: { points: 5, windowSeconds: 15 * 60 },
    loginFailuresPerAddress: { points: 20, windowSeconds: 15 * 60 },
    registerRate: { points: 30, windowSeconds: 60 * 60 },
    typingRate: { points: 30, windowSeconds: 10 },
    uploadRate: { points: 30, windowSeconds: 60 },
    groupRate: { points: 60, windowSeconds: 60 },
    searchRate: { points: 120, windowSeconds: 60 },
    feedGapMs: 2_000,
    editWindowMs: LIMITS.editWindowMs,
    searchIndex: true,
    tokenTtl: '30d',
    logLevel: 'info',
    ...overrides,
  }
}

type Env = Record<string, string | undefined>

function portOf(value: string): number {
  const port = Number(value)
  if (!/^\d+$/.test(value) || port > 65535) throw new Error(`Invalid port "${value}": use a number from 0 to 65535.`)
  return port
}

/** "points/seconds", e.g. "60/10": 60 actions per 10 s. */
function rateOf(value: string, name: string): RateLimit {
  const m = /^(\d+)\/(\d+)$/.exec(value)
  if (!m || Number(m[1]) <= 0 || Number(m[2]) <= 0) throw new Error(`Invalid ${name} "${value}": use points/seconds, e.g. 60/10.`)
  return { points: Number(m[1]), windowSeconds: Number(m[2]) }
}

function bytesOf(value: string, name: string): number {
  const n = Number(value)
  if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`Invalid ${name} "${value}": use a number of bytes.`)
  return n
}

/** `--host --port --data` win over SWITCHBOARD_HOST / _PORT / _DATA_DIR, which win over defaults. */
export function configFromCli(argv: string[], env: Env = process.env): ServerConfig {
  const { values } = parseArgs({
    args: argv,
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      data: { type: 'string' },
      'upload-max-bytes': { type: 'string' },
      'cors-origin': { type: 'string', multiple: true },
      'log-level': { type: 'string' },
      migrations: { type: 'string' },
      'send-rate': { type: 'string' },
      'register-rate': { type: 'string' },
      'search-rate': { type: 'string' },
      'web-root': { type: 'string' },
      'database-url': { type: 'string' },
      'redis-url': { type: 'string' },
      'files-dir': { type: 'string' },
      'edit-window-minutes': { type: 'string' },
      'search-index': { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  })
  const overrides: Partial<ServerConfig> = {}
  const host = values.host ?? env.SWITCHBOARD_HOST
  const port = values.port ?? env.SWITCHBOARD_PORT
  const data = values.data ?? env.SWITCHBOARD_DATA_DIR
  const upload = values['upload-max-bytes'] ?? env.SWITCHBOARD_UPLOAD_MAX_BYTES
  const cors = values['cors-origin'] ?? env.SWITCHBOARD_CORS_ORIGINS?.split(',').map((s) => s.trim()).filter(Boolean)
  const logLevel = values['log-level'] ?? env.SWITCHBOARD_LOG_LEVEL
  const migrations = values.migrations ?? env.SWITCHBOARD_MIGRATIONS_DIR
  const sendRate = values['send-rate'] ?? env.SWITCHBOARD_SEND_RATE
  const registerRate = values['register-rate'] ?? env.SWITCHBOARD_REGISTER_RATE
  const searchRate = values['search-rate'] ?? env.SWITCHBOARD_SEARCH_RATE
  const webRoot = values['web-root'] ?? env.SWITCHBOARD_WEB_ROOT
  const databaseUrl = values['database-url'] ?? env.DATABASE_URL
  const redisUrl = values['redis-url'] ?? env.REDIS_URL
  const redisPrefix = env.SWITCHBOARD_REDIS_PREFIX
  const filesDir = values['files-dir'] ?? env.SWITCHBOARD_FILES_DIR
  const editWindow = values['edit-window-minutes'] ?? env.SWITCHBOARD_EDIT_WINDOW_MINUTES
  if (editWindow !== undefined) {
    const minutes = Number(editWindow)
    if (!/^\d{1,7}$/.test(editWindow) || minutes < 0) throw new Error(`Invalid edit window "${editWindow}": use a whole number of minutes (0 turns editing off).`)
    overrides.editWindowMs = minutes * 60_000
  }
  const searchIndex = values['search-index'] ?? env.SWITCHBOARD_SEARCH_INDEX
  if (searchIndex !== undefined) {
    if (searchIndex !== 'on' && searchIndex !== 'off') throw new Error(`Invalid search index setting "${searchIndex}": use on or off.`)
    overrides.searchIndex = searchIndex === 'on'
  }
  if (host) overrides.host = host
  if (port !== undefined) overrides.port = portOf(port)
  if (data) overrides.dataDir = path.resolve(data)
  if (upload) overrides.uploadMaxBytes = bytesOf(upload, 'upload size')
  if (cors) overrides.corsOrigins = cors
  if (logLevel) overrides.logLevel = logLevel
  if (migrations) overrides.migrationsDir = path.resolve(migrations)
  if (sendRate) overrides.sendRate = rateOf(sendRate, 'send rate')
  if (registerRate) overrides.registerRate = rateOf(registerRate, 'register rate')
  if (searchRate) overrides.searchRate = rateOf(searchRate, 'search rate')
  if (webRoot) overrides.webRoot = path.resolve(webRoot)
  if (redisUrl) {
    if (!/^rediss?:\/\//.test(redisUrl)) throw new Error('Invalid Redis URL: use redis://host:port.')
    overrides.redisUrl = redisUrl
    if (redisPrefix) overrides.redisPrefix = redisPrefix
  }
  if (filesDir) overrides.filesDir = path.resolve(filesDir)
  if (databaseUrl) {
    if (!/^postgres(ql)?:\/\//.test(databaseUrl)) throw new Error(`Invalid database URL: use postgresql://user@host:port/database (SQLite needs none).`)
    overrides.databaseUrl = databaseUrl
    // PostgreSQL has its own migrations, unless --migrations names others.
    if (!migrations) overrides.migrationsDir = SOURCE_POSTGRES_MIGRATIONS_DIR
  }
  return defaultConfig(overrides)
}
