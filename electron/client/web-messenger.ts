// The MessengerApi for the web client: the same inbox, in a browser, over ChatClient in the page.
// The page comes from the server it talks to, so set-up is fixed ("join" its own origin); the
// session and the outbox live in the browser's storage, so a reload keeps both.
import type { UserDto } from '../shared/dto'
import { Emitter } from '../shared/emitter'
import type { AppEvents, MessengerApi, Preferences, ServerSetup, SessionInfo } from '../shared/messenger-api'
import { AppError, toAppError } from '../shared/result'
import { isWebUrl } from '../shared/web-url'
import { ChatClient, type ChatClientOptions } from './chat-client'
import { chatOperations, forwardClientEvents, type ActiveSession } from './chat-operations'
import { auth, HttpApi } from './http'
import { WebStorageStore, type KeyValueStorage } from './store'

export interface WebMessengerOptions {
  /** The server's origin: the page's own, `location.origin`. */
  origin: string
  /** Where the session, the outbox and preferences are kept: `localStorage`. */
  storage: KeyValueStorage & { removeItem(key: string): void }
  fetch?: typeof fetch
  /** socket.io-client's `io`, replaceable in tests. */
  io?: ChatClientOptions['io']
  /** Opens a link in a new browsing context. */
  openWindow?: (url: string) => void
}

interface StoredSession {
  token: string
  user: UserDto
}

const SESSION_KEY = 'switchboard.session'
const PREFS_KEY = 'switchboard.preferences'

/** Wraps every method so its promise rejects with an AppError, as the desktop bridge's do. */
function typedErrors<T extends object>(api: T): T {
  const wrapped = {} as Record<string, unknown>
  for (const [name, fn] of Object.entries(api)) {
    wrapped[name] =
      name === 'on'
        ? fn
      : async (...args: unknown[]) => {
          try {
            return await (fn as (...a: unknown[]) => unknown)(...args)
          } catch (error) {
            throw toAppError(error)
          }
        }
  }
  return wrapped as T
}

export function createWebMessenger(options: WebMessengerOptions): MessengerApi {
  const { origin, storage } = options
  const events = new Emitter<AppEvents>()
  let active: (ActiveSession & { token: string }) | null = null

  const stored = (): StoredSession | null => {
    try {
      return JSON.parse(storage.getItem(SESSION_KEY) ?? 'null') as StoredSession | null
    } catch {
      return null
    }
  }

  async function open(token: string, user: UserDto): Promise<SessionInfo> {
    await close()
    const client = await ChatClient.open({
      url: origin,
      token,
      user,
      store: new WebStorageStore(storage, `switchboard.outbox.${user.user_id}`),
      ...(options.fetch ? { fetch: options.fetch } : {}),
      ...(options.io ? { io: options.io } : {}),
    })
    active = { client, user, token }
    forwardClientEvents(client, (event, payload) => events.emit(event, payload))
    client.on('session_ended', () => {
      storage.removeItem(SESSION_KEY)
      void close()
    })
    client.connect()
    return { server_url: origin, user }
  }

  async function close(): Promise<void> {
    const closing = active
    active = null
    await closing?.client.close()
  }

  async function signIn(call: Promise<{ token: string; user: UserDto }>): Promise<SessionInfo> {
    const { token, user } = await call
    storage.setItem(SESSION_KEY, JSON.stringify({ token, user } satisfies StoredSession))
    return open(token, user)
  }

  const session = (): ActiveSession => {
    if (!active) throw new AppError('unauthorized', 'Sign in first.')
    return active
  }

  const setup: ServerSetup = { mode: 'join', lan: false, server_url: origin, lan_urls: [] }
  const desktopOnly = async (): Promise<never> => {
    throw new AppError('bad_request', 'Hosting and joining other servers needs the desktop app.')
  }
  const preferences = (): Preferences => {
    try {
      return { do_not_disturb: false, ...(JSON.parse(storage.getItem(PREFS_KEY) ?? '{}') as Partial<Preferences>) }
    } catch {
      return { do_not_disturb: false }
    }
  }

  const api: MessengerApi = {
    getSetup: async () => setup,
    hostServer: desktopOnly,
    joinServer: desktopOnly,
    discoverServers: async () => [],

    getSession: async () => {
      if (active) return { server_url: origin, user: active.user }
      const saved = stored()
      if (!saved) return null
      try {
        const user = await new HttpApi(origin, saved.token, options.fetch).me()
        return await open(saved.token, user)
      } catch (error) {
        if (error instanceof AppError && error.code === 'unauthorized') {
          storage.removeItem(SESSION_KEY)
          return null
        }
        // The server is unreachable: open anyway, so the history on screen and the outbox survive a reload offline.
        return open(saved.token, saved.user)
      }
    },
    register: (registration) => signIn(auth.register(origin, registration, options.fetch)),
    login: (credentials) => signIn(auth.login(origin, credentials, options.fetch)),
    logout: async () => {
      storage.removeItem(SESSION_KEY)
      await close()
    },

    ...chatOperations(session),
    getStatus: async () => active?.client.status ?? { state: 'offline', pending: 0, failed: 0 },

    setActiveConversation: async () => {},
    getPreferences: async () => preferences(),
    setPreferences: async (changes) => {
      const next = { ...preferences(), ...changes }
      storage.setItem(PREFS_KEY, JSON.stringify(next))
      return next
    },
    openExternal: async (url) => {
      if (!isWebUrl(url)) throw new AppError('bad_request', 'Only web links can be opened.')
      options.openWindow?.(new URL(url).href)
    },

    on: (event, listener) => events.on(event, listener),
  }
  return typedErrors(api)
}
