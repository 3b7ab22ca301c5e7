import { attention, type Attention, type Viewer } from '../shared/attention'
import type { ConversationDto, MessageDto } from '../shared/dto'

const BODY_MAX = 140
/** Ids remembered per conversation as received, to count each once. */
const RECEIVED_KEPT = 1_000
/** Notifications remembered, to close a deleted message's: the newest, which are the ones still on screen. */
const SHOWN_KEPT = 200

/** What the notification says: who (and in which group), and a short plain-text preview. */
export function notificationContent(message: MessageDto, groupTitle?: string | null): { title: string; body: string } {
  const text = message.content.replace(/\s+/g, ' ').trim()
  const files = message.attachments.length
  const body = text
    ? text.length > BODY_MAX
      ? `${text.slice(0, BODY_MAX - 1)}…`
      : text
    : files === 1
      ? `Sent a file: ${message.attachments[0]!.file_name}`
      : `Sent ${files} files`
  const sender = message.sender.display_name || message.sender.username
  return { title: groupTitle ? `${sender} in ${groupTitle}` : sender, body }
}

interface Known {
  unread: number
  /** The newest message id the server's list reported: at or below it, a catch-up replaying what the list counted. */
  listed: number | null
  /** Ids received since, each counted once. */
  received: Set<number>
  muted: boolean
  /** A group's title; null for a one-to-one chat. */
  title: string | null
}

/**
 * The badge's unread counts per conversation, with the newest message id the list reported in each
 * and the ids received since (a catch-up replaying what was already counted neither counts nor
 * notifies again; an older message arriving after a newer one, across nodes, still does), whether
 * the user muted it (no notification, not on the badge) and a group's title (for the notification).
 */
export class UnreadCounts {
  private readonly byConversation = new Map<number, Known>()

  /** The server's counts, from the conversation list. */
  reset(conversations: Pick<ConversationDto, 'conversation_id' | 'unread_count' | 'messages' | 'muted' | 'title'>[]): void {
    this.byConversation.clear()
    for (const c of conversations) {
      this.byConversation.set(c.conversation_id, { unread: c.unread_count, listed: c.messages[0]?.message_id ?? null, received: new Set(), muted: c.muted, title: c.title })
    }
  }

  /** A conversation's title or muted setting changed (or the user was added to a group). */
  describe(conversation: Pick<ConversationDto, 'conversation_id' | 'title'> & { muted?: boolean | undefined }): void {
    const known = this.byConversation.get(conversation.conversation_id) ?? this.unknown()
    this.byConversation.set(conversation.conversation_id, { ...known, title: conversation.title, muted: conversation.muted ?? known.muted })
  }

  /** A group's title, for a notification; null for a one-to-one chat or one not known. */
  titleOf(conversationId: number): string | null {
    return this.byConversation.get(conversationId)?.title ?? null
  }

  /** Applies the shared rule to an incoming message (counting it if it asks to be) and says what it asks. */
  receive(message: MessageDto, viewer: Omit<Viewer, 'latestKnownId'>): Attention {
    const known = this.byConversation.get(message.conversation_id) ?? this.unknown()
    const again = known.received.has(message.message_id)
    const wants = attention(message, { ...viewer, latestKnownId: again ? message.message_id : known.listed, muted: known.muted })
    known.received.add(message.message_id)
    // The newest ids are the ones a replay can repeat (a reconnect looks back seconds, not days).
    if (known.received.size > RECEIVED_KEPT) known.received.delete(known.received.values().next().value as number)
    this.byConversation.set(message.conversation_id, { ...known, unread: known.unread + (wants.countUnread ? 1 : 0) })
    return wants
  }

  private unknown(): Known {
    return { unread: 0, listed: null, received: new Set(), muted: false, title: null }
  }

  read(conversationId: number): void {
    const known = this.byConversation.get(conversationId)
    if (known) known.unread = 0
  }

  clear(): void {
    this.byConversation.clear()
  }

  /** Unread messages across every conversation not muted: the badge. */
  get total(): number {
    let sum = 0
    for (const { unread, muted } of this.byConversation.values()) if (!muted) sum += unread
    return sum
  }
}

/** A notification on screen that can be taken back (Electron's Notification). */
export interface Closable {
  close(): void
}

/**
 * The notifications shown, by message: a message deleted for everyone takes its notification back
 * where the platform allows (Electron's close() removes it from the screen, and on Windows from the
 * Action Center). Only the newest SHOWN_KEPT are remembered; older ones are long gone from view.
 */
export class ShownNotifications<T extends Closable = Closable> {
  private readonly byMessage = new Map<number, T>()

  constructor(private readonly kept = SHOWN_KEPT) {}

  add(messageId: number, notification: T): void {
    this.byMessage.delete(messageId)
    this.byMessage.set(messageId, notification)
    for (const id of this.byMessage.keys()) {
      if (this.byMessage.size <= this.kept) break
      this.byMessage.delete(id)
    }
  }

  /** The user dismissed or clicked it: nothing left to close (only if it is still the one remembered). */
  forget(messageId: number, notification: T): void {
    if (this.byMessage.get(messageId) === notification) this.byMessage.delete(messageId)
  }

  /** Closes the message's notification, if one is on screen; true when there was one. */
  close(messageId: number): boolean {
    const notification = this.byMessage.get(messageId)
    if (!notification) return false
    this.byMessage.delete(messageId)
    notification.close()
    return true
  }

  get size(): number {
    return this.byMessage.size
  }
}

export function trayTooltip(unread: number): string {
  return unread === 0 ? 'Switchboard' : `Switchboard: ${unread} unread message${unread === 1 ? '' : 's'}`
}
