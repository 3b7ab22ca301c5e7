// The chat half of the MessengerApi over one ChatClient: the desktop app's main process and the web
// client's page both answer the renderer with these, so the two paths cannot drift apart.
import type { UserDto } from '../shared/dto'
import { APP_EVENTS } from '../shared/ipc'
import type { AppEvents, MessengerApi, PendingMessageDto } from '../shared/messenger-api'
import type { AttachmentInput } from '../shared/schemas'
import { SHELL_EVENTS, type ChatClient, type ClientAppEvent } from './chat-client'

export type ChatOperationName =
  | 'listConversations'
  | 'searchUsers'
  | 'startConversation'
  | 'getMessages'
  | 'sendMessage'
  | 'retrySend'
  | 'discardSend'
  | 'getOutbox'
  | 'markAsRead'
  | 'joinConversation'
  | 'leaveConversation'
  | 'setTyping'
  | 'getOnlineUsers'
  | 'uploadFile'
  | 'getFile'
  | 'createGroup'
  | 'updateConversation'
  | 'addMembers'
  | 'removeMember'
  | 'setMemberRole'
  | 'getReads'
  | 'editMessage'
  | 'deleteMessage'
  | 'react'
  | 'getMessageVersions'
  | 'searchMessages'
  | 'getPendingActions'
  | 'retryAction'
  | 'discardAction'

/** sendMessage takes any attachment the server accepts (the IPC schema's shape), not only upload answers. */
export type ChatOperations = Omit<Pick<MessengerApi, ChatOperationName>, 'sendMessage'> & {
  sendMessage(conversationId: number, content: string, attachments?: AttachmentInput[], options?: { replyToId?: number | undefined }): Promise<PendingMessageDto>
}

export interface ActiveSession {
  client: ChatClient
  user: UserDto
}

/** `session()` throws when nobody is signed in; every operation then fails with that error. */
export function chatOperations(session: () => ActiveSession): ChatOperations {
  return {
    listConversations: () => {
      const { client, user } = session()
      return client.api.conversations(user.user_id)
    },
    searchUsers: (query) => session().client.api.searchUsers(query),
    startConversation: (userId) => {
      const { client, user } = session()
      return client.api.startConversation(user.user_id, userId)
    },
    createGroup: (title, memberIds) => session().client.api.createGroup(title, memberIds),
    updateConversation: (conversationId, changes) => session().client.api.updateConversation(conversationId, changes),
    addMembers: (conversationId, userIds) => session().client.api.addMembers(conversationId, userIds),
    removeMember: (conversationId, userId) => session().client.api.removeMember(conversationId, userId),
    setMemberRole: (conversationId, userId, role) => session().client.api.setMemberRole(conversationId, userId, role),
    getReads: (messageId) => session().client.api.reads(messageId),
    searchMessages: (search) => session().client.api.searchMessages(search),
    getMessages: (conversationId, page) => session().client.api.messages(conversationId, page ?? {}),
    sendMessage: (conversationId, content, attachments, options) =>
      session().client.send(
        conversationId,
        content,
        attachments?.map((a) => ({ file_url: a.file_url, file_name: a.file_name ?? undefined })),
        { replyToId: options?.replyToId },
      ),
    editMessage: (messageId, conversationId, content) => session().client.edit(messageId, conversationId, content),
    deleteMessage: (messageId, conversationId) => session().client.delete(messageId, conversationId),
    react: (messageId, conversationId, emoji, on) => session().client.react(messageId, conversationId, emoji, on),
    getMessageVersions: (messageId) => session().client.versions(messageId),
    getPendingActions: async () => session().client.pendingActions,
    retryAction: (actionId) => session().client.retryAction(actionId),
    discardAction: (actionId) => session().client.discardAction(actionId),
    retrySend: (clientId) => session().client.retry(clientId),
    discardSend: (clientId) => session().client.discard(clientId),
    getOutbox: async () => session().client.outbox,
    markAsRead: async (messageId, conversationId) => {
      await session().client.markAsRead(messageId, conversationId)
    },
    joinConversation: (conversationId) => session().client.joinConversation(conversationId),
    leaveConversation: (conversationId) => session().client.leaveConversation(conversationId),
    setTyping: async (conversationId, isTyping) => session().client.setTyping(conversationId, isTyping),
    getOnlineUsers: (userIds) => session().client.onlineUsers(userIds),
    uploadFile: (file) => session().client.api.upload(new Blob([file.bytes as Uint8Array<ArrayBuffer>], { type: file.type }), file.name),
    getFile: async (fileUrl) => {
      const blob = await session().client.api.file(fileUrl)
      return { name: fileUrl.split('/').pop() ?? 'file', type: blob.type, bytes: new Uint8Array(await blob.arrayBuffer()) }
    },
  }
}

/** Every app event a ChatClient raises: the app's, but the shell's own. */
const CLIENT_APP_EVENTS = APP_EVENTS.filter((event): event is ClientAppEvent => !(SHELL_EVENTS as readonly string[]).includes(event))

export type AppEventSink = <E extends ClientAppEvent>(event: E, payload: AppEvents[E]) => void

/** Hands each of the client's app events on, under the same name. */
export function forwardClientEvents(client: ChatClient, emit: AppEventSink): void {
  for (const event of CLIENT_APP_EVENTS) client.on(event, (payload) => emit(event, payload))
}
