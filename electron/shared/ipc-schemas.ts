// Run-time checks of every IPC argument list, one per MessengerApi method. Main parses each call with
// these before it acts: a compromised renderer can send anything.
import { z } from 'zod'
import type { InvokeMethod } from './ipc'
import { LIMITS } from './limits'
import { attachmentInput, createGroupBody, emoji, id, loginBody, memberRole, patchConversationBody, registerBody } from './schemas'
import { isWebUrl } from './web-url'

const none = z.tuple([])
const text = (max: number) => z.string().max(max)

/** http(s) URLs only: the app never opens or joins anything else. */
export const httpUrl = z.string().max(2048).refine(isWebUrl, { error: 'must be an http:// or https:// URL without credentials' })

/** An edit's new text: a send's limit, and never empty (a message without text is deleted instead). */
const editedText = text(LIMITS.contentMaxChars).refine((s) => s.trim().length > 0, { error: 'must not be empty' })

const uploadedFile = z.object({
  file_url: z.string().max(300),
  file_name: z.string().max(LIMITS.fileNameMaxChars * 4),
  file_type: z.string().max(255),
  size: z.number().int().nonnegative(),
})

export const IPC_ARGS = {
  getSetup: none,
  hostServer: z.tuple([z.object({ lan: z.boolean() })]),
  joinServer: z.tuple([httpUrl]),
  discoverServers: none,
  getSession: none,
  register: z.tuple([registerBody]),
  login: z.tuple([loginBody]),
  logout: none,
  listConversations: none,
  searchUsers: z.tuple([text(LIMITS.searchQueryMaxChars)]),
  startConversation: z.tuple([id]),
  createGroup: z.tuple([createGroupBody.shape.title, createGroupBody.shape.member_ids]),
  updateConversation: z.tuple([id, patchConversationBody]),
  addMembers: z.tuple([id, createGroupBody.shape.member_ids.min(1)]),
  removeMember: z.tuple([id, id]),
  setMemberRole: z.tuple([id, id, memberRole]),
  getReads: z.tuple([id]),
  getMessages: z.tuple([
    id,
    z
      .object({ before: id.optional(), around: id.optional(), limit: z.number().int().min(1).max(LIMITS.pageMax).optional() })
      .refine((p) => p.before === undefined || p.around === undefined, { error: 'give either before or around, not both' })
      .optional(),
  ]),
  searchMessages: z.tuple([
    z.object({
      q: text(LIMITS.messageSearchMaxChars),
      conversationId: id.optional(),
      senderId: id.optional(),
      before: z.iso.datetime({ offset: true }).optional(),
      after: z.iso.datetime({ offset: true }).optional(),
      hasAttachment: z.boolean().optional(),
      order: z.enum(['newest', 'relevance']).optional(),
      limit: z.number().int().min(1).max(LIMITS.searchPageMax).optional(),
      cursor: z.string().max(100).optional(),
    }),
  ]),
  sendMessage: z.tuple([
    id,
    text(LIMITS.contentMaxChars),
    z.array(uploadedFile.or(attachmentInput)).max(LIMITS.attachmentsPerMessage).optional(),
    z.object({ replyToId: id.optional() }).optional(),
  ]),
  editMessage: z.tuple([id, id, editedText]),
  deleteMessage: z.tuple([id, id]),
  react: z.tuple([id, id, emoji, z.boolean()]),
  getMessageVersions: z.tuple([id]),
  getPendingActions: none,
  retryAction: z.tuple([text(LIMITS.clientIdMaxChars)]),
  discardAction: z.tuple([text(LIMITS.clientIdMaxChars)]),
  retrySend: z.tuple([text(LIMITS.clientIdMaxChars)]),
  discardSend: z.tuple([text(LIMITS.clientIdMaxChars)]),
  getOutbox: none,
  markAsRead: z.tuple([id, id]),
  joinConversation: z.tuple([id]),
  leaveConversation: z.tuple([id]),
  setTyping: z.tuple([id, z.boolean()]),
  getOnlineUsers: z.tuple([z.array(id).max(1000)]),
  getStatus: none,
  uploadFile: z.tuple([z.object({ name: text(LIMITS.fileNameMaxChars * 4), type: text(255), bytes: z.instanceof(Uint8Array) })]),
  getFile: z.tuple([z.string().regex(/^\/api\/files\/[0-9a-f-]{36}$/, { error: 'must be a file_url of this server' })]),
  setActiveConversation: z.tuple([id.nullable()]),
  getPreferences: none,
  setPreferences: z.tuple([z.object({ do_not_disturb: z.boolean().optional() })]),
  openExternal: z.tuple([httpUrl]),
} satisfies Record<InvokeMethod, z.ZodType<unknown[]>>

export type IpcArgs = { [K in InvokeMethod]: z.output<(typeof IPC_ARGS)[K]> }
