// Database rows to wire shapes. Every answer and event that carries a message goes through here,
// whichever engine read it: an implementation first normalises its rows to these types (SQLite's raw
// rows carry 0/1 for booleans and text for timestamps; Prisma's already match).
import type { AttachmentDto, ConversationDto, ConversationKind, ConversationUpdateDto, MemberRole, MessageDto, ParticipantDto, ReactionDto, ReplyToDto, SystemEventDto, UserDto } from '../../shared/dto'
import { LIMITS } from '../../shared/limits'
import { quoteOf } from '../../shared/replies'

export interface MessageRow {
  message_id: number
  conversation_id: number
  sender_id: number
  content: string
  created_at: Date
  is_read: boolean
  client_id: string | null
  sender: UserDto
  attachments: AttachmentDto[]
  /** JSON of a SystemEventDto on the server's notices. */
  system: string | null
  /** The message replied to, as it is now. */
  reply_to: ReplyRow | null
  edited_at: Date | null
  deleted_at: Date | null
  /** Every reaction, ordered by created_at, then user_id, then emoji. */
  reactions: ReactionRow[]
}

export interface ReplyRow {
  message_id: number
  content: string
  deleted_at: Date | null
  sender: UserDto
}

export interface ReactionRow {
  emoji: string
  user_id: number
}

export interface ParticipantRow extends UserDto {
  role: string
  joined_at: Date
}

export interface ConversationRow {
  conversation_id: number
  kind: string
  title: string | null
  created_at: Date
  updated_at: Date
  /** The current members, ascending by user_id. */
  participants: ParticipantRow[]
  /** The caller's own setting. */
  muted: boolean
}

export const toUserDto = (u: UserDto): UserDto => ({ user_id: u.user_id, username: u.username, display_name: u.display_name })

export const toAttachmentDto = (a: AttachmentDto): AttachmentDto => ({
  attachment_id: a.attachment_id,
  message_id: a.message_id,
  file_url: a.file_url,
  file_name: a.file_name,
  file_type: a.file_type,
  size: a.size,
})

export function toMessageDto(m: MessageRow): MessageDto {
  return {
    message_id: m.message_id,
    conversation_id: m.conversation_id,
    sender_id: m.sender_id,
    content: m.content,
    created_at: m.created_at.toISOString(),
    is_read: m.is_read,
    client_id: m.client_id,
    sender: toUserDto(m.sender),
    attachments: m.attachments.map(toAttachmentDto),
    system: m.system === null ? null : (JSON.parse(m.system) as SystemEventDto),
    reply_to: m.reply_to ? toReplyToDto(m.reply_to) : null,
    edited_at: m.edited_at?.toISOString() ?? null,
    deleted_at: m.deleted_at?.toISOString() ?? null,
    reactions: toReactionDtos(m.reactions),
  }
}

export const toReplyToDto = (r: ReplyRow): ReplyToDto => quoteOf(r)

/** One entry per emoji, by its first reaction; the count exact, the people capped (LIMITS.reactionUsersShown). */
export function toReactionDtos(rows: ReactionRow[]): ReactionDto[] {
  const byEmoji = new Map<string, ReactionDto>()
  for (const r of rows) {
    const entry = byEmoji.get(r.emoji) ?? { emoji: r.emoji, count: 0, user_ids: [] }
    byEmoji.set(r.emoji, entry)
    entry.count++
    if (entry.user_ids.length < LIMITS.reactionUsersShown) entry.user_ids.push(r.user_id)
  }
  return [...byEmoji.values()]
}

export const toParticipantDto = (p: ParticipantRow): ParticipantDto => ({ ...toUserDto(p), role: p.role as MemberRole, joined_at: p.joined_at.toISOString() })

export function toConversationUpdateDto(c: Omit<ConversationRow, 'muted'>): ConversationUpdateDto {
  return {
    conversation_id: c.conversation_id,
    kind: c.kind as ConversationKind,
    title: c.title,
    created_at: c.created_at.toISOString(),
    updated_at: c.updated_at.toISOString(),
    participants: c.participants.map(toParticipantDto),
  }
}

export function toConversationDto(c: ConversationRow, latest: MessageDto | undefined, unread: number): ConversationDto {
  return {
    ...toConversationUpdateDto(c),
    messages: latest ? [latest] : [],
    unread_count: unread,
    muted: c.muted,
  }
}

/** The inbox: newest activity first, ties broken by the higher conversation id. */
export function toInbox(conversations: ConversationRow[], latest: Map<number, MessageDto>, unread: Map<number, number>): ConversationDto[] {
  return conversations.map((c) => toConversationDto(c, latest.get(c.conversation_id), unread.get(c.conversation_id) ?? 0)).sort(inboxOrder)
}

/** The inbox's order: newest activity first, ties broken by the higher conversation id (ISO times sort as text). */
export const inboxOrder = (a: Pick<ConversationDto, 'updated_at' | 'conversation_id'>, b: Pick<ConversationDto, 'updated_at' | 'conversation_id'>): number =>
  b.updated_at.localeCompare(a.updated_at) || b.conversation_id - a.conversation_id
