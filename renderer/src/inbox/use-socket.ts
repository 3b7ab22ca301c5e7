// The seed's useSocket() composable, with its exact methods and reactive state, over the MessengerApi
// (the connection itself belongs to ChatClient, in main or in the page). Conversations joined through
// it are left when the component using it unmounts.
import { getCurrentInstance, onUnmounted, readonly, ref, shallowRef, type Ref } from 'vue'
import type { MessageDto } from '../../../electron/shared/dto'
import type { MessengerApi } from '../../../electron/shared/messenger-api'
import { useMessenger } from '../messenger'

export interface UseSocket {
  initSocket(): Promise<void>
  sendMessage(conversationId: number, content: string): Promise<void>
  joinConversation(conversationId: number): Promise<void>
  leaveConversation(conversationId: number): Promise<void>
  markAsRead(messageId: number, conversationId: number): Promise<void>
  disconnect(): Promise<void>
  /** The connection to the server is up. */
  isConnected: Readonly<Ref<boolean>>
  /** Messages that arrived in the joined conversations since they were joined, in id order, each once. */
  messages: Readonly<Ref<readonly MessageDto[]>>
}

export function useSocket(api: MessengerApi = useMessenger()): UseSocket {
  const isConnected = ref(false)
  const messages = shallowRef<readonly MessageDto[]>([])
  const joined = new Set<number>()
  let unsubscribe: (() => void)[] = []

  function receive(message: MessageDto): void {
    if (!joined.has(message.conversation_id)) return
    const list = messages.value
    if (list.some((m) => m.message_id === message.message_id)) return
    messages.value = [...list, message].sort((a, b) => a.message_id - b.message_id)
  }

  function markRead(message: MessageDto): void {
    messages.value = messages.value.map((m) =>
      m.conversation_id === message.conversation_id && m.sender_id === message.sender_id && m.message_id <= message.message_id && !m.is_read ? { ...m, is_read: true } : m,
    )
  }

  async function initSocket(): Promise<void> {
    if (unsubscribe.length) return
    unsubscribe = [api.on('status', (status) => (isConnected.value = status.state === 'online')), api.on('new_message', receive), api.on('message_read', markRead)]
    isConnected.value = (await api.getStatus()).state === 'online'
  }

  async function joinConversation(conversationId: number): Promise<void> {
    joined.add(conversationId)
    await api.joinConversation(conversationId)
  }

  async function leaveConversation(conversationId: number): Promise<void> {
    if (!joined.delete(conversationId)) return
    messages.value = messages.value.filter((m) => m.conversation_id !== conversationId)
    await api.leaveConversation(conversationId)
  }

  async function disconnect(): Promise<void> {
    for (const stop of unsubscribe) stop()
    unsubscribe = []
    isConnected.value = false
    await Promise.all([...joined].map((id) => leaveConversation(id)))
  }

  if (getCurrentInstance()) onUnmounted(() => void disconnect())

  return {
    initSocket,
    sendMessage: async (conversationId, content) => {
      await api.sendMessage(conversationId, content)
    },
    joinConversation,
    leaveConversation,
    markAsRead: (messageId, conversationId) => api.markAsRead(messageId, conversationId),
    disconnect,
    isConnected: readonly(isConnected),
    messages: readonly(messages) as Readonly<Ref<readonly MessageDto[]>>,
  }
}
