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

/** What a notice of the server's own says happened in a group (Message.system). */
export interface SystemEventDto {
  type: 'created' | 'added' | 'removed' | 'left' | 'renamed' | 'role_changed'
  /** Who did it. */
  actor_id: number
  /** Whom it concerns (added, removed, whose role changed); empty otherwise. */
  user_ids: number[]
  /** The new title (created, renamed). */
  title?: string
  /** The new role (role_changed). */
  role?: MemberRole
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
  /** Set on the server's own notices (inert text in `content`, made by the server); null on what people wrote. */
  system: SystemEventDto | null
}

export type ConversationKind = 'direct' | 'group'
export type MemberRole = 'owner' | 'admin' | 'member'

/** A current member of a conversation. */
export interface ParticipantDto extends UserDto {
  role: MemberRole
  /** ISO 8601, UTC. */
  joined_at: string
}

export interface ConversationDto {
  conversation_id: number
  /** direct: two people, made by create-or-get; group: named, with roles. */
  kind: ConversationKind
  /** A group's name; null for a one-to-one conversation. */
  title: string | null
  created_at: string
  updated_at: string
  /** The current members, ascending by user_id (a removed caller is not among them). */
  participants: ParticipantDto[]
  /** The latest message: zero or one item. */
  messages: MessageDto[]
  /** Messages from others that the caller has not read (the server's notices are not counted). */
  unread_count: number
  /** The caller muted it: no notification, no badge. */
  muted: boolean
}

/** `conversation_updated`: a group's title, members or roles changed (to every member, and to whoever was removed). */
export type ConversationUpdateDto = Omit<ConversationDto, 'unread_count' | 'muted' | 'messages'>

/** Who has read a message, and when they read up to it (null: read before receipts were kept). */
export interface ReadReceiptDto {
  user: UserDto
  read_at: string | null
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

/** `message_read`: the message read, and who read it (everything before it in the conversation is read by them too). */
export interface MessageReadDto extends MessageDto {
  reader_id: number
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
