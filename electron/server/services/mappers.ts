// Database rows to wire shapes. Every answer and event that carries a message goes through here.
import type { AttachmentDto, ConversationDto, MessageDto, UserDto } from '../../shared/dto'

/** The columns of a user that may leave the server (never password_hash). */
export const userSelect = { user_id: true, username: true, display_name: true } as const

export const messageInclude = {
  sender: { select: userSelect },
  attachments: { orderBy: { attachment_id: 'asc' } },
} as const

interface MessageRow {
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

export const toUserDto = (u: UserDto): UserDto => ({ user_id: u.user_id, username: u.username, display_name: u.display_name })

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
    attachments: m.attachments.map((a) => ({
      attachment_id: a.attachment_id,
      message_id: a.message_id,
      file_url: a.file_url,
      file_name: a.file_name,
      file_type: a.file_type,
      size: a.size,
    })),
  }
}

export function toConversationDto(
  c: { conversation_id: number; created_at: Date; updated_at: Date; participants: { user: UserDto }[] },
  latest: MessageDto | undefined,
  unread: number,
): ConversationDto {
  return {
    conversation_id: c.conversation_id,
    created_at: c.created_at.toISOString(),
    updated_at: c.updated_at.toISOString(),
    participants: c.participants.map((p) => toUserDto(p.user)),
    messages: latest ? [latest] : [],
    unread_count: unread,
  }
}
