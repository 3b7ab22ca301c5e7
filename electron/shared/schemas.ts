// Run-time validation for every body, query, path parameter and socket payload. Types are not
// validation: the server parses each input with these before it acts, and clients reuse them.
import { z } from 'zod'
import { LIMITS } from './limits'

/** A positive 32-bit id given as a JSON number. */
export const id = z
  .number({ error: 'must be a number' })
  .int({ error: 'must be a whole number' })
  .positive({ error: 'must be a positive id' })
  .max(LIMITS.maxId, { error: 'is not a valid id' })

/** A positive 32-bit id given as text (path parameters, query strings). */
export const idText = z
  .string()
  .regex(/^\d{1,10}$/, { error: 'must be a positive whole number' })
  .transform(Number)
  .pipe(id)

// C0 controls other than tab, newline and carriage return, and DEL, carry nothing a person wrote.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g

export const username = z
  .string({ error: 'must be text' })
  .trim()
  .min(LIMITS.usernameMinChars, { error: `must be at least ${LIMITS.usernameMinChars} characters` })
  .max(LIMITS.usernameMaxChars, { error: `must be at most ${LIMITS.usernameMaxChars} characters` })
  .regex(/^[A-Za-z0-9_.-]+$/, { error: 'may contain only letters, digits, ".", "_" and "-"' })
  .transform((s) => s.toLowerCase())

/** Text a person names something with: control characters dropped, trimmed, 1 to `max` characters. */
const nameText = (max: number) =>
  z
    .string({ error: 'must be text' })
    .transform((s) => s.replace(CONTROL_CHARS, '').trim())
    .pipe(
      z
        .string()
        .min(1, { error: 'must not be empty' })
        .max(max, { error: `must be at most ${max} characters` }),
    )

export const registerBody = z.object({
  username,
  password: z
    .string({ error: 'must be text' })
    .min(LIMITS.passwordMinChars, { error: `must be at least ${LIMITS.passwordMinChars} characters` })
    .max(LIMITS.passwordMaxChars, { error: `must be at most ${LIMITS.passwordMaxChars} characters` }),
  display_name: nameText(LIMITS.displayNameMaxChars).optional(),
})

export const loginBody = z.object({
  username: z.string({ error: 'must be text' }).trim().min(1, { error: 'is required' }).max(LIMITS.usernameMaxChars * 2).transform((s) => s.toLowerCase()),
  password: z.string({ error: 'must be text' }).min(1, { error: 'is required' }).max(LIMITS.passwordMaxChars),
})

export const createConversationBody = z.object({
  participant1_id: id,
  participant2_id: id,
})

const groupTitle = nameText(LIMITS.groupTitleMaxChars)

const userIdList = z
  .array(id, { error: 'must be a list of user ids' })
  .max(LIMITS.groupMembersMax, { error: `must have at most ${LIMITS.groupMembersMax} items` })

export const memberRole = z.enum(['owner', 'admin', 'member'], { error: 'must be "owner", "admin" or "member"' })

/** POST /api/groups: the caller is the owner and need not be listed. */
export const createGroupBody = z.object({ title: groupTitle, member_ids: userIdList })

/** PATCH /api/conversations/:id: the title (owner and admins of a group), muted (the caller's own). */
export const patchConversationBody = z
  .object({ title: groupTitle.optional(), muted: z.boolean({ error: 'must be true or false' }).optional() })
  .strict()
  .refine((b) => b.title !== undefined || b.muted !== undefined, { error: 'must change title or muted' })

/** POST /api/conversations/:id/members */
export const addMembersBody = z.object({ user_ids: userIdList.min(1, { error: 'must name at least one user' }) })

/** PATCH /api/conversations/:id/members/:userId */
export const patchMemberBody = z.object({ role: memberRole })

export const memberParams = z.object({ conversationId: idText, userId: idText })

export const attachmentInput = z.object({
  file_url: z.string({ error: 'must be text' }).min(1).max(300),
  file_name: z.string().max(LIMITS.fileNameMaxChars * 4).optional(),
  file_type: z.string().max(255).optional(),
})

const content = z
  .string({ error: 'must be text' })
  .max(LIMITS.contentMaxChars, { error: `must be at most ${LIMITS.contentMaxChars} characters` })
  .transform((s) => s.replace(CONTROL_CHARS, ''))

const clientId = z
  .string({ error: 'must be text' })
  .min(1, { error: 'must not be empty' })
  .max(LIMITS.clientIdMaxChars, { error: `must be at most ${LIMITS.clientIdMaxChars} characters` })
  .regex(/^[\w.:-]+$/, { error: 'may contain only letters, digits, "_", ".", ":" and "-"' })

const messageFields = {
  content,
  sender_id: id,
  attachments: z
    .array(attachmentInput, { error: 'must be a list' })
    .max(LIMITS.attachmentsPerMessage, { error: `must have at most ${LIMITS.attachmentsPerMessage} items` })
    .optional(),
  client_id: clientId.optional(),
  /** A reply quotes a message of the same conversation. */
  reply_to_id: id.optional(),
}

type MessageFields = { content: string; attachments?: unknown[] | undefined }
const hasSomething = (m: MessageFields): boolean => m.content.trim().length > 0 || (m.attachments?.length ?? 0) > 0
const nothingToSend = { error: 'must not be empty unless the message has attachments', path: ['content'] }

/** POST /api/messages/:conversationId */
export const sendMessageBody = z.object(messageFields).refine(hasSomething, nothingToSend)

/**
 * PATCH /api/messages/:messageId: the seed's `{is_read: true}` (mark read), or `{content}` (edit; same
 * limits and sanitising as a send, never empty: a message without text is deleted instead). Not both.
 */
export const patchMessageBody = z.union(
  [
    z.object({ is_read: z.literal(true, { error: 'must be true (a read message cannot be marked unread)' }) }).strict(),
    z
      .object({ content })
      .strict()
      .refine((b) => b.content.trim().length > 0, { error: 'must not be empty (delete the message instead)', path: ['content'] }),
  ],
  { error: 'must be either {"is_read": true} or {"content": "…"}, not both' },
)

/** One emoji grapheme from Unicode's recommended set (RGI), as a path parameter. */
export const emoji = z.string().max(64).regex(new RegExp('^\\p{RGI_Emoji}$', 'v'), { error: 'must be one emoji' })

export const reactionParams = z.object({ messageId: idText, emoji })

export const conversationIdParams = z.object({ conversationId: idText })
export const userIdParams = z.object({ userId: idText })
export const messageIdParams = z.object({ messageId: idText })
export const fileParams = z.object({
  name: z.string().regex(/^[0-9a-f-]{36}$/, { error: 'is not a file name this server made' }),
})

export const messagesQuery = z.object({
  limit: z
    .string()
    .regex(/^\d{1,4}$/, { error: 'must be a whole number' })
    .transform(Number)
    .pipe(z.number().min(1, { error: 'must be at least 1' }).max(LIMITS.pageMax, { error: `must be at most ${LIMITS.pageMax}` }))
    .optional(),
  before: idText.optional(),
  /** A page around this message (of the same conversation): the half before it, it, and the rest after. */
  around: idText.optional(),
}).refine((q) => q.before === undefined || q.around === undefined, { error: 'give either before or around, not both', path: ['around'] })

const flag = z.enum(['true', 'false'], { error: 'must be true or false' }).transform((v) => v === 'true')
const instant = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date and time, such as 2026-12-03T10:00:00Z' }).transform((v) => new Date(v))

/** GET /api/search: the text (its terms, electron/shared/search-text.ts) and the filters; `cursor` is the last page's `next_cursor`. */
export const searchQuery = z
  .object({
    q: z
      .string({ error: 'must be text' })
      .trim()
      .min(1, { error: 'must not be empty' })
      .max(LIMITS.messageSearchMaxChars, { error: `must be at most ${LIMITS.messageSearchMaxChars} characters` }),
    conversation_id: idText.optional(),
    sender_id: idText.optional(),
    before: instant.optional(),
    after: instant.optional(),
    has_attachment: flag.optional(),
    order: z.enum(['newest', 'relevance'], { error: 'must be "newest" or "relevance"' }).default('newest'),
    limit: z
      .string()
      .regex(/^\d{1,3}$/, { error: 'must be a whole number' })
      .transform(Number)
      .pipe(z.number().min(1, { error: 'must be at least 1' }).max(LIMITS.searchPageMax, { error: `must be at most ${LIMITS.searchPageMax}` }))
      .default(LIMITS.searchPageDefault),
    cursor: z.string().max(100, { error: 'is not a cursor this server made' }).regex(/^[A-Za-z0-9_-]+$/, { error: 'is not a cursor this server made' }).optional(),
  })
  .refine((q) => q.before === undefined || q.after === undefined || q.after < q.before, { error: 'after must be earlier than before', path: ['after'] })
export type SearchQuery = z.output<typeof searchQuery>

export const usersQuery = z.object({
  query: z.string().trim().max(LIMITS.searchQueryMaxChars, { error: `must be at most ${LIMITS.searchQueryMaxChars} characters` }).optional(),
})

// Socket payloads: the seed's events first, then ours.
export const joinConversationPayload = z.object({ conversation_id: id, user_id: id })
export const leaveConversationPayload = joinConversationPayload
export const sendMessagePayload = z.object({ conversation_id: id, ...messageFields }).refine(hasSomething, nothingToSend)
export const markAsReadPayload = z.object({ message_id: id, conversation_id: id })
export const typingPayload = z.object({ conversation_id: id, is_typing: z.boolean({ error: 'must be true or false' }) })
const cursor = z.number({ error: 'must be a number' }).int({ error: 'must be a whole number' }).min(0, { error: 'must be 0 or more' }).max(LIMITS.maxId)
/** `after_message_id` (the seed's) or `after_seq` (a position in the change feed): exactly one. */
export const syncPayload = z
  .object({ after_message_id: cursor.optional(), after_seq: cursor.optional(), limit: z.number().int().min(1).max(LIMITS.syncPageMax).optional() })
  .refine((p) => (p.after_message_id === undefined) !== (p.after_seq === undefined), { error: 'give exactly one of after_message_id and after_seq', path: ['after_message_id'] })
export const presencePayload = z.object({
  user_ids: z.array(id).max(1000, { error: 'must have at most 1000 items' }),
})

export type RegisterBody = z.infer<typeof registerBody>
export type LoginBody = z.infer<typeof loginBody>
export type AttachmentInput = z.infer<typeof attachmentInput>
export type SendMessageBody = z.infer<typeof sendMessageBody>
export type SendMessagePayload = z.input<typeof sendMessagePayload>
export type JoinConversationPayload = z.input<typeof joinConversationPayload>
export type MarkAsReadPayload = z.input<typeof markAsReadPayload>
export type TypingPayload = z.input<typeof typingPayload>
export type SyncPayload = z.input<typeof syncPayload>
export type PresencePayload = z.input<typeof presencePayload>
