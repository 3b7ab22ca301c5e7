// The chat half of the MessengerApi over one ChatClient: the desktop app's main process and the web
// client's page both answer the renderer with these, so the two paths cannot drift apart.
import type { UserDto } from '../shared/dto'
import type { EventMethod } from '../shared/ipc'
import type { MessengerApi, PendingMessageDto } from '../shared/messenger-api'
import type { AttachmentInput } from '../shared/schemas'
import type { ChatClient } from './chat-client'

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

/** sendMessage takes any attachment the server accepts (the IPC schema's shape), not only upload answers. */
export type ChatOperations = Omit<Pick<MessengerApi, ChatOperationName>, 'sendMessage'> & {
  sendMessage(conversationId: number, content: string, attachments?: AttachmentInput[]): Promise<PendingMessageDto>
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
    getMessages: (conversationId, page) => session().client.api.messages(conversationId, page ?? {}),
    sendMessage: (conversationId, content, attachments) =>
      session().client.send(conversationId, content, attachments?.map((a) => ({ file_url: a.file_url, file_name: a.file_name ?? undefined }))),
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

/** Hands each ChatClient event on under its MessengerApi listener name. */
export function forwardClientEvents(client: ChatClient, emit: (method: EventMethod, payload: unknown) => void): void {
  const pairs = [
    ['message', 'onMessage'],
    ['read', 'onRead'],
    ['read_state', 'onReadState'],
    ['typing', 'onTyping'],
    ['presence', 'onPresence'],
    ['user_joined', 'onUserJoined'],
    ['user_left', 'onUserLeft'],
    ['outbox', 'onOutbox'],
    ['status', 'onStatus'],
    ['auth_error', 'onSessionEnded'],
  ] as const
  for (const [event, method] of pairs) client.on(event, (payload: unknown) => emit(method, payload))
}
