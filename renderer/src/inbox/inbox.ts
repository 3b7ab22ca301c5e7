// The inbox's state: conversations sorted by activity with unread counts, the pages of history loaded
// per conversation, the outbox and the queue of edits/deletions/reactions, presence, typing, where others
// have read up to, and the connection.
// One instance per signed-in user; it listens to the MessengerApi and is the only thing that changes
// this state.
import { computed, reactive, shallowRef, type ShallowRef } from 'vue'
import { attention } from '../../../electron/shared/attention'
import type {
  ConversationDto,
  ConversationUpdateDto,
  MemberRole,
  MessageDto,
  MessageReadDto,
  ParticipantDto,
  ReactionUpdateDto,
  ReadReceiptDto,
  ReadStateDto,
  ReplyToDto,
  UploadedFileDto,
  UserDto,
} from '../../../electron/shared/dto'
import { LIMITS } from '../../../electron/shared/limits'
import type { ConnectionStatus, MessengerApi, PendingActionDto, PendingMessageDto } from '../../../electron/shared/messenger-api'
import { excerptOf, withPending } from './actions'

export interface History {
  /** Loaded messages, oldest first: one unbroken stretch of the conversation. */
  items: MessageDto[]
  /** The server may have older messages than the first loaded one. */
  hasOlder: boolean
  /** The stretch loaded is an older one (a reply's quote jumped back to it): newer messages are still to load. */
  hasNewer: boolean
  loading: boolean
}

export type Receipt = 'pending' | 'failed' | 'sent' | 'read'

/**
 * A row of the chat view: a stored message (as the user sees it: with their queued edits and
 * reactions laid over, and those queued actions), or one of ours still in the outbox (with the
 * message it replies to, when that is loaded).
 */
export type ChatItem =
  | { kind: 'message'; key: string; message: MessageDto; mine: boolean; actions: PendingActionDto[] }
  | { kind: 'pending'; key: string; pending: PendingMessageDto; mine: true; replyTo: ReplyToDto | null }

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

export const isGroup = (conversation: Pick<ConversationDto, 'kind'>): boolean => conversation.kind === 'group'

/** The user is in it now: always in a one-to-one chat; in a group until removed or gone. */
export function isMember(conversation: Pick<ConversationDto, 'kind' | 'participants'>, me: number): boolean {
  return !isGroup(conversation) || conversation.participants.some((p) => p.user_id === me)
}

/** A group's title, or the other person's name. */
export function titleOf(conversation: ConversationDto, me: number): string {
  return isGroup(conversation) ? (conversation.title ?? 'Group') : (otherParticipant(conversation, me)?.display_name ?? '')
}

/** "Ada is typing…", "Ada and Grace are typing…", "Ada, Grace and Alan are typing…", "Ada, Grace and 2 others are typing…". */
export function typingText(users: Pick<UserDto, 'display_name'>[]): string {
  const names = users.map((u) => u.display_name)
  if (names.length === 0) return ''
  if (names.length === 1) return `${names[0]} is typing…`
  if (names.length <= 3) return `${names.slice(0, -1).join(', ')} and ${names.at(-1)} are typing…`
  return `${names[0]}, ${names[1]} and ${names.length - 2} others are typing…`
}

export const ROLE_LABELS: Record<MemberRole, string> = { owner: 'Owner', admin: 'Admin', member: 'Member' }

export const canManage = (role: MemberRole | undefined): boolean => role === 'owner' || role === 'admin'

/**
 * What the user may do to another member, as the server allows it: the owner gives any role (naming
 * a new owner hands ownership over) and removes anyone; admins move members and admins between the
 * two and remove members only; nobody changes the owner but the owner. Oneself: only leaving.
 */
export function allowedActions(myRole: MemberRole | undefined, target: ParticipantDto, me: number): { roles: MemberRole[]; remove: boolean } {
  if (target.user_id === me || !canManage(myRole)) return { roles: [], remove: false }
  if (myRole === 'owner') return { roles: (['owner', 'admin', 'member'] as const).filter((r) => r !== target.role), remove: true }
  if (target.role === 'owner') return { roles: [], remove: false }
  return target.role === 'member' ? { roles: ['admin'], remove: true } : { roles: ['member'], remove: false }
}

/** The quote a reply to this message carries, as the server words it. */
export function quoteOf(message: MessageDto): ReplyToDto {
  const deleted = message.deleted_at !== null
  return { message_id: message.message_id, sender: message.sender, excerpt: deleted ? 'deleted message' : excerptOf(message.content), deleted }
}

/** Inserts messages into an id-ordered list, each once. */
export function mergeMessages(list: MessageDto[], incoming: MessageDto[]): MessageDto[] {
  const byId = new Map(list.map((m) => [m.message_id, m]))
  for (const m of incoming) byId.set(m.message_id, m)
  return [...byId.values()].sort((a, b) => a.message_id - b.message_id)
}

/** How long an action that left the queue stays laid over its message if no effect comes back (an edit to the same text changes nothing). */
const SETTLE_MS = 5_000

export function createInbox(api: MessengerApi, me: UserDto, options: { isVisible?: () => boolean } = {}) {
  const isVisible = options.isVisible ?? (() => typeof document === 'undefined' || document.visibilityState === 'visible')
  const conversations = shallowRef<ConversationDto[]>([])
  const histories = new Map<number, ShallowRef<History>>()
  const state = reactive({
    loaded: false,
    activeId: null as number | null,
    outbox: [] as PendingMessageDto[],
    /** Edits, deletions and reactions not yet acknowledged (the client's queue, as it last said). */
    actions: [] as PendingActionDto[],
    /**
     * Actions that left the queue without failing, until their effect comes back (message_updated,
     * message_deleted, reaction_updated) or SETTLE_MS pass: still laid over their message, which
     * would otherwise show its old state for a moment (leaving the queue changes nothing by itself).
     */
    sent: [] as PendingActionDto[],
    status: { state: 'connecting', pending: 0, failed: 0 } as ConnectionStatus,
    online: new Set<number>(),
    typing: new Map<number, Map<number, number>>(),
    /** Groups: how far each member has read (conversation → user → message id), as far as reads heard tell. */
    reads: new Map<number, Map<number, number>>(),
    /**
     * Groups: how far each member is known to have really read. Joining sets a read position at the
     * latest message without anything read; a reader heard (message_read, getReads) has read.
     */
    readsHeard: new Map<number, Map<number, number>>(),
  })
  const unsubscribe: (() => void)[] = []

  const sorted = computed(() => sortByActivity(conversations.value))
  const active = computed(() => conversations.value.find((c) => c.conversation_id === state.activeId) ?? null)
  /** Unread outside muted conversations (the window's title, like the desktop app's badge). */
  const unreadTotal = computed(() => conversations.value.reduce((n, c) => n + (c.muted ? 0 : c.unread_count), 0))
  const find = (conversationId: number) => conversations.value.find((c) => c.conversation_id === conversationId)

  function history(conversationId: number): ShallowRef<History> {
    let h = histories.get(conversationId)
    if (!h) histories.set(conversationId, (h = shallowRef<History>({ items: [], hasOlder: true, hasNewer: false, loading: false })))
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
    const rows: ChatItem[] = stored.map((stored) => {
      const { message, actions } = withPending(stored, state.actions, me.user_id, state.sent)
      return { kind: 'message', key: `m${message.message_id}`, message, mine: message.sender_id === me.user_id && !message.system, actions }
    })
    // Sends waiting for the server show at the bottom: not while an older stretch is loaded (they would sit after a gap).
    if (history(conversationId).value.hasNewer) return rows
    for (const pending of state.outbox) {
      if (pending.conversation_id !== conversationId || sent.has(pending.client_id)) continue
      const original = pending.reply_to_id ? stored.find((m) => m.message_id === pending.reply_to_id) : undefined
      rows.push({ kind: 'pending', key: `p${pending.client_id}`, pending, mine: true, replyTo: original ? quoteOf(original) : null })
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
      h.value = { ...h.value, items: mergeMessages(h.value.items, page), hasOlder: page.length === LIMITS.pageDefault, loading: false }
    } catch (error) {
      h.value = { ...h.value, loading: false }
      throw error
    }
  }

  /** Whether a page holds the conversation's latest message (as the list knows it): nothing newer is left to load. */
  function reachesLatest(conversationId: number, items: MessageDto[]): boolean {
    const latest = find(conversationId)?.messages[0]?.message_id
    return latest === undefined || items.some((m) => m.message_id >= latest)
  }

  /**
   * Loads the history around a message not loaded yet (a reply's quote was clicked). A page that
   * overlaps what is loaded joins it; one further back replaces it, so the view never shows a gap,
   * and the newer messages load again as the user scrolls down (loadNewer).
   */
  async function loadAround(conversationId: number, messageId: number): Promise<void> {
    const h = history(conversationId)
    h.value = { ...h.value, loading: true }
    try {
      const page = await api.getMessages(conversationId, { around: messageId, limit: LIMITS.pageDefault })
      const loaded = h.value.items
      const first = loaded[0]?.message_id
      const joins = first !== undefined && page.some((m) => m.message_id >= first)
      const items = joins ? mergeMessages(loaded, page) : mergeMessages([], page)
      h.value = { items, hasOlder: joins ? h.value.hasOlder : page.length > 0, hasNewer: joins ? h.value.hasNewer : !reachesLatest(conversationId, items), loading: false }
    } catch (error) {
      h.value = { ...h.value, loading: false }
      throw error
    }
  }

  /** The next page after an older stretch (the server pages around the last loaded message; it has no "after"). */
  async function loadNewer(conversationId: number): Promise<void> {
    const h = history(conversationId)
    const last = h.value.items.at(-1)
    if (h.value.loading || !h.value.hasNewer || !last) return
    h.value = { ...h.value, loading: true }
    try {
      const page = await api.getMessages(conversationId, { around: last.message_id, limit: LIMITS.pageDefault })
      const items = mergeMessages(h.value.items, page)
      const grew = page.some((m) => m.message_id > last.message_id)
      h.value = { ...h.value, items, hasNewer: grew && !reachesLatest(conversationId, items), loading: false }
    } catch (error) {
      h.value = { ...h.value, loading: false }
      throw error
    }
  }

  /** Back from an older stretch to the latest page (the stretch stays shown until the page is here). */
  async function jumpToLatest(conversationId: number): Promise<void> {
    const h = history(conversationId)
    if (!h.value.hasNewer) return
    h.value = { ...h.value, loading: true }
    try {
      const page = await api.getMessages(conversationId, { limit: LIMITS.pageDefault })
      h.value = { items: mergeMessages([], page), hasOlder: page.length === LIMITS.pageDefault, hasNewer: false, loading: false }
    } catch (error) {
      h.value = { ...h.value, loading: false }
      throw error
    }
  }

  /** Marks everything from others up to the newest message read, here and on the server. */
  async function markSeen(conversationId: number): Promise<void> {
    const items = history(conversationId).value.items
    const conversation = find(conversationId)
    const clearUnread = () => {
      if (conversation?.unread_count) updateConversation(conversationId, (c) => ({ ...c, unread_count: 0 }))
    }
    // Someone removed from a group may read what they saw, but the server keeps no read position for them.
    if (conversation && !isMember(conversation, me.user_id)) return clearUnread()
    if (conversation && isGroup(conversation)) {
      // is_read in a group says everyone has read it: our own position says what we have.
      const latest = items.findLast((m) => m.sender_id !== me.user_id)
      clearUnread()
      if (!latest || !advanceRead(conversationId, me.user_id, latest.message_id)) return
      applyGroupReads(conversationId)
      await api.markAsRead(latest.message_id, conversationId)
      return
    }
    const latest = items.findLast((m) => m.sender_id !== me.user_id && !m.is_read)
    if (!latest && !conversation?.unread_count) return
    clearUnread()
    if (!latest) return
    const h = history(conversationId)
    h.value = { ...h.value, items: items.map((m) => (m.sender_id !== me.user_id && !m.is_read && m.message_id <= latest.message_id ? { ...m, is_read: true } : m)) }
    await api.markAsRead(latest.message_id, conversationId)
  }

  /** Moves a member's read position forward (`heard`: they were heard reading); false when it was there already. */
  function advanceRead(conversationId: number, userId: number, upTo: number, heard = false): boolean {
    const moved = advance(state.reads, conversationId, userId, upTo)
    if (heard) advance(state.readsHeard, conversationId, userId, upTo)
    return moved
  }

  function advance(table: Map<number, Map<number, number>>, conversationId: number, userId: number, upTo: number): boolean {
    if (!table.has(conversationId)) table.set(conversationId, new Map())
    const positions = table.get(conversationId)!
    if ((positions.get(userId) ?? 0) >= upTo) return false
    positions.set(userId, upTo)
    return true
  }

  const readPosition = (conversationId: number, userId: number): number => state.reads.get(conversationId)?.get(userId) ?? 0

  /**
   * The other current members (not the sender) who have seen this message, as far as we know: read up
   * to it having been there when it was sent, or heard reading past it (as the server's getReads counts).
   */
  function seenBy(conversationId: number, message: Pick<MessageDto, 'message_id' | 'sender_id' | 'created_at'>): ParticipantDto[] {
    const conversation = find(conversationId)
    if (!conversation || !isGroup(conversation)) return []
    const heard = state.readsHeard.get(conversationId)
    const sent = Date.parse(message.created_at)
    return conversation.participants.filter(
      (p) =>
        p.user_id !== message.sender_id &&
        (((heard?.get(p.user_id) ?? 0) >= message.message_id) || (Date.parse(p.joined_at) <= sent && readPosition(conversationId, p.user_id) >= message.message_id)),
    )
  }

  /** Where a group shows "Seen by N": under our latest message someone has read. */
  function seenMarker(conversationId: number): { messageId: number; count: number } | null {
    const conversation = find(conversationId)
    if (!conversation || !isGroup(conversation) || !isMember(conversation, me.user_id)) return null
    const items = history(conversationId).value.items
    for (let i = items.length - 1; i >= 0; i--) {
      const m = items[i]!
      if (m.sender_id !== me.user_id || m.system) continue
      const count = seenBy(conversationId, m).length
      if (count > 0) return { messageId: m.message_id, count }
    }
    return null
  }

  /** In a group, a message is read (✓✓) once every other current member has read up to it. */
  function applyGroupReads(conversationId: number): void {
    const conversation = find(conversationId)
    if (!conversation) return
    const readNow = (m: MessageDto) => {
      if (m.is_read || m.system) return false
      const others = conversation.participants.filter((p) => p.user_id !== m.sender_id)
      return others.length > 0 && others.every((p) => readPosition(conversationId, p.user_id) >= m.message_id)
    }
    const h = histories.get(conversationId)
    if (h?.value.items.some(readNow)) h.value = { ...h.value, items: h.value.items.map((m) => (readNow(m) ? { ...m, is_read: true } : m)) }
    if (conversation.messages.some(readNow)) updateConversation(conversationId, (c) => ({ ...c, messages: c.messages.map((m) => (readNow(m) ? { ...m, is_read: true } : m)) }))
  }

  /** Who has read a message, and when (asked of the server; it moves what we know of their positions too). */
  async function readsOf(conversationId: number, messageId: number): Promise<ReadReceiptDto[]> {
    const receipts = await api.getReads(messageId)
    for (const r of receipts) advanceRead(conversationId, r.user.user_id, messageId, true)
    applyGroupReads(conversationId)
    return receipts
  }

  /**
   * Opens a conversation: its latest page, or with `at` (a search result was chosen) the page around
   * that message when it is not loaded. An older stretch is not the latest: it is not marked seen.
   */
  async function open(conversationId: number | null, options: { at?: number } = {}): Promise<void> {
    state.activeId = conversationId
    await api.setActiveConversation(conversationId)
    if (conversationId === null) return
    const h = history(conversationId)
    const at = options.at
    if (at !== undefined && !h.value.items.some((m) => m.message_id === at)) await loadAround(conversationId, at)
    else if (h.value.items.length === 0 && h.value.hasOlder) await loadOlder(conversationId)
    if (state.activeId === conversationId && isVisible() && !h.value.hasNewer) await markSeen(conversationId)
    // A group's "Seen by": who has read our latest message, asked once as it opens; live reads move it on.
    const conversation = find(conversationId)
    const ours = conversation && isGroup(conversation) && isMember(conversation, me.user_id) ? h.value.items.findLast((m) => m.sender_id === me.user_id && !m.system) : undefined
    if (ours) void readsOf(conversationId, ours.message_id).catch(() => {})
  }

  /**
   * The newest message id of each conversation as the server's list gave it: a message at or below it
   * is a catch-up replaying what the list already counted. (Not the newest seen live: with several
   * nodes an older message can arrive after a newer one, and it is still new to the user.)
   */
  const listed = new Map<number, number | null>()

  function onMessage(message: MessageDto): void {
    const h = histories.get(message.conversation_id)
    // While an older stretch is loaded, a new message waits for the user to scroll (or jump) down to it.
    if (h && !h.value.hasNewer) h.value = { ...h.value, items: mergeMessages(h.value.items, [message]) }
    const known = find(message.conversation_id)
    if (!known) {
      // A conversation someone else started: fetch the list again to learn its participants.
      void refresh()
      return
    }
    const fromOther = message.sender_id !== me.user_id
    const wants = attention(message, { userId: me.user_id, activeConversationId: state.activeId, windowShown: isVisible(), latestKnownId: listed.get(message.conversation_id) ?? null })
    // A replay is not unread again; the latest shown is the highest id, whatever the order of arrival.
    updateConversation(message.conversation_id, (c) => ({
      ...c,
      messages: message.message_id > (c.messages[0]?.message_id ?? 0) ? [message] : c.messages,
      unread_count: c.unread_count + (wants.countUnread ? 1 : 0),
    }))
    // A read the server refuses (offline, or just removed from the group) is not worth an error: the next open reads again.
    if (fromOther && wants.inView) markSeen(message.conversation_id).catch(() => {})
    if (fromOther) stopTyping(message.conversation_id, message.sender_id)
  }

  /**
   * Applies a message's new state (edited, deleted, reacted to) wherever it is shown: the loaded
   * history, the conversation list's latest message, and the quotes of the replies to it.
   */
  function patchMessage(conversationId: number, messageId: number, change: (m: MessageDto) => MessageDto, quote?: (m: MessageDto) => ReplyToDto): void {
    const h = histories.get(conversationId)
    if (h) {
      let changed = false
      const items = h.value.items.map((m) => {
        if (m.message_id === messageId) {
          changed = true
          return change(m)
        }
        if (quote && m.reply_to?.message_id === messageId) {
          changed = true
          return { ...m, reply_to: quote(m) }
        }
        return m
      })
      if (changed) h.value = { ...h.value, items }
    }
    const conversation = find(conversationId)
    if (conversation?.messages.some((m) => m.message_id === messageId)) updateConversation(conversationId, (c) => ({ ...c, messages: c.messages.map((m) => (m.message_id === messageId ? change(m) : m)) }))
  }

  /**
   * Edited (or, by catch-up, any change): the whole message as it is now, replacing it where it is
   * shown (one not loaded is left to its page); the replies' quotes follow, as the server words them.
   */
  function onMessageUpdated(message: MessageDto): void {
    settled(message.message_id, ['edit', 'react', 'unreact'])
    const quote = quoteOf(message)
    patchMessage(message.conversation_id, message.message_id, () => message, () => quote)
  }

  /**
   * Deleted: its tombstone. One never handed on (sent and deleted while the user was away) takes its
   * place after the latest, as a page loaded now would show it.
   */
  function onMessageDeleted(tombstone: MessageDto): void {
    settled(tombstone.message_id, ['edit', 'delete', 'react', 'unreact'])
    const quote = quoteOf(tombstone)
    patchMessage(tombstone.conversation_id, tombstone.message_id, () => tombstone, () => quote)
    const h = histories.get(tombstone.conversation_id)
    const last = h?.value.items.at(-1)?.message_id
    if (h && !h.value.hasNewer && last !== undefined && tombstone.message_id > last) h.value = { ...h.value, items: mergeMessages(h.value.items, [tombstone]) }
    const conversation = find(tombstone.conversation_id)
    if (conversation && tombstone.message_id > (conversation.messages[0]?.message_id ?? 0)) updateConversation(tombstone.conversation_id, (c) => ({ ...c, messages: [tombstone] }))
  }

  function onReactionUpdated(update: ReactionUpdateDto): void {
    settled(update.message_id, ['react', 'unreact'])
    patchMessage(update.conversation_id, update.message_id, (m) => ({ ...m, reactions: update.reactions }))
  }

  /** The queue changed: what left it without failing stays laid over its message until its effect comes back. */
  function onPendingActions(queue: PendingActionDto[]): void {
    const still = new Set(queue.map((a) => a.action_id))
    const gone = state.actions.filter((a) => a.state === 'pending' && !still.has(a.action_id))
    state.actions = queue
    if (!gone.length) return
    state.sent = [...state.sent, ...gone]
    const ids = new Set(gone.map((a) => a.action_id))
    setTimeout(() => {
      if (state.sent.some((a) => ids.has(a.action_id))) state.sent = state.sent.filter((a) => !ids.has(a.action_id))
    }, SETTLE_MS)
  }

  /** The server's word on a message has come: its sent actions of these kinds are no longer laid over. */
  function settled(messageId: number, kinds: PendingActionDto['kind'][]): void {
    if (state.sent.some((a) => a.message_id === messageId && kinds.includes(a.kind))) state.sent = state.sent.filter((a) => a.message_id !== messageId || !kinds.includes(a.kind))
  }

  function markReadUpTo(conversationId: number, senderId: number, upTo: number): void {
    const h = histories.get(conversationId)
    if (h) h.value = { ...h.value, items: h.value.items.map((m) => (m.sender_id === senderId && m.message_id <= upTo && !m.is_read ? { ...m, is_read: true } : m)) }
    updateConversation(conversationId, (c) => ({
      ...c,
      messages: c.messages.map((m) => (m.sender_id === senderId && m.message_id <= upTo ? { ...m, is_read: true } : m)),
    }))
  }

  function onMessageRead(read: MessageReadDto): void {
    const conversation = find(read.conversation_id)
    // One-to-one: the reader read everything the sender sent up to it. A group: one member moved on.
    if (!conversation || !isGroup(conversation)) return markReadUpTo(read.conversation_id, read.sender_id, read.message_id)
    advanceRead(read.conversation_id, read.reader_id, read.message_id, true)
    applyGroupReads(read.conversation_id)
  }

  function onReadState(read: ReadStateDto): void {
    if (read.last_read_message_id === null) return
    const conversation = find(read.conversation_id)
    if (conversation && isGroup(conversation)) {
      advanceRead(read.conversation_id, read.user_id, read.last_read_message_id)
      return applyGroupReads(read.conversation_id)
    }
    if (read.user_id !== me.user_id) markReadUpTo(read.conversation_id, me.user_id, read.last_read_message_id)
  }

  /** A group's title, members or roles changed; one the user was just added to appears at once. */
  function onConversationUpdated(update: ConversationUpdateDto): void {
    const known = find(update.conversation_id)
    const before = new Set(known?.participants.map((p) => p.user_id) ?? [])
    if (known) updateConversation(update.conversation_id, (c) => ({ ...c, ...update }))
    else upsertConversation({ ...update, messages: [], unread_count: 0, muted: false })
    if (!isMember(update, me.user_id)) state.typing.delete(update.conversation_id)
    else if (known && !isMember(known, me.user_id)) void rejoined(update.conversation_id)
    void learnPresence(update.participants.map((p) => p.user_id).filter((id) => !before.has(id)))
  }

  /** Added back to a group: what was said while the user was out is theirs to read again, so the history loads afresh. */
  async function rejoined(conversationId: number): Promise<void> {
    const h = histories.get(conversationId)
    if (!h) return
    h.value = { items: [], hasOlder: true, hasNewer: false, loading: false }
    if (state.activeId === conversationId) await loadOlder(conversationId).catch(() => {})
  }

  /** Who of these people (new to the inbox) is online; a failed look-up leaves them offline until presence says otherwise. */
  async function learnPresence(userIds: number[]): Promise<void> {
    const ids = userIds.filter((id) => id !== me.user_id)
    if (!ids.length) return
    const online = await api.getOnlineUsers(ids).catch(() => [] as number[])
    if (online.length) state.online = new Set([...state.online, ...online])
  }

  function stopTyping(conversationId: number, userId: number): void {
    const typists = state.typing.get(conversationId)
    if (!typists?.delete(userId)) return
    if (typists.size === 0) state.typing.delete(conversationId)
  }

  function typingIn(conversationId: number): UserDto[] {
    const now = Date.now()
    const conversation = find(conversationId)
    const ids = [...(state.typing.get(conversationId)?.entries() ?? [])].filter(([, until]) => until > now).map(([id]) => id)
    return ids.map((id) => conversation?.participants.find((p) => p.user_id === id)).filter((u) => u !== undefined)
  }

  async function refresh(): Promise<void> {
    const list = await api.listConversations()
    conversations.value = list
    listed.clear()
    for (const c of list) listed.set(c.conversation_id, c.messages[0]?.message_id ?? null)
    const contacts = [...new Set(list.flatMap((c) => c.participants.map((p) => p.user_id)).filter((id) => id !== me.user_id))]
    if (contacts.length) state.online = new Set(await api.getOnlineUsers(contacts))
  }

  async function start(): Promise<void> {
    unsubscribe.push(
      api.on('new_message', onMessage),
      api.on('message_read', onMessageRead),
      api.on('read_state', onReadState),
      api.on('conversation_updated', onConversationUpdated),
      api.on('message_updated', onMessageUpdated),
      api.on('message_deleted', onMessageDeleted),
      api.on('reaction_updated', onReactionUpdated),
      api.on('outbox', (items) => (state.outbox = items)),
      api.on('pending_actions', onPendingActions),
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
    const [outbox, actions, status] = await Promise.all([api.getOutbox(), api.getPendingActions(), api.getStatus()])
    state.outbox = outbox
    state.actions = actions
    state.status = status
    try {
      await refresh()
    } finally {
      state.loaded = true
    }
  }

  async function send(conversationId: number, content: string, attachments: UploadedFileDto[] = [], replyToId?: number): Promise<void> {
    // What is sent shows at the bottom: back from an older stretch first.
    await jumpToLatest(conversationId)
    const pending = replyToId
      ? await api.sendMessage(conversationId, content, attachments.length ? attachments : undefined, { replyToId })
      : await api.sendMessage(conversationId, content, attachments.length ? attachments : undefined)
    if (!state.outbox.some((p) => p.client_id === pending.client_id) && !history(conversationId).value.items.some((m) => m.client_id === pending.client_id)) {
      state.outbox = [...state.outbox, pending]
    }
  }

  async function startConversation(userId: number): Promise<ConversationDto> {
    return took(api.startConversation(userId))
  }

  /** Stores what a change answered with (the conversation as the user now sees it). */
  async function took(change: Promise<ConversationDto>): Promise<ConversationDto> {
    const conversation = await change
    upsertConversation(conversation)
    await learnPresence(conversation.participants.map((p) => p.user_id).filter((id) => !state.online.has(id)))
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
    seenBy,
    seenMarker,
    readsOf,
    createGroup: (title: string, memberIds: number[]) => took(api.createGroup(title, memberIds)),
    rename: (conversationId: number, title: string) => took(api.updateConversation(conversationId, { title })),
    setMuted: (conversationId: number, muted: boolean) => took(api.updateConversation(conversationId, { muted })),
    addMembers: (conversationId: number, userIds: number[]) => took(api.addMembers(conversationId, userIds)),
    removeMember: (conversationId: number, userId: number) => took(api.removeMember(conversationId, userId)),
    setRole: (conversationId: number, userId: number, role: MemberRole) => took(api.setMemberRole(conversationId, userId, role)),
    leave: (conversationId: number) => took(api.removeMember(conversationId, me.user_id)),
    retry: (clientId: string) => api.retrySend(clientId),
    discard: (clientId: string) => api.discardSend(clientId),
    loadAround,
    loadNewer,
    jumpToLatest,
    // Edits, deletions and reactions go to the client's queue; how they stand shows through `pending_actions`
    // alone (the answer may come after the queue has already sent it and said so).
    edit: (message: Pick<MessageDto, 'message_id' | 'conversation_id'>, content: string) => api.editMessage(message.message_id, message.conversation_id, content),
    remove: (message: Pick<MessageDto, 'message_id' | 'conversation_id'>) => api.deleteMessage(message.message_id, message.conversation_id),
    react: (message: Pick<MessageDto, 'message_id' | 'conversation_id'>, emoji: string, on: boolean) => api.react(message.message_id, message.conversation_id, emoji, on),
    versions: (messageId: number) => api.getMessageVersions(messageId),
    retryAction: (actionId: string) => api.retryAction(actionId),
    discardAction: (actionId: string) => api.discardAction(actionId),
  }
}

export type Inbox = ReturnType<typeof createInbox>
