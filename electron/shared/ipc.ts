// The IPC channels behind the MessengerApi, one per operation, namespaced like VS Code's `vscode:`.
// No zod here: the sandboxed preload bundles this file and should stay tiny.
import type { MessengerApi } from './messenger-api'
import type { Result } from './result'

type Methods = { [K in keyof MessengerApi as K extends `on${string}` ? never : K]: MessengerApi[K] }
type Listeners = { [K in keyof MessengerApi as K extends `on${string}` ? K : never]: MessengerApi[K] }

export type InvokeMethod = keyof Methods
export type EventMethod = keyof Listeners

/** Renderer → main, answered: `ipcRenderer.invoke(channel, ...args)`. */
export const INVOKE_CHANNELS = {
  getSetup: 'setup:get',
  hostServer: 'setup:host',
  joinServer: 'setup:join',
  discoverServers: 'setup:discover',
  getSession: 'session:get',
  register: 'session:register',
  login: 'session:login',
  logout: 'session:logout',
  listConversations: 'chat:list-conversations',
  searchUsers: 'chat:search-users',
  startConversation: 'chat:start-conversation',
  getMessages: 'chat:get-messages',
  sendMessage: 'chat:send',
  retrySend: 'chat:retry-send',
  discardSend: 'chat:discard-send',
  getOutbox: 'chat:get-outbox',
  markAsRead: 'chat:mark-read',
  joinConversation: 'chat:join',
  leaveConversation: 'chat:leave',
  setTyping: 'chat:typing',
  getOnlineUsers: 'chat:online-users',
  getStatus: 'chat:status',
  uploadFile: 'files:upload',
  getFile: 'files:get',
  setActiveConversation: 'ui:active-conversation',
  getPreferences: 'prefs:get',
  setPreferences: 'prefs:set',
  openExternal: 'ui:open-external',
} as const satisfies Record<InvokeMethod, string>

/** Main → renderer: `webContents.send(channel, payload)`. */
export const EVENT_CHANNELS = {
  onMessage: 'event:message',
  onRead: 'event:read',
  onReadState: 'event:read-state',
  onTyping: 'event:typing',
  onPresence: 'event:presence',
  onUserJoined: 'event:user-joined',
  onUserLeft: 'event:user-left',
  onOutbox: 'event:outbox',
  onStatus: 'event:status',
  onSessionEnded: 'event:session-ended',
  onOpenConversation: 'event:open-conversation',
  onJoinRequested: 'event:join-requested',
} as const satisfies Record<EventMethod, string>

/** Every listener method of the MessengerApi (onMessage, onRead, …). */
export const EVENT_METHODS = Object.keys(EVENT_CHANNELS) as EventMethod[]

/** The MessengerApi's listener methods, each made by `listen(method)`. */
export function listenerMethods(listen: (method: EventMethod) => (listener: (payload: never) => void) => () => void): Pick<MessengerApi, EventMethod> {
  return Object.fromEntries(EVENT_METHODS.map((method) => [method, listen(method)])) as unknown as Pick<MessengerApi, EventMethod>
}

// Every invoke answers a Result: errors cross the boundary as values (only an Error's message would
// survive it), and messengerFromBridge throws them again as AppErrors in the renderer.
type Invokers = { [K in InvokeMethod]: Methods[K] extends (...args: infer A) => Promise<infer R> ? (...args: A) => Promise<Result<R>> : never }

/** What the preload exposes as window.messenger: the invoke methods answer Results, listeners as in the API. */
export type MessengerBridge = Invokers & Listeners
