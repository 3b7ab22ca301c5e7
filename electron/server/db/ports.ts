// What the services need from a database for the hot paths, and nothing about how an engine does it.
// Each engine's implementations (db/sqlite: prepared statements; db/prisma: Prisma, for PostgreSQL)
// answer exactly alike: test/server/db-ports.test.ts holds them to one contract.
import type { ConversationDto, MemberRole, MessageDto, SystemEventDto } from '../../shared/dto'

export interface NewAttachment {
  file_url: string
  file_name: string
  file_type: string
  size: number
}

/** A message to store, with its attachments (already resolved to the sender's own uploads). */
export interface NewMessage {
  conversation_id: number
  sender_id: number
  content: string
  client_id: string | null
  attachments: NewAttachment[]
  /** The server's own notices only. */
  system?: SystemEventDto | undefined
  /** A message of the same conversation this one replies to (checked by the caller). */
  reply_to_id?: number | null | undefined
}

/** What an edit found inside its transaction: done (with its position), or why not. */
export type EditOutcome = { seq: number } | 'unchanged' | 'deleted' | 'too_many'
/** A deletion: done, with the files its attachments named (to forget unless still used), or done before. */
export type DeleteOutcome = { seq: number; file_urls: string[] } | 'already'
/** A reaction added or taken back: done, or nothing to do, or the message is deleted. */
export type ReactOutcome = { seq: number } | 'unchanged' | 'deleted'


/** The ids a stored message got, attachment ids in the order the attachments were given, and its position in the change feed. */
export interface StoredMessage {
  message_id: number
  attachment_ids: number[]
  seq: number
}

/** A reader's read position moving up to a message. */
export interface ReadMove {
  conversation_id: number
  user_id: number
  message_id: number
  at: Date
}

export interface ClientKey {
  sender_id: number
  client_id: string
}

/** A row of ConversationParticipant, current or removed. */
export interface MemberRow {
  user_id: number
  role: MemberRole
  joined_at: Date
  removed_at: Date | null
}

/**
 * What a change of a group may do inside its transaction. Each engine implements these few steps;
 * the rules (who may, who becomes owner, what the notice says) live once, in services/groups.ts.
 */
export interface GroupTx {
  kind(conversationId: number): Promise<string | null>
  /** Every row of the conversation, current and removed, by joined_at then user_id. */
  members(conversationId: number): Promise<MemberRow[]>
  createGroup(title: string, at: Date): Promise<number>
  setTitle(conversationId: number, title: string): Promise<void>
  /** Adds people not in it now, or brings removed ones back; they have read everything stored before they came. */
  addMembers(conversationId: number, userIds: number[], role: MemberRole, at: Date): Promise<void>
  setRole(conversationId: number, userId: number, role: MemberRole): Promise<void>
  /**
   * Marks a member removed (they see the history up to their visible_until, set next). Messages that
   * only they had left unread become read: `is_read` counts the current members.
   */
  removeMember(conversationId: number, userId: number, at: Date): Promise<void>
  setVisibleUntil(conversationId: number, userIds: number[], messageId: number): Promise<void>
  /** Stores a notice and bumps the conversation, as a send would. */
  insertNotice(notice: NewMessage, at: Date): Promise<StoredMessage>
  /**
   * Gives the conversation the next position in the change feed (its title, members or roles
   * changed), and the same to the rows of those this change removed (what a removed member's
   * catch-up goes by); returns it.
   */
  touch(conversationId: number, removed: number[]): Promise<number>
}

/**
 * Every write a client mirrors, each in one transaction that takes its positions in the change feed
 * (ChangeFeed.seq) as it commits, so positions commit in order: no reader ever sees n+1 without n.
 * `existing` finds client_ids already stored (retries), in the order asked, only for the keys asked;
 * `insert` stores a batch of sends, bumps the conversations, and returns the new ids in order, with
 * null for a message whose sender is no longer a member of its conversation (removed while the send
 * waited): nothing is stored for it, and it takes no position. `changeGroup` runs a group's change in
 * one transaction, ordered with the inserts (it takes the same lock); `work` may use only the GroupTx
 * it is given. `markRead` moves a reader's position up (never back), records the receipt and settles
 * `is_read` (a message is read once every current member but its sender has read up to it); it
 * returns the position the move took, or null when the reader had read that far already.
 */
export interface MessageWriter {
  existing(keys: ClientKey[]): Promise<(ClientKey & { message_id: number })[]>
  insert(messages: NewMessage[], at: Date): Promise<(StoredMessage | null)[]>
  changeGroup<T>(work: (tx: GroupTx) => Promise<T>): Promise<T>
  markRead(move: ReadMove): Promise<number | null>
  /**
   * Replaces a message's text, keeping the one it had as a version: not when it is deleted, already
   * says that, or has `maxEdits` versions. (Who may edit, and until when, the caller decides.)
   */
  edit(edit: { message_id: number; content: string; at: Date; maxEdits: number }): Promise<EditOutcome>
  /** Deletes a message for everyone: a tombstone without text, attachments, versions or reactions. */
  remove(messageId: number, at: Date): Promise<DeleteOutcome>
  /** Adds (`on`) or takes back one person's emoji on a message that is not deleted. */
  react(reaction: { message_id: number; user_id: number; emoji: string; on: boolean; at: Date }): Promise<ReactOutcome>
  /** The last position taken: where a node starts delivering from. */
  position(): Promise<number>
}

/** The inbox and the history behind it. */
export interface InboxReader {
  /**
   * The user's conversations, newest activity first (ties: higher id first), each with its latest
   * message. A group the user was removed from stays, as it was up to their removal.
   */
  list(userId: number): Promise<ConversationDto[]>
  /** One conversation of the list, or null when the user has never been in it. */
  one(userId: number, conversationId: number): Promise<ConversationDto | null>
  /** Up to `limit` messages of a conversation below `before` (all when absent), ascending by message_id; callers cap `before` for a removed member. */
  page(conversationId: number, before: number | undefined, limit: number): Promise<MessageDto[]>
  /** Up to `limit` messages of a conversation above `after`, ascending by message_id (the later half of a page around a message). */
  after(conversationId: number, after: number, limit: number): Promise<MessageDto[]>
}

/** A message search as the index runs it; what the terms mean: electron/shared/search-text.ts. */
export interface SearchFilter {
  /** Who searches: only messages of their conversations (a removed member's up to their removal). */
  user_id: number
  /** Texts each of which the message's index text must contain (SearchTerm.needle). */
  needles: string[]
  conversation_id?: number | undefined
  sender_id?: number | undefined
  /** Sent strictly before / after. */
  before?: Date | undefined
  after?: Date | undefined
  has_attachment?: boolean | undefined
  /** Only messages with a lower id: the page after one that ended there. */
  below?: number | undefined
  /** Only messages with a higher id (an engine searching the newest stretch first). */
  above?: number | undefined
  limit: number
}

/** The search index: kept by the writer in each write's transaction, read here. */
export interface SearchIndex {
  /** Ids of the messages that match, newest (highest id) first, at most `limit`; never a deleted one. */
  find(filter: SearchFilter): Promise<number[]>
}

/** One engine's implementations, chosen together when the database opens. */
export interface DatabasePorts {
  writer: MessageWriter
  inbox: InboxReader
  search: SearchIndex
}
