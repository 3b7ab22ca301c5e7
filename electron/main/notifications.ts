import { attention, type Attention, type Viewer } from '../shared/attention'
import type { ConversationDto, MessageDto } from '../shared/dto'

const BODY_MAX = 140

/** What the notification says: who, and a short plain-text preview. */
export function notificationContent(message: MessageDto): { title: string; body: string } {
  const text = message.content.replace(/\s+/g, ' ').trim()
  const files = message.attachments.length
  const body = text
    ? text.length > BODY_MAX
      ? `${text.slice(0, BODY_MAX - 1)}…`
      : text
    : files === 1
      ? `Sent a file: ${message.attachments[0]!.file_name}`
      : `Sent ${files} files`
  return { title: message.sender.display_name || message.sender.username, body }
}

/**
 * The badge's unread counts per conversation, with the newest message id known in each: a catch-up
 * replaying what the list already counted neither counts nor notifies again.
 */
export class UnreadCounts {
  private readonly byConversation = new Map<number, { unread: number; latest: number | null }>()

  /** The server's counts, from the conversation list. */
  reset(conversations: Pick<ConversationDto, 'conversation_id' | 'unread_count' | 'messages'>[]): void {
    this.byConversation.clear()
    for (const c of conversations) this.byConversation.set(c.conversation_id, { unread: c.unread_count, latest: c.messages[0]?.message_id ?? null })
  }

  /** Applies the shared rule to an incoming message (counting it if it asks to be) and says what it asks. */
  receive(message: MessageDto, viewer: Omit<Viewer, 'latestKnownId'>): Attention {
    const known = this.byConversation.get(message.conversation_id) ?? { unread: 0, latest: null }
    const wants = attention(message, { ...viewer, latestKnownId: known.latest })
    this.byConversation.set(message.conversation_id, {
      unread: known.unread + (wants.countUnread ? 1 : 0),
      latest: Math.max(known.latest ?? 0, message.message_id),
    })
    return wants
  }

  read(conversationId: number): void {
    const known = this.byConversation.get(conversationId)
    if (known) known.unread = 0
  }

  clear(): void {
    this.byConversation.clear()
  }

  /** Unread messages across every conversation. */
  get total(): number {
    let sum = 0
    for (const { unread } of this.byConversation.values()) sum += unread
    return sum
  }
}

export function trayTooltip(unread: number): string {
  return unread === 0 ? 'Switchboard' : `Switchboard: ${unread} unread message${unread === 1 ? '' : 's'}`
}
