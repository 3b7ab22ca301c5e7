// The inbox list on SQLite, in five indexed queries whatever the number of conversations: Prisma 7
// spends 25-50 µs of JavaScript per row read, which made a 1,000-conversation inbox take ~130 ms.
import Database from 'better-sqlite3'
import type { AttachmentDto, ConversationDto, MessageDto, UserDto } from '../../shared/dto'

export interface InboxReader {
  list(userId: number): ConversationDto[]
  /** A page of a conversation's history, ascending; `before` pages backwards by message_id. */
  page(conversationId: number, before: number | undefined, limit: number): MessageDto[]
}

const iso = (value: string | number): string => new Date(value).toISOString()

type MessageRow = Omit<MessageDto, 'sender' | 'attachments' | 'is_read' | 'created_at'> & { is_read: number; created_at: string; username: string; display_name: string }

function toMessage(m: MessageRow, attachments: AttachmentDto[]): MessageDto {
  return {
    message_id: m.message_id,
    conversation_id: m.conversation_id,
    sender_id: m.sender_id,
    content: m.content,
    created_at: iso(m.created_at),
    is_read: m.is_read === 1,
    client_id: m.client_id,
    sender: { user_id: m.sender_id, username: m.username, display_name: m.display_name },
    attachments,
  }
}

const MESSAGE_COLUMNS = 'm.message_id, m.conversation_id, m.sender_id, m.content, m.created_at, m.is_read, m.client_id, u.username, u.display_name'

export class SqliteInboxReader implements InboxReader {
  private readonly db: Database.Database
  private readonly conversations: Database.Statement<[number], { conversation_id: number; created_at: string; updated_at: string }>
  private readonly participants: Database.Statement<[number], UserDto & { conversation_id: number }>
  private readonly latest: Database.Statement<[number], MessageRow>
  private readonly pageRows: Database.Statement<[number, number, number], MessageRow>
  private readonly pageAttachments: Database.Statement<[number, number, number], AttachmentDto>
  private readonly attachments: Database.Statement<[number], AttachmentDto>
  private readonly unread: Database.Statement<[number, number], { conversation_id: number; n: number }>

  constructor(file: string) {
    this.db = new Database(file, { readonly: true })
    this.db.pragma('busy_timeout = 5000')
    this.conversations = this.db.prepare(`
      SELECT c.conversation_id, c.created_at, c.updated_at
      FROM ConversationParticipant p JOIN Conversation c ON c.conversation_id = p.conversation_id
      WHERE p.user_id = ?`)
    this.participants = this.db.prepare(`
      SELECT o.conversation_id, u.user_id, u.username, u.display_name
      FROM ConversationParticipant p
      JOIN ConversationParticipant o ON o.conversation_id = p.conversation_id
      JOIN User u ON u.user_id = o.user_id
      WHERE p.user_id = ? ORDER BY o.user_id`)
    const latestOfMine = `
      SELECT (SELECT MAX(m.message_id) FROM Message m WHERE m.conversation_id = p.conversation_id) AS message_id
      FROM ConversationParticipant p WHERE p.user_id = ?`
    this.latest = this.db.prepare(`
      SELECT ${MESSAGE_COLUMNS}
      FROM (${latestOfMine}) l JOIN Message m ON m.message_id = l.message_id JOIN User u ON u.user_id = m.sender_id`)
    const pageIds = 'SELECT message_id FROM Message WHERE conversation_id = ? AND message_id < ? ORDER BY message_id DESC LIMIT ?'
    this.pageRows = this.db.prepare(`
      SELECT ${MESSAGE_COLUMNS} FROM Message m JOIN User u ON u.user_id = m.sender_id
      WHERE m.conversation_id = ? AND m.message_id < ? ORDER BY m.message_id DESC LIMIT ?`)
    this.pageAttachments = this.db.prepare(`
      SELECT a.attachment_id, a.message_id, a.file_url, a.file_name, a.file_type, a.size
      FROM MessageAttachment a WHERE a.message_id IN (${pageIds}) ORDER BY a.attachment_id`)
    this.attachments = this.db.prepare(`
      SELECT a.attachment_id, a.message_id, a.file_url, a.file_name, a.file_type, a.size
      FROM (${latestOfMine}) l JOIN MessageAttachment a ON a.message_id = l.message_id ORDER BY a.attachment_id`)
    this.unread = this.db.prepare(`
      SELECT m.conversation_id, COUNT(*) AS n
      FROM ConversationParticipant p JOIN Message m ON m.conversation_id = p.conversation_id AND m.is_read = 0 AND m.sender_id <> ?
      WHERE p.user_id = ? GROUP BY m.conversation_id`)
  }

  list(userId: number): ConversationDto[] {
    const people = new Map<number, UserDto[]>()
    for (const { conversation_id, ...user } of this.participants.all(userId)) people.set(conversation_id, [...(people.get(conversation_id) ?? []), user])
    const files = new Map<number, AttachmentDto[]>()
    for (const a of this.attachments.all(userId)) files.set(a.message_id, [...(files.get(a.message_id) ?? []), a])
    const latest = new Map<number, MessageDto>()
    for (const m of this.latest.all(userId)) latest.set(m.conversation_id, toMessage(m, files.get(m.message_id) ?? []))
    const unread = new Map(this.unread.all(userId, userId).map((r) => [r.conversation_id, r.n]))
    return this.conversations
      .all(userId)
      .map((c) => ({ ...c, created_at: iso(c.created_at), updated_at: iso(c.updated_at) }))
      .sort((a, b) => b.updated_at.localeCompare(a.updated_at) || b.conversation_id - a.conversation_id)
      .map((c) => ({
        conversation_id: c.conversation_id,
        created_at: c.created_at,
        updated_at: c.updated_at,
        participants: people.get(c.conversation_id) ?? [],
        messages: latest.has(c.conversation_id) ? [latest.get(c.conversation_id)!] : [],
        unread_count: unread.get(c.conversation_id) ?? 0,
      }))
  }

  page(conversationId: number, before: number | undefined, limit: number): MessageDto[] {
    const below = before ?? Number.MAX_SAFE_INTEGER
    const files = new Map<number, AttachmentDto[]>()
    for (const a of this.pageAttachments.all(conversationId, below, limit)) files.set(a.message_id, [...(files.get(a.message_id) ?? []), a])
    return this.pageRows
      .all(conversationId, below, limit)
      .reverse()
      .map((m) => toMessage(m, files.get(m.message_id) ?? []))
  }

  close(): void {
    this.db.close()
  }
}
