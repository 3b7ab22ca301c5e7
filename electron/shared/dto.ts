// The shapes that cross the wire (REST answers and socket events). Field names are the seed's
// snake_case; `activeUsers` keeps the seed's camelCase.

export interface UserDto {
  user_id: number
  username: string
  display_name: string
}

export interface AttachmentDto {
  attachment_id: number
  message_id: number
  file_url: string
  file_name: string
  file_type: string
  size: number
}

export interface MessageDto {
  message_id: number
  conversation_id: number
  sender_id: number
  content: string
  /** ISO 8601, UTC. */
  created_at: string
  is_read: boolean
  client_id: string | null
  sender: UserDto
  attachments: AttachmentDto[]
}

export interface ConversationDto {
  conversation_id: number
  created_at: string
  updated_at: string
  participants: UserDto[]
  /** The latest message: zero or one item. */
  messages: MessageDto[]
  /** Messages from others that the caller has not read. */
  unread_count: number
}

export interface AuthResultDto {
  token: string
  user: UserDto
}

export interface UploadedFileDto {
  file_url: string
  file_name: string
  file_type: string
  size: number
}

/** How far another participant has read a conversation (for ✓✓ after a catch-up). */
export interface ReadStateDto {
  conversation_id: number
  user_id: number
  last_read_message_id: number | null
}

export interface HealthDto {
  status: 'ok'
  version: string
  uptime_s: number
}
