// The Socket.IO contract, typed once for the server and every client.
import type { ConversationUpdateDto, MessageDto, MessageReadDto, ReadStateDto } from './dto'
import type { AckCallback } from './result'
import type {
  JoinConversationPayload,
  MarkAsReadPayload,
  PresencePayload,
  SendMessagePayload,
  SyncPayload,
  TypingPayload,
} from './schemas'

export interface ActiveUsers {
  activeUsers: number[]
}

export interface SyncResult {
  /** Messages of every conversation of the caller after `after_message_id`, ascending. */
  messages: MessageDto[]
  /** More messages wait: ask again after the last one. */
  has_more: boolean
  /** Where each other participant has read up to, for receipts missed while away. */
  read_states: ReadStateDto[]
}

export interface ClientToServerEvents {
  join_conversation(payload: JoinConversationPayload, ack: AckCallback<ActiveUsers>): void
  leave_conversation(payload: JoinConversationPayload, ack: AckCallback<ActiveUsers>): void
  /** Acked only after the message is stored; `duplicate` when the client_id was seen before. */
  send_message(payload: SendMessagePayload, ack: AckCallback<{ message: MessageDto; duplicate: boolean }>): void
  mark_as_read(payload: MarkAsReadPayload, ack: AckCallback<{ message: MessageDto }>): void
  typing(payload: TypingPayload, ack: AckCallback): void
  /** Catch-up after a reconnect: everything after the last message the client has. */
  sync(payload: SyncPayload, ack: AckCallback<SyncResult>): void
  /** Which of these users are online now. */
  get_presence(payload: PresencePayload, ack: AckCallback<{ online: number[] }>): void
}

export interface UserJoinedEvent extends ActiveUsers {
  user_id: number
  conversation_id: number
}

export interface UserLeftEvent extends ActiveUsers {
  conversation_id: number
  /** Addition: who left. */
  user_id: number
}

export interface TypingEvent {
  conversation_id: number
  user_id: number
  is_typing: boolean
}

export interface PresenceEvent {
  user_id: number
  online: boolean
}

export interface ServerToClientEvents {
  new_message(message: MessageDto): void
  /** The message that was read; every earlier message from the same sender counts as read too. */
  message_read(message: MessageReadDto): void
  user_joined(event: UserJoinedEvent): void
  user_left(event: UserLeftEvent): void
  typing(event: TypingEvent): void
  presence(event: PresenceEvent): void
  /** A group's title, members or roles changed: to every member's own room, and to whoever was removed. */
  conversation_updated(conversation: ConversationUpdateDto): void
  /**
   * A node of the cluster died: messages it stored in its last moments may never have been broadcast.
   * Clients sync again from where they were `window_ms` ago (they drop what they already have).
   */
  resync(event: { window_ms: number }): void
}

/** Room names, so server and tests agree. */
export const rooms = {
  conversation: (conversationId: number): string => `conversation:${conversationId}`,
  user: (userId: number): string => `user:${userId}`,
}
