// What the services need from a database for the hot paths, and nothing about how an engine does it.
// Each engine's implementations (db/sqlite: prepared statements; db/prisma: Prisma, for PostgreSQL)
// answer exactly alike: test/server/db-ports.test.ts holds them to one contract.
import type { ConversationDto, MessageDto } from '../../shared/dto'

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
}

/** The ids a stored message got; attachment ids in the order the attachments were given. */
export interface StoredMessage {
  message_id: number
  attachment_ids: number[]
}

export interface ClientKey {
  sender_id: number
  client_id: string
}

/**
 * The hot path of sending: one transaction per batch. `existing` finds client_ids already stored
 * (retries), in the order asked, only for the keys asked; `insert` stores the batch, bumps the
 * conversations, and returns the new ids in order.
 */
export interface MessageWriter {
  existing(keys: ClientKey[]): Promise<(ClientKey & { message_id: number })[]>
  insert(messages: NewMessage[], at: Date): Promise<StoredMessage[]>
}

/** The inbox and the history behind it. */
export interface InboxReader {
  /** The user's conversations, newest activity first (ties: higher id first), each with its latest message. */
  list(userId: number): Promise<ConversationDto[]>
  /** Up to `limit` messages of a conversation below `before` (all when absent), ascending by message_id. */
  page(conversationId: number, before: number | undefined, limit: number): Promise<MessageDto[]>
}

/** One engine's implementations, chosen together when the database opens. */
export interface DatabasePorts {
  writer: MessageWriter
  inbox: InboxReader
}
