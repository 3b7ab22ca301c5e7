// Database rows to wire shapes. Every answer and event that carries a message goes through here,
// whichever engine read it: an implementation first normalises its rows to these types (SQLite's raw
// rows carry 0/1 for booleans and text for timestamps; Prisma's already match).
import type { AttachmentDto, ConversationDto, MessageDto, UserDto } from '../../shared/dto'

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
}

export interface ConversationRow {
  conversation_id: number
  created_at: Date
  updated_at: Date
  /** Ascending by user_id. */
  participants: UserDto[]
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
  }
}

export function toConversationDto(c: ConversationRow, latest: MessageDto | undefined, unread: number): ConversationDto {
  return {
    conversation_id: c.conversation_id,
    created_at: c.created_at.toISOString(),
    updated_at: c.updated_at.toISOString(),
    participants: c.participants.map(toUserDto),
    messages: latest ? [latest] : [],
    unread_count: unread,
  }
}

/** The inbox: newest activity first, ties broken by the higher conversation id. */
export function toInbox(conversations: ConversationRow[], latest: Map<number, MessageDto>, unread: Map<number, number>): ConversationDto[] {
  return [...conversations]
    .sort((a, b) => b.updated_at.getTime() - a.updated_at.getTime() || b.conversation_id - a.conversation_id)
    .map((c) => toConversationDto(c, latest.get(c.conversation_id), unread.get(c.conversation_id) ?? 0))
}
