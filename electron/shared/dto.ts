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

/** The message a reply quotes, as it is now. */
export interface ReplyToDto {
  message_id: number
  sender: UserDto
  /** The start of its current text (LIMITS.replyExcerptChars); "deleted message" once it is deleted. */
  excerpt: string
  deleted: boolean
}

/** One emoji on a message: how many people reacted with it, and who (the first LIMITS.reactionUsersShown). */
export interface ReactionDto {
  emoji: string
  /** Exact, however many. */
  count: number
  /** Ascending by when they reacted; at most LIMITS.reactionUsersShown. */
  user_ids: number[]
}

export interface MessageDto {
  message_id: number
  conversation_id: number
  sender_id: number
  /** Empty once the message is deleted. */
  content: string
  /** ISO 8601, UTC. */
  created_at: string
  is_read: boolean
  client_id: string | null
  sender: UserDto
  /** None once the message is deleted. */
  attachments: AttachmentDto[]
  /** Set on the server's own notices (inert text in `content`, made by the server); null on what people wrote. */
  system: SystemEventDto | null
  /** The message this one replies to (same conversation); null when it is not a reply. */
  reply_to: ReplyToDto | null
  /** When its sender last edited it (earlier versions: GET /api/messages/:id/edits); null if never. */
  edited_at: string | null
  /** When it was deleted for everyone: a tombstone, without text, files, versions or reactions. */
  deleted_at: string | null
  /** By first reaction; empty when none (and once deleted). */
  reactions: ReactionDto[]
}

/** A message a search found, with where its text matched: [start, end) UTF-16 ranges of `content`, to mark as text. */
export interface SearchResultDto {
  message: MessageDto
  highlights: [number, number][]
}

/** GET /api/search: a page of results, newest first (or by relevance); `next_cursor` asks for the next page, null after the last. */
export interface SearchPageDto {
  results: SearchResultDto[]
  next_cursor: string | null
}

/** An earlier version of an edited message. */
export interface MessageVersionDto {
  content: string
  /** When this version was written: the send, or the edit that made it. */
  written_at: string
}

/** `reaction_updated`: a message's reactions as they are now. */
export interface ReactionUpdateDto {
  conversation_id: number
  message_id: number
  reactions: ReactionDto[]
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
