// The MessengerApi: everything the renderer may ask of the app. The desktop app implements it in the
// main process behind the preload bridge (window.messenger); the web client implements it in the page
// over ChatClient. The renderer talks to nothing else.
import type { ConversationDto, ConversationUpdateDto, MemberRole, MessageDto, MessageReadDto, MessageVersionDto, ReactionUpdateDto, ReadReceiptDto, ReadStateDto, SearchPageDto, UploadedFileDto, UserDto } from './dto'
import type { PresenceEvent, TypingEvent, UserJoinedEvent, UserLeftEvent } from './events'
import type { ErrorInfo } from './result'

export type ServerMode = 'host' | 'join'

/** Who is signed in where. */
export interface SessionInfo {
  server_url: string
  user: UserDto
}

/** A server announced on the LAN over mDNS (`_switchboard._tcp`). */
export interface DiscoveredServer {
  name: string
  url: string
  /** The host's addresses, as announced. */
  addresses: string[]
}

/** How the desktop app reaches its server; the web client is always "join" its own origin. */
export interface ServerSetup {
  mode: ServerMode | null
  /** Host mode: whether the embedded server is shared on the LAN (else only this computer). */
  lan: boolean
  /** The URL the app talks to, once set up. */
  server_url: string | null
  /** Host mode shared on the LAN: the addresses others can join. */
  lan_urls: string[]
}

export type ConnectionState = 'connecting' | 'online' | 'offline'

export interface ConnectionStatus {
  state: ConnectionState
  /** Sends waiting for the server. */
  pending: number
  /** Sends the server refused; the user may retry or discard them. */
  failed: number
}

/** A message not yet acknowledged by the server (shown as "sending…" or "failed"). */
export interface PendingMessageDto {
  client_id: string
  conversation_id: number
  content: string
  attachments?: { file_url: string; file_name?: string | undefined; file_type?: string | undefined }[] | undefined
  /** The message it replies to. */
  reply_to_id?: number | undefined
  /** When the user sent it (local clock, ISO 8601). */
  queued_at: string
  /** pending: will be (re)sent; failed: the server refused it for good, the user may retry or discard. */
  state: 'pending' | 'failed'
  error?: ErrorInfo | undefined
  attempts: number
}

/**
 * An edit, deletion or reaction not yet acknowledged by the server: queued while offline and sent in
 * order once connected, each applied once however often it is resent (an edit to the text the message
 * already has, a deletion of a deleted message, a reaction already there, change nothing).
 */
export interface PendingActionDto {
  action_id: string
  kind: 'edit' | 'delete' | 'react' | 'unreact'
  message_id: number
  conversation_id: number
  /** edit: the new text. */
  content?: string | undefined
  /** react, unreact: the emoji. */
  emoji?: string | undefined
  queued_at: string
  /** pending: will be (re)sent; failed: the server refused it for good (the window passed, the message was deleted…). */
  state: 'pending' | 'failed'
  error?: ErrorInfo | undefined
  attempts: number
}

export interface FileBytes {
  name: string
  type: string
  bytes: Uint8Array
}

export interface Credentials {
  username: string
  password: string
}

export interface Registration extends Credentials {
  display_name?: string | undefined
}

export interface Preferences {
  do_not_disturb: boolean
}

type Unsubscribe = () => void

/**
 * The app's events, each under one name from the socket to the renderer: the server emits
 * `new_message`, ChatClient emits `new_message`, main sends it on the IPC channel `event:new_message`,
 * and the inbox listens with `messenger.on('new_message', …)`. The socket's events keep the seed's
 * names; the others are named the same way.
 */
export type AppEvents = {
  /**
   * Each new message once, whether it came live, by catch-up, or as the answer to our own send; as it
   * is when first handed on (one sent and edited while the client was away comes edited).
   */
  new_message: MessageDto
  /** A message was read; every earlier message from the same sender in that conversation is read too. */
  message_read: MessageReadDto
  /** Where a participant had read up to, learned at catch-up (the user's own too: read on another device). */
  read_state: ReadStateDto
  /** A group's title, members or roles changed (also to whoever was removed: they are no longer among its participants). */
  conversation_updated: ConversationUpdateDto
  /**
   * A message changed: the whole message as it is now (text, edited_at, reactions, reply_to), to apply
   * as a replacement. Live: an edit. By catch-up: any change (edits, reactions) of a message handed on
   * before or older than the client's start, which may be one not loaded (ignore it) or repeat a state
   * already had.
   */
  message_updated: MessageDto
  /** A message was deleted for everyone: its tombstone, live or by catch-up; by catch-up it may be one never handed on (sent and deleted while away). */
  message_deleted: MessageDto
  /** A message's reactions changed (live only: a catch-up carries reactions in message_updated). */
  reaction_updated: ReactionUpdateDto
  typing: TypingEvent
  presence: PresenceEvent
  user_joined: UserJoinedEvent
  user_left: UserLeftEvent
  /** The outbox changed (queued, sent, failed, retried, discarded). */
  outbox: PendingMessageDto[]
  /**
   * The queue of edits, deletions and reactions changed. An action leaving it does not change the
   * message: its effect comes as message_updated / message_deleted / reaction_updated.
   */
  pending_actions: PendingActionDto[]
  status: ConnectionStatus
  /** The server refused the token: sign in again. */
  session_ended: ErrorInfo
  /** The app asks the inbox to open a conversation (a notification was clicked, a link was opened). */
  open_conversation: number
  /** A switchboard://join link was opened: offer to join this server. */
  join_requested: string
}

export type AppEventName = keyof AppEvents

/** A message search: the text, optional filters, and the last page's `next_cursor` for the next. */
export interface SearchParams {
  q: string
  conversationId?: number | undefined
  senderId?: number | undefined
  /** ISO 8601 instants: sent before / after. */
  before?: string | undefined
  after?: string | undefined
  hasAttachment?: boolean | undefined
  order?: 'newest' | 'relevance' | undefined
  limit?: number | undefined
  cursor?: string | undefined
}

/** Every method's promise rejects with an AppError (electron/shared/result.ts), in the desktop app and the web client alike. */
export interface MessengerApi {
  // Server set-up (the desktop app's first run; the web client answers with its own origin).
  getSetup(): Promise<ServerSetup>
  hostServer(options: { lan: boolean }): Promise<ServerSetup>
  joinServer(url: string): Promise<ServerSetup>
  discoverServers(): Promise<DiscoveredServer[]>

  // Account
  getSession(): Promise<SessionInfo | null>
  register(registration: Registration): Promise<SessionInfo>
  login(credentials: Credentials): Promise<SessionInfo>
  logout(): Promise<void>

  // Conversations and messages
  listConversations(): Promise<ConversationDto[]>
  searchUsers(query: string): Promise<UserDto[]>
  startConversation(userId: number): Promise<ConversationDto>
  /** A new group with these people; the user is its owner. */
  createGroup(title: string, memberIds: number[]): Promise<ConversationDto>
  /** Renames a group (owner, admins) and/or mutes a conversation for the user. */
  updateConversation(conversationId: number, changes: { title?: string | undefined; muted?: boolean | undefined }): Promise<ConversationDto>
  addMembers(conversationId: number, userIds: number[]): Promise<ConversationDto>
  /** Removes someone (owner, admins), or leaves when it is the user. */
  removeMember(conversationId: number, userId: number): Promise<ConversationDto>
  setMemberRole(conversationId: number, userId: number, role: MemberRole): Promise<ConversationDto>
  /** Who has read a message, and when ("Seen by"). */
  getReads(messageId: number): Promise<ReadReceiptDto[]>
  /** A page of history: the latest, the one `before` a message, or the one `around` a message (a reply's quote was clicked). */
  getMessages(conversationId: number, page?: { before?: number | undefined; around?: number | undefined; limit?: number | undefined }): Promise<MessageDto[]>
  /** Messages the user may read that hold every term of `q` (GET /api/search), newest first unless `order` is relevance. */
  searchMessages(search: SearchParams): Promise<SearchPageDto>
  sendMessage(conversationId: number, content: string, attachments?: UploadedFileDto[], options?: { replyToId?: number | undefined }): Promise<PendingMessageDto>
  /** Edits one of the user's messages (queued while offline). */
  editMessage(messageId: number, conversationId: number, content: string): Promise<PendingActionDto>
  /** Deletes a message for everyone: the user's own, or any in a group the user administers (queued while offline). */
  deleteMessage(messageId: number, conversationId: number): Promise<PendingActionDto>
  /** Adds (`on`) or takes back the user's reaction with this emoji (queued while offline). */
  react(messageId: number, conversationId: number, emoji: string, on: boolean): Promise<PendingActionDto>
  /** The earlier versions of an edited message, oldest first. */
  getMessageVersions(messageId: number): Promise<MessageVersionDto[]>
  getPendingActions(): Promise<PendingActionDto[]>
  retryAction(actionId: string): Promise<void>
  discardAction(actionId: string): Promise<void>
  retrySend(clientId: string): Promise<void>
  discardSend(clientId: string): Promise<void>
  getOutbox(): Promise<PendingMessageDto[]>
  markAsRead(messageId: number, conversationId: number): Promise<void>
  joinConversation(conversationId: number): Promise<number[]>
  leaveConversation(conversationId: number): Promise<void>
  setTyping(conversationId: number, isTyping: boolean): Promise<void>
  getOnlineUsers(userIds: number[]): Promise<number[]>
  getStatus(): Promise<ConnectionStatus>
  uploadFile(file: FileBytes): Promise<UploadedFileDto>
  getFile(fileUrl: string): Promise<FileBytes>

  // What the user looks at (the desktop app notifies only for conversations not in view)
  setActiveConversation(conversationId: number | null): Promise<void>
  getPreferences(): Promise<Preferences>
  setPreferences(preferences: Partial<Preferences>): Promise<Preferences>
  openExternal(url: string): Promise<void>

  /** Listens to one of the app's events; returns its unsubscribe. */
  on<E extends AppEventName>(event: E, listener: (payload: AppEvents[E]) => void): Unsubscribe
}

