// The inbox list on SQLite, in five indexed queries whatever the number of conversations: Prisma 7
// spends 25-50 µs of JavaScript per row read, which made a 1,000-conversation inbox take ~130 ms.
import Database from 'better-sqlite3'
import type { AttachmentDto, ConversationDto, MessageDto } from '../../../shared/dto'
import { toInbox, toMessageDto, type ConversationRow, type ParticipantRow, type ReactionRow } from '../mappers'
import type { InboxReader } from '../ports'

/** A message as SQLite returns it: is_read as 0/1, created_at as text, the sender's columns inline. */
interface RawMessage {
  message_id: number
  conversation_id: number
  sender_id: number
  content: string
  created_at: string | number
  is_read: number
  client_id: string | null
  system: string | null
  username: string
  display_name: string
  reply_to_id: number | null
  edited_at: string | number | null
  deleted_at: string | number | null
  reply_content: string | null
  reply_deleted_at: string | number | null
  reply_sender_id: number | null
  reply_username: string | null
  reply_display_name: string | null
}

const dateOrNull = (value: string | number | null): Date | null => (value === null ? null : new Date(value))

const toMessage = (m: RawMessage, attachments: AttachmentDto[], reactions: ReactionRow[]): MessageDto =>
  toMessageDto({
    message_id: m.message_id,
    conversation_id: m.conversation_id,
    sender_id: m.sender_id,
    content: m.content,
    created_at: new Date(m.created_at),
    is_read: m.is_read === 1,
    client_id: m.client_id,
    system: m.system,
    sender: { user_id: m.sender_id, username: m.username, display_name: m.display_name },
    attachments,
    reply_to:
      m.reply_to_id === null || m.reply_sender_id === null
        ? null
        : {
            message_id: m.reply_to_id,
            content: m.reply_content ?? '',
            deleted_at: dateOrNull(m.reply_deleted_at),
            sender: { user_id: m.reply_sender_id, username: m.reply_username ?? '', display_name: m.reply_display_name ?? '' },
          },
    edited_at: dateOrNull(m.edited_at),
    deleted_at: dateOrNull(m.deleted_at),
    reactions,
  })

const byMessage = (rows: AttachmentDto[]): Map<number, AttachmentDto[]> => {
  const files = new Map<number, AttachmentDto[]>()
  for (const a of rows) {
    const list = files.get(a.message_id)
    if (list) list.push(a)
    else files.set(a.message_id, [a])
  }
  return files
}

const byMessageId = <T extends { message_id: number }>(rows: T[]): Map<number, T[]> => {
  const out = new Map<number, T[]>()
  for (const row of rows) {
    const list = out.get(row.message_id)
    if (list) list.push(row)
    else out.set(row.message_id, [row])
  }
  return out
}

const MESSAGE_COLUMNS = `m.message_id, m.conversation_id, m.sender_id, m.content, m.created_at, m.is_read, m.client_id, m.system, u.username, u.display_name,
  m.reply_to_id, m.edited_at, m.deleted_at, r.content AS reply_content, r.deleted_at AS reply_deleted_at, r.sender_id AS reply_sender_id,
  ru.username AS reply_username, ru.display_name AS reply_display_name`
/** The sender of message m, and the message it replies to with that one's sender. */
const MESSAGE_JOINS = 'JOIN User u ON u.user_id = m.sender_id LEFT JOIN Message r ON r.message_id = m.reply_to_id LEFT JOIN User ru ON ru.user_id = r.sender_id'
/** Reactions in the order the mapper expects. */
const REACTION_ORDER = 'ORDER BY x.created_at, x.user_id, x.emoji'
type RawReaction = ReactionRow & { message_id: number }

/** Which of the user's conversations: all (`only` null) or one. */
interface Mine {
  user: number
  only: number | null
}

interface RawConversation {
  conversation_id: number
  kind: string
  title: string | null
  created_at: string | number
  updated_at: string | number
  muted: number
}

type RawParticipant = Omit<ParticipantRow, 'joined_at'> & { conversation_id: number; joined_at: string | number }

const MINE = 'p.user_id = @user AND (@only IS NULL OR p.conversation_id = @only)'

export class SqliteInboxReader implements InboxReader {
  private readonly db: Database.Database
  private readonly conversations: Database.Statement<Mine, RawConversation>
  private readonly participants: Database.Statement<Mine, RawParticipant>
  private readonly latest: Database.Statement<Mine, RawMessage>
  private readonly pageRows: Database.Statement<[number, number, number], RawMessage>
  private readonly pageAttachments: Database.Statement<[number, number, number], AttachmentDto>
  private readonly pageReactions: Database.Statement<[number, number, number], RawReaction>
  private readonly afterRows: Database.Statement<[number, number, number], RawMessage>
  private readonly afterAttachments: Database.Statement<[number, number, number], AttachmentDto>
  private readonly afterReactions: Database.Statement<[number, number, number], RawReaction>
  private readonly attachments: Database.Statement<Mine, AttachmentDto>
  private readonly reactions: Database.Statement<Mine, RawReaction>
  private readonly unread: Database.Statement<Mine, { conversation_id: number; n: number }>

  constructor(file: string) {
    this.db = new Database(file, { readonly: true })
    this.db.pragma('busy_timeout = 5000')
    this.conversations = this.db.prepare(`
      SELECT c.conversation_id, c.kind, c.title, c.created_at, c.updated_at, p.muted
      FROM ConversationParticipant p JOIN Conversation c ON c.conversation_id = p.conversation_id
      WHERE ${MINE}`)
    this.participants = this.db.prepare(`
      SELECT o.conversation_id, u.user_id, u.username, u.display_name, o.role, o.joined_at
      FROM ConversationParticipant p
      JOIN ConversationParticipant o ON o.conversation_id = p.conversation_id AND o.removed_at IS NULL
      JOIN User u ON u.user_id = o.user_id
      WHERE ${MINE} ORDER BY o.user_id`)
    // A removed member's latest is the notice of their removal (visible_until).
    const latestOfMine = `
      SELECT COALESCE(p.visible_until, (SELECT MAX(m.message_id) FROM Message m WHERE m.conversation_id = p.conversation_id)) AS message_id
      FROM ConversationParticipant p WHERE ${MINE}`
    this.latest = this.db.prepare(`
      SELECT ${MESSAGE_COLUMNS}
      FROM (${latestOfMine}) l JOIN Message m ON m.message_id = l.message_id ${MESSAGE_JOINS}`)
    const attachmentsOf = (ids: string) => `
      SELECT a.attachment_id, a.message_id, a.file_url, a.file_name, a.file_type, a.size
      FROM MessageAttachment a WHERE a.message_id IN (${ids}) ORDER BY a.attachment_id`
    const reactionsOf = (ids: string) => `SELECT x.message_id, x.emoji, x.user_id FROM Reaction x WHERE x.message_id IN (${ids}) ${REACTION_ORDER}`
    const pageIds = 'SELECT message_id FROM Message WHERE conversation_id = ? AND message_id < ? ORDER BY message_id DESC LIMIT ?'
    this.pageRows = this.db.prepare(`
      SELECT ${MESSAGE_COLUMNS} FROM Message m ${MESSAGE_JOINS}
      WHERE m.conversation_id = ? AND m.message_id < ? ORDER BY m.message_id DESC LIMIT ?`)
    this.pageAttachments = this.db.prepare(attachmentsOf(pageIds))
    this.pageReactions = this.db.prepare(reactionsOf(pageIds))
    const afterIds = 'SELECT message_id FROM Message WHERE conversation_id = ? AND message_id > ? ORDER BY message_id LIMIT ?'
    this.afterRows = this.db.prepare(`
      SELECT ${MESSAGE_COLUMNS} FROM Message m ${MESSAGE_JOINS}
      WHERE m.conversation_id = ? AND m.message_id > ? ORDER BY m.message_id LIMIT ?`)
    this.afterAttachments = this.db.prepare(attachmentsOf(afterIds))
    this.afterReactions = this.db.prepare(reactionsOf(afterIds))
    this.attachments = this.db.prepare(`
      SELECT a.attachment_id, a.message_id, a.file_url, a.file_name, a.file_type, a.size
      FROM (${latestOfMine}) l JOIN MessageAttachment a ON a.message_id = l.message_id ORDER BY a.attachment_id`)
    this.reactions = this.db.prepare(`
      SELECT x.message_id, x.emoji, x.user_id FROM (${latestOfMine}) l JOIN Reaction x ON x.message_id = l.message_id ${REACTION_ORDER}`)
    // One-to-one: the seed's is_read flag. Groups: after the member's own read position (is_read
    // there means everyone has read it), up to their removal, and never the server's notices.
    this.unread = this.db.prepare(`
      SELECT m.conversation_id, COUNT(*) AS n
      FROM ConversationParticipant p
      JOIN Conversation c ON c.conversation_id = p.conversation_id AND c.kind = 'direct'
      JOIN Message m ON m.conversation_id = p.conversation_id AND m.is_read = 0 AND m.sender_id <> @user
      WHERE ${MINE} GROUP BY m.conversation_id
      UNION ALL
      SELECT m.conversation_id, COUNT(*) AS n
      FROM ConversationParticipant p
      JOIN Conversation c ON c.conversation_id = p.conversation_id AND c.kind = 'group'
      JOIN Message m ON m.conversation_id = p.conversation_id
        AND m.message_id > COALESCE(p.last_read_message_id, 0) AND m.message_id <= COALESCE(p.visible_until, ${Number.MAX_SAFE_INTEGER})
        AND m.sender_id <> @user AND m.system IS NULL
      WHERE ${MINE} GROUP BY m.conversation_id`)
  }

  async list(userId: number): Promise<ConversationDto[]> {
    return this.read({ user: userId, only: null })
  }

  async one(userId: number, conversationId: number): Promise<ConversationDto | null> {
    return (await this.read({ user: userId, only: conversationId }))[0] ?? null
  }

  private read(mine: Mine): ConversationDto[] {
    const people = new Map<number, ParticipantRow[]>()
    for (const { conversation_id, joined_at, ...user } of this.participants.all(mine)) {
      people.set(conversation_id, [...(people.get(conversation_id) ?? []), { ...user, joined_at: new Date(joined_at) }])
    }
    const files = byMessage(this.attachments.all(mine))
    const reactions = byMessageId(this.reactions.all(mine))
    const latest = new Map<number, MessageDto>()
    for (const m of this.latest.all(mine)) latest.set(m.conversation_id, toMessage(m, files.get(m.message_id) ?? [], reactions.get(m.message_id) ?? []))
    const unread = new Map(this.unread.all(mine).map((r) => [r.conversation_id, r.n]))
    const conversations: ConversationRow[] = this.conversations.all(mine).map((c) => ({
      conversation_id: c.conversation_id,
      kind: c.kind,
      title: c.title,
      created_at: new Date(c.created_at),
      updated_at: new Date(c.updated_at),
      participants: people.get(c.conversation_id) ?? [],
      muted: c.muted === 1,
    }))
    return toInbox(conversations, latest, unread)
  }

  async page(conversationId: number, before: number | undefined, limit: number): Promise<MessageDto[]> {
    const below = before ?? Number.MAX_SAFE_INTEGER
    const files = byMessage(this.pageAttachments.all(conversationId, below, limit))
    const reactions = byMessageId(this.pageReactions.all(conversationId, below, limit))
    return this.pageRows
      .all(conversationId, below, limit)
      .reverse()
      .map((m) => toMessage(m, files.get(m.message_id) ?? [], reactions.get(m.message_id) ?? []))
  }

  async after(conversationId: number, after: number, limit: number): Promise<MessageDto[]> {
    const files = byMessage(this.afterAttachments.all(conversationId, after, limit))
    const reactions = byMessageId(this.afterReactions.all(conversationId, after, limit))
    return this.afterRows.all(conversationId, after, limit).map((m) => toMessage(m, files.get(m.message_id) ?? [], reactions.get(m.message_id) ?? []))
  }

  close(): void {
    this.db.close()
  }
}
