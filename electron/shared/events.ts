// The Socket.IO contract, typed once for the server and every client.
import type { ConversationUpdateDto, MessageDto, MessageReadDto, ReactionUpdateDto, ReadStateDto } from './dto'
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

/**
 * A catch-up page. Asked `after_message_id` (the seed's way): messages stored after it, ascending by
 * id, and where each other participant has read up to. Asked `after_seq` (a position in the change
 * feed): every change after it that the caller may see, compacted (each message, read position and
 * group once, as it is now), ascending by position; `position` is where the next page starts.
 */
export interface SyncResult {
  /** New, edited, deleted (tombstones) and reacted-to messages. */
  messages: MessageDto[]
  /** More waits: ask again after the last message (after_message_id) or after `position` (after_seq). */
  has_more: boolean
  /** after_message_id: every other participant's read position. after_seq: those that moved, the caller's own included. */
  read_states: ReadStateDto[]
  /** after_seq only: groups whose title, members or roles changed (a removed member's: as at their removal). */
  conversations?: ConversationUpdateDto[]
  /**
   * after_seq: the position this page reaches; the next starts after it. after_message_id: the
   * position the feed stood at before this page was read (a client moving from message ids to
   * positions goes on from the first page's: nothing after it is missed).
   */
  position?: number
}

/** Where a live change stands in the change feed: the second argument of every event that tells of one. */
export interface FeedPosition {
  seq: number
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

/**
 * Events that tell of a change carry its position as a second argument (older clients ignore it):
 * a socket gets them in position order, so the last position it got is where a catch-up resumes.
 */
export interface ServerToClientEvents {
  new_message(message: MessageDto, at?: FeedPosition): void
  /** The message that was read; every earlier message from the same sender counts as read too. */
  message_read(message: MessageReadDto, at?: FeedPosition): void
  /** A message was edited (its new text, edited_at); the whole message as it is now. */
  message_updated(message: MessageDto, at?: FeedPosition): void
  /** A message was deleted for everyone: its tombstone. */
  message_deleted(message: MessageDto, at?: FeedPosition): void
  /** A message's reactions changed. */
  reaction_updated(update: ReactionUpdateDto, at?: FeedPosition): void
  user_joined(event: UserJoinedEvent): void
  user_left(event: UserLeftEvent): void
  typing(event: TypingEvent): void
  presence(event: PresenceEvent): void
  /** A group's title, members or roles changed: to every member's own room, and to whoever was removed. */
  conversation_updated(conversation: ConversationUpdateDto, at?: FeedPosition): void
  /**
   * Changes may have been missed: a node died (what it stored in its last moments may never have been
   * broadcast), or this node never heard of a position. Clients that keep a position sync again from
   * it (from `after_seq` if that is lower); older clients from where they were `window_ms` ago.
   */
  resync(event: ResyncEvent): void
}

export interface ResyncEvent {
  window_ms: number
  /** The position before the first change this node skipped: sync from here at the latest. */
  after_seq?: number
}

/** Room names, so server and tests agree. */
export const rooms = {
  conversation: (conversationId: number): string => `conversation:${conversationId}`,
  user: (userId: number): string => `user:${userId}`,
}
