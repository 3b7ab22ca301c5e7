// What the desktop app does for the renderer: choose to host (HostManager) or join a server, sign in,
// and forward chat operations to ChatClient; events come back to the window, to native notifications
// and to the badge. Electron reaches it only through the dependencies it is given, so it runs (and is
// tested) in Node.
import { createHash } from 'node:crypto'
import path from 'node:path'
import { ChatClient, type ChatClientOptions } from '../client/chat-client'
import { chatOperations, forwardClientEvents } from '../client/chat-operations'
import { FileStore } from './file-store'
import { auth, HttpApi } from '../client/http'
import type { MessageDto } from '../shared/dto'
import { eventChannel } from '../shared/ipc'
import type { ConnectionStatus, Credentials, DiscoveredServer, Preferences, Registration, ServerSetup, SessionInfo } from '../shared/messenger-api'
import { AppError } from '../shared/result'
import type { Advertisement } from './discovery'
import type { SpawnServer } from './host'
import { HostManager } from './host-manager'
import type { MessengerHandlers } from './ipc'
import { notificationContent, UnreadCounts } from './notifications'
import type { SettingsStore } from './settings'
import type { TokenVault } from './token-vault'

export interface ControllerDeps {
  settings: SettingsStore
  vault: TokenVault
  /** The app's data folder: the embedded server's data and the outbox live under it. */
  userDataDir: string
  spawnServer: SpawnServer
  migrationsDir?: string
  discovery: { browse(): Promise<DiscoveredServer[]>; advertise(server: { name: string; port: number; version: string }): Advertisement }
  /** This computer's LAN addresses (IPv4, not internal). */
  lanAddresses(): string[]
  hostName(): string
  version: string
  openExternal(url: string): Promise<void>
  /** Shows a native notification for a message; clicking it calls `onClick`. */
  notify(notification: { title: string; body: string; onClick(): void; messageId: number }): void
  /** Takes back the notification shown for a message (it was deleted for everyone), where the platform allows. */
  closeNotification?(messageId: number): void
  /** Sends an event to the window, if there is one. */
  send(channel: string, payload: unknown): void
  windowFocused(): boolean
  /** Brings the window to the front (a notification was clicked). */
  showWindow(): void
  setBadge(count: number): void
  log: { info(message: string, extra?: object): void; warn(message: string, extra?: object): void }
  fetch?: typeof fetch
  /** socket.io-client's `io`, replaceable in tests. */
  io?: ChatClientOptions['io']
}

export class DesktopController {
  private readonly hosting: HostManager
  private serverUrl: string | null = null
  private client: ChatClient | null = null
  private session: SessionInfo | null = null
  private activeConversationId: number | null = null
  private readonly unread = new UnreadCounts()
  private starting: Promise<void> = Promise.resolve()

  constructor(private readonly deps: ControllerDeps) {
    this.hosting = new HostManager({
      spawnServer: deps.spawnServer,
      dataDir: path.join(deps.userDataDir, 'server'),
      ...(deps.migrationsDir ? { migrationsDir: deps.migrationsDir } : {}),
      preferences: () => {
        const settings = deps.settings.get()
        return { port: settings.host_port, name: settings.host_name }
      },
      advertise: (server) => deps.discovery.advertise(server),
      lanAddresses: () => deps.lanAddresses(),
      hostName: () => deps.hostName(),
      version: deps.version,
      log: deps.log,
    })
    this.hosting.events.on('restarted', (url) => {
      this.switchServer(url).catch((error: unknown) => deps.log.warn('restart failed', { error: String(error) }))
    })
  }

  /** Restores the last set-up and session. Nothing set up yet: host on this computer, the app's default. */
  start(): Promise<void> {
    this.starting = this.restore()
    return this.starting
  }

  private async restore(): Promise<void> {
    const settings = await this.deps.settings.load()
    if (settings.mode === 'join' && settings.join_url) this.serverUrl = settings.join_url
    else {
      await this.startHost(settings.mode === 'host' && settings.lan)
      if (settings.mode === null) await this.deps.settings.update({ mode: 'host', lan: false })
    }
    const saved = await this.deps.vault.load()
    if (saved && saved.server_url === this.serverUrl) {
      try {
        const user = await new HttpApi(saved.server_url, saved.token, this.deps.fetch).me()
        await this.openSession(saved.server_url, saved.token, user)
      } catch (error) {
        this.deps.log.warn('saved session not restored', { error: String(error) })
      }
    }
  }

  async stop(): Promise<void> {
    // Quitting while still starting: let the start finish, so no server process is left behind.
    await this.starting.catch(() => {})
    await this.client?.close()
    await this.hosting.close()
  }

  /** After the computer wakes: fresh connection, catch-up, outbox. */
  resync(): void {
    this.client?.resync()
  }

  /** The server the renderer may talk to (the CSP's connect-src). */
  get serverOrigin(): string | null {
    return this.serverUrl
  }

  /** A switchboard://join link was opened: the inbox offers to join. */
  requestJoin(url: string): void {
    this.deps.showWindow()
    this.deps.send(eventChannel('join_requested'), url)
  }

  /** A notification was clicked or a link opened: show that conversation. */
  openConversation(conversationId: number): void {
    this.deps.showWindow()
    this.deps.send(eventChannel('open_conversation'), conversationId)
  }

  private readonly chat = chatOperations(() => this.requireSession())

  readonly handlers: MessengerHandlers = {
    getSetup: async () => this.setup(),
    hostServer: async ({ lan }) => {
      await this.startHost(lan)
      await this.deps.settings.update({ mode: 'host', lan })
      return this.setup()
    },
    joinServer: async (url) => {
      const origin = new URL(url).origin
      const health = await (this.deps.fetch ?? fetch)(`${origin}/api/health`).then((r) => r.ok, () => false)
      if (!health) throw new AppError('unavailable', `No Switchboard server answers at ${origin}.`)
      await this.hosting.stop()
      await this.switchServer(origin)
      await this.deps.settings.update({ mode: 'join', join_url: origin })
      return this.setup()
    },
    discoverServers: () => this.deps.discovery.browse(),
    getSession: async () => this.session,
    register: async (registration: Registration) => this.signIn(() => auth.register(this.requireServer(), registration, this.deps.fetch)),
    login: async (credentials: Credentials) => this.signIn(() => auth.login(this.requireServer(), credentials, this.deps.fetch)),
    logout: async () => {
      await this.closeSession()
      await this.deps.vault.clear()
    },
    ...this.chat,
    listConversations: async () => {
      const conversations = await this.chat.listConversations()
      this.unread.reset(conversations)
      this.updateBadge()
      return conversations
    },
    updateConversation: async (conversationId, changes) => {
      const conversation = await this.chat.updateConversation(conversationId, changes)
      this.unread.describe(conversation)
      this.updateBadge()
      return conversation
    },
    markAsRead: async (messageId, conversationId) => {
      await this.chat.markAsRead(messageId, conversationId)
      this.unread.read(conversationId)
      this.updateBadge()
    },
    getStatus: async () => this.client?.status ?? ({ state: 'offline', pending: 0, failed: 0 } satisfies ConnectionStatus),
    setActiveConversation: async (conversationId) => {
      this.activeConversationId = conversationId
    },
    getPreferences: async () => this.preferences(),
    setPreferences: async (changes) => {
      await this.deps.settings.update({ ...(changes.do_not_disturb === undefined ? {} : { do_not_disturb: changes.do_not_disturb }) })
      return this.preferences()
    },
    openExternal: (url) => this.deps.openExternal(url),
  }

  private preferences(): Preferences {
    return { do_not_disturb: this.deps.settings.get().do_not_disturb }
  }

  private setup(): ServerSetup {
    const settings = this.deps.settings.get()
    return { mode: settings.mode, lan: settings.lan, server_url: this.serverUrl, lan_urls: settings.mode === 'host' ? this.hosting.lanUrls() : [] }
  }

  private requireServer(): string {
    if (!this.serverUrl) throw new AppError('bad_request', 'Choose to host a server or join one first.')
    return this.serverUrl
  }

  private requireSession(): { client: ChatClient; user: SessionInfo['user'] } {
    if (!this.client || !this.session) throw new AppError('unauthorized', 'Sign in first.')
    return { client: this.client, user: this.session.user }
  }

  private async signIn(call: () => Promise<{ token: string; user: SessionInfo['user'] }>): Promise<SessionInfo> {
    const serverUrl = this.requireServer()
    const { token, user } = await call()
    const status = await this.deps.vault.save({ server_url: serverUrl, token })
    if (status.warning) this.deps.log.warn(status.warning)
    await this.openSession(serverUrl, token, user)
    return this.session!
  }

  private async openSession(serverUrl: string, token: string, user: SessionInfo['user']): Promise<void> {
    await this.closeSession()
    const key = createHash('sha256').update(`${serverUrl}|${user.user_id}`).digest('hex').slice(0, 16)
    const client = await ChatClient.open({
      url: serverUrl,
      token,
      user,
      store: new FileStore(path.join(this.deps.userDataDir, 'outbox', `${key}.json`)),
      ...(this.deps.fetch ? { fetch: this.deps.fetch } : {}),
      ...(this.deps.io ? { io: this.deps.io } : {}),
    })
    this.client = client
    this.session = { server_url: serverUrl, user }
    forwardClientEvents(client, (event, payload) => this.deps.send(eventChannel(event), payload))
    client.on('new_message', (message) => this.onIncoming(message))
    client.on('conversation_updated', (conversation) => this.unread.describe(conversation))
    // Deleted for everyone: its text must not stay on screen. Edits and reactions never notify.
    client.on('message_deleted', (message) => this.deps.closeNotification?.(message.message_id))
    client.on('session_ended', () => void this.closeSession().then(() => this.deps.vault.clear()))
    client.connect()
  }

  private onIncoming(message: MessageDto): void {
    const session = this.session
    if (!session) return
    // The window counts as in front only when focused: a visible window the user is not looking at still notifies.
    const wants = this.unread.receive(message, {
      userId: session.user.user_id,
      activeConversationId: this.activeConversationId,
      windowShown: this.deps.windowFocused(),
      doNotDisturb: this.deps.settings.get().do_not_disturb,
    })
    if (wants.badge) this.updateBadge()
    if (wants.notify) {
      this.deps.notify({
        ...notificationContent(message, this.unread.titleOf(message.conversation_id)),
        messageId: message.message_id,
        onClick: () => this.openConversation(message.conversation_id),
      })
    }
  }

  private updateBadge(): void {
    this.deps.setBadge(this.unread.total)
  }

  private async closeSession(): Promise<void> {
    await this.client?.close()
    this.client = null
    this.session = null
    this.unread.clear()
    this.updateBadge()
  }

  /** A different server means a different account: sign out of the old one. */
  private async switchServer(url: string): Promise<void> {
    if (this.serverUrl === url) return
    this.serverUrl = url
    if (this.session && this.session.server_url !== url) {
      await this.closeSession()
      await this.deps.vault.clear()
    }
  }

  private async startHost(lan: boolean): Promise<void> {
    await this.switchServer(await this.hosting.start(lan))
  }
}
