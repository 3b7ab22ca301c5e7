// The inbox's state: conversations sorted by activity with unread counts, the pages of history loaded
// per conversation, the outbox, presence, typing and the connection. One instance per signed-in user;
// it listens to the MessengerApi and is the only thing that changes this state.
import { computed, reactive, shallowRef, type ShallowRef } from 'vue'
import { attention } from '../../../electron/shared/attention'
import type { ConversationDto, MessageDto, ReadStateDto, UploadedFileDto, UserDto } from '../../../electron/shared/dto'
import { LIMITS } from '../../../electron/shared/limits'
import type { ConnectionStatus, MessengerApi, PendingMessageDto } from '../../../electron/shared/messenger-api'

export interface History {
  /** Loaded messages, oldest first. */
  items: MessageDto[]
  /** The server may have older messages than the first loaded one. */
  hasOlder: boolean
  loading: boolean
}

export type Receipt = 'pending' | 'failed' | 'sent' | 'read'

/** A row of the chat view: a stored message, or one of ours still in the outbox. */
export type ChatItem = { kind: 'message'; key: string; message: MessageDto; mine: boolean } | { kind: 'pending'; key: string; pending: PendingMessageDto; mine: true }

export function activityOf(conversation: ConversationDto): string {
  return conversation.messages[0]?.created_at ?? conversation.updated_at ?? conversation.created_at
}

/** Most recent activity first; ties broken by the newer conversation. */
export function sortByActivity(conversations: ConversationDto[]): ConversationDto[] {
  return [...conversations].sort((a, b) => activityOf(b).localeCompare(activityOf(a)) || b.conversation_id - a.conversation_id)
}

/** ✓ sent, ✓✓ read; only for our own messages. */
export function receiptOf(item: ChatItem): Receipt {
  if (item.kind === 'pending') return item.pending.state === 'failed' ? 'failed' : 'pending'
  return item.message.is_read ? 'read' : 'sent'
}

export function otherParticipant(conversation: ConversationDto, me: number): UserDto | undefined {
  return conversation.participants.find((p) => p.user_id !== me) ?? conversation.participants[0]
}

/** Inserts messages into an id-ordered list, each once. */
export function mergeMessages(list: MessageDto[], incoming: MessageDto[]): MessageDto[] {
  const byId = new Map(list.map((m) => [m.message_id, m]))
  for (const m of incoming) byId.set(m.message_id, m)
  return [...byId.values()].sort((a, b) => a.message_id - b.message_id)
}

export function createInbox(api: MessengerApi, me: UserDto, options: { isVisible?: () => boolean } = {}) {
  const isVisible = options.isVisible ?? (() => typeof document === 'undefined' || document.visibilityState === 'visible')
  const conversations = shallowRef<ConversationDto[]>([])
  const histories = new Map<number, ShallowRef<History>>()
  const state = reactive({
    loaded: false,
    activeId: null as number | null,
    outbox: [] as PendingMessageDto[],
    status: { state: 'connecting', pending: 0, failed: 0 } as ConnectionStatus,
    online: new Set<number>(),
    typing: new Map<number, Map<number, number>>(),
  })
  const unsubscribe: (() => void)[] = []

  const sorted = computed(() => sortByActivity(conversations.value))
  const active = computed(() => conversations.value.find((c) => c.conversation_id === state.activeId) ?? null)
  const unreadTotal = computed(() => conversations.value.reduce((n, c) => n + c.unread_count, 0))

  function history(conversationId: number): ShallowRef<History> {
    let h = histories.get(conversationId)
    if (!h) histories.set(conversationId, (h = shallowRef<History>({ items: [], hasOlder: true, loading: false })))
    return h
  }

  function updateConversation(conversationId: number, change: (c: ConversationDto) => ConversationDto): void {
    conversations.value = conversations.value.map((c) => (c.conversation_id === conversationId ? change(c) : c))
  }

  function upsertConversation(conversation: ConversationDto): void {
    const exists = conversations.value.some((c) => c.conversation_id === conversation.conversation_id)
    conversations.value = exists ? conversations.value.map((c) => (c.conversation_id === conversation.conversation_id ? conversation : c)) : [...conversations.value, conversation]
  }

  function itemsOf(conversationId: number): ChatItem[] {
    const stored = history(conversationId).value.items
    const sent = new Set(stored.map((m) => m.client_id).filter(Boolean))
    const rows: ChatItem[] = stored.map((message) => ({ kind: 'message', key: `m${message.message_id}`, message, mine: message.sender_id === me.user_id }))
    for (const pending of state.outbox) {
      if (pending.conversation_id === conversationId && !sent.has(pending.client_id)) rows.push({ kind: 'pending', key: `p${pending.client_id}`, pending, mine: true })
    }
    return rows
  }

  async function loadOlder(conversationId: number): Promise<void> {
    const h = history(conversationId)
    if (h.value.loading || !h.value.hasOlder) return
    h.value = { ...h.value, loading: true }
    try {
      const first = h.value.items[0]
      const page = await api.getMessages(conversationId, { ...(first ? { before: first.message_id } : {}), limit: LIMITS.pageDefault })
      h.value = { items: mergeMessages(h.value.items, page), hasOlder: page.length === LIMITS.pageDefault, loading: false }
    } catch (error) {
      h.value = { ...h.value, loading: false }
      throw error
    }
  }

  /** Marks everything from others up to the newest message read, here and on the server. */
  async function markSeen(conversationId: number): Promise<void> {
    const items = history(conversationId).value.items
    const latest = [...items].reverse().find((m) => m.sender_id !== me.user_id && !m.is_read)
    const conversation = conversations.value.find((c) => c.conversation_id === conversationId)
    if (!latest && !conversation?.unread_count) return
    updateConversation(conversationId, (c) => ({ ...c, unread_count: 0 }))
    if (!latest) return
    const h = history(conversationId)
    h.value = { ...h.value, items: items.map((m) => (m.sender_id !== me.user_id && !m.is_read && m.message_id <= latest.message_id ? { ...m, is_read: true } : m)) }
    await api.markAsRead(latest.message_id, conversationId)
  }

  async function open(conversationId: number | null): Promise<void> {
    state.activeId = conversationId
    await api.setActiveConversation(conversationId)
    if (conversationId === null) return
    const h = history(conversationId)
    if (h.value.items.length === 0 && h.value.hasOlder) await loadOlder(conversationId)
    if (state.activeId === conversationId && isVisible()) await markSeen(conversationId)
  }

  function onMessage(message: MessageDto): void {
    const h = histories.get(message.conversation_id)
    if (h) h.value = { ...h.value, items: mergeMessages(h.value.items, [message]) }
    const known = conversations.value.find((c) => c.conversation_id === message.conversation_id)
    if (!known) {
      // A conversation someone else started: fetch the list again to learn its participants.
      void refresh()
      return
    }
    const fromOther = message.sender_id !== me.user_id
    const wants = attention(message, { userId: me.user_id, activeConversationId: state.activeId, windowShown: isVisible(), latestKnownId: known.messages[0]?.message_id ?? null })
    // A replay (a catch-up bringing a message the list already has) is neither the latest nor unread again.
    updateConversation(message.conversation_id, (c) => ({ ...c, messages: wants.replay ? c.messages : [message], unread_count: c.unread_count + (wants.countUnread ? 1 : 0) }))
    if (fromOther && wants.inView) void markSeen(message.conversation_id)
    if (fromOther) stopTyping(message.conversation_id, message.sender_id)
  }

  function markReadUpTo(conversationId: number, senderId: number, upTo: number): void {
    const h = histories.get(conversationId)
    if (h) h.value = { ...h.value, items: h.value.items.map((m) => (m.sender_id === senderId && m.message_id <= upTo && !m.is_read ? { ...m, is_read: true } : m)) }
    updateConversation(conversationId, (c) => ({
      ...c,
      messages: c.messages.map((m) => (m.sender_id === senderId && m.message_id <= upTo ? { ...m, is_read: true } : m)),
    }))
  }

  function onReadState(read: ReadStateDto): void {
    if (read.user_id !== me.user_id && read.last_read_message_id !== null) markReadUpTo(read.conversation_id, me.user_id, read.last_read_message_id)
  }

  function stopTyping(conversationId: number, userId: number): void {
    const typists = state.typing.get(conversationId)
    if (!typists?.delete(userId)) return
    if (typists.size === 0) state.typing.delete(conversationId)
  }

  function typingIn(conversationId: number): UserDto[] {
    const now = Date.now()
    const conversation = conversations.value.find((c) => c.conversation_id === conversationId)
    const ids = [...(state.typing.get(conversationId)?.entries() ?? [])].filter(([, until]) => until > now).map(([id]) => id)
    return ids.map((id) => conversation?.participants.find((p) => p.user_id === id)).filter((u) => u !== undefined)
  }

  async function refresh(): Promise<void> {
    const list = await api.listConversations()
    conversations.value = list
    const contacts = [...new Set(list.flatMap((c) => c.participants.map((p) => p.user_id)).filter((id) => id !== me.user_id))]
    if (contacts.length) state.online = new Set(await api.getOnlineUsers(contacts))
  }

  async function start(): Promise<void> {
    unsubscribe.push(
      api.on('new_message', onMessage),
      api.on('message_read', (message) => markReadUpTo(message.conversation_id, message.sender_id, message.message_id)),
      api.on('read_state', onReadState),
      api.on('outbox', (items) => (state.outbox = items)),
      api.on('status', (status) => {
        const cameBack = status.state === 'online' && state.status.state !== 'online'
        state.status = status
        if (cameBack && state.loaded) void refresh()
      }),
      api.on('presence', ({ user_id, online }) => {
        const next = new Set(state.online)
        if (online) next.add(user_id)
        else next.delete(user_id)
        state.online = next
      }),
      api.on('typing', ({ conversation_id, user_id, is_typing }) => {
        if (user_id === me.user_id) return
        if (!is_typing) return stopTyping(conversation_id, user_id)
        const typists = state.typing.get(conversation_id) ?? new Map<number, number>()
        typists.set(user_id, Date.now() + LIMITS.typingExpiresMs)
        state.typing.set(conversation_id, typists)
        setTimeout(() => {
          if ((state.typing.get(conversation_id)?.get(user_id) ?? 0) <= Date.now()) stopTyping(conversation_id, user_id)
        }, LIMITS.typingExpiresMs + 50)
      }),
    )
    const [outbox, status] = await Promise.all([api.getOutbox(), api.getStatus()])
    state.outbox = outbox
    state.status = status
    try {
      await refresh()
    } finally {
      state.loaded = true
    }
  }

  async function send(conversationId: number, content: string, attachments: UploadedFileDto[] = []): Promise<void> {
    const pending = await api.sendMessage(conversationId, content, attachments.length ? attachments : undefined)
    if (!state.outbox.some((p) => p.client_id === pending.client_id) && !history(conversationId).value.items.some((m) => m.client_id === pending.client_id)) {
      state.outbox = [...state.outbox, pending]
    }
  }

  async function startConversation(userId: number): Promise<ConversationDto> {
    const conversation = await api.startConversation(userId)
    upsertConversation(conversation)
    const online = await api.getOnlineUsers([userId])
    if (online.includes(userId)) state.online = new Set([...state.online, userId])
    return conversation
  }

  function stop(): void {
    for (const off of unsubscribe.splice(0)) off()
  }

  return {
    me,
    state,
    conversations: sorted,
    active,
    unreadTotal,
    history,
    itemsOf,
    typingIn,
    start,
    stop,
    refresh,
    open,
    loadOlder,
    markSeen,
    send,
    startConversation,
    retry: (clientId: string) => api.retrySend(clientId),
    discard: (clientId: string) => api.discardSend(clientId),
  }
}

export type Inbox = ReturnType<typeof createInbox>
