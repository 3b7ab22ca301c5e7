// The IPC channels behind the MessengerApi, one per operation, namespaced like VS Code's `vscode:`.
// No zod here: the sandboxed preload bundles this file and should stay tiny.
import type { ServerToClientEvents } from './events'
import type { AppEventName, AppEvents, MessengerApi } from './messenger-api'
import type { Result } from './result'

type Methods = Omit<MessengerApi, 'on'>

export type InvokeMethod = keyof Methods

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
  createGroup: 'chat:create-group',
  updateConversation: 'chat:update-conversation',
  addMembers: 'chat:add-members',
  removeMember: 'chat:remove-member',
  setMemberRole: 'chat:set-member-role',
  getReads: 'chat:get-reads',
  getMessages: 'chat:get-messages',
  searchMessages: 'chat:search-messages',
  sendMessage: 'chat:send',
  editMessage: 'chat:edit-message',
  deleteMessage: 'chat:delete-message',
  react: 'chat:react',
  getMessageVersions: 'chat:get-message-versions',
  getPendingActions: 'chat:get-pending-actions',
  retryAction: 'chat:retry-action',
  discardAction: 'chat:discard-action',
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

/** Every app event, by name (the record makes the compiler insist on each one). */
const APP_EVENT_NAMES = {
  new_message: true,
  message_read: true,
  read_state: true,
  conversation_updated: true,
  message_updated: true,
  message_deleted: true,
  reaction_updated: true,
  typing: true,
  presence: true,
  user_joined: true,
  user_left: true,
  outbox: true,
  pending_actions: true,
  status: true,
  session_ended: true,
  open_conversation: true,
  join_requested: true,
} as const satisfies Record<AppEventName, true>

export const APP_EVENTS = Object.keys(APP_EVENT_NAMES) as AppEventName[]

export function isAppEvent(name: unknown): name is AppEventName {
  return typeof name === 'string' && Object.hasOwn(APP_EVENT_NAMES, name)
}

/** Main → renderer: `webContents.send(eventChannel(event), payload)`, the event's own name under `event:`. */
export function eventChannel<E extends AppEventName>(event: E): `event:${E}` {
  return `event:${event}`
}

// An event the socket and the app share carries the same payload in both: a compile error otherwise.
type SharedWithSocket = Extract<keyof ServerToClientEvents, AppEventName>
type SamePayload = { [K in SharedWithSocket]: [Parameters<ServerToClientEvents[K]>[0]] extends [AppEvents[K]] ? true : false }
export const socketPayloadsAgree: false extends SamePayload[SharedWithSocket] ? never : true = true

// Every invoke answers a Result: errors cross the boundary as values (only an Error's message would
// survive it), and messengerFromBridge throws them again as AppErrors in the renderer.
type Invokers = { [K in InvokeMethod]: Methods[K] extends (...args: infer A) => Promise<infer R> ? (...args: A) => Promise<Result<R>> : never }

/** What the preload exposes as window.messenger: the invoke methods answer Results, `on` as in the API. */
export type MessengerBridge = Invokers & Pick<MessengerApi, 'on'>
