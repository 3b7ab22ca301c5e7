import type { ConversationDto, MessageDto } from '../shared/dto'

export interface AttentionState {
  /** The signed-in user. */
  selfId: number
  windowFocused: boolean
  /** The conversation on screen, if any. */
  activeConversationId: number | null
  doNotDisturb: boolean
}

/** A message notifies when someone else sent it and it is not already in front of the user. */
export function shouldNotify(message: MessageDto, state: AttentionState): boolean {
  if (message.sender_id === state.selfId) return false
  if (state.doNotDisturb) return false
  const inView = state.windowFocused && state.activeConversationId === message.conversation_id
  return !inView
}

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

/** The badge: unread messages across every conversation. */
export function unreadTotal(conversations: Pick<ConversationDto, 'unread_count'>[]): number {
  return conversations.reduce((sum, c) => sum + c.unread_count, 0)
}

export function trayTooltip(unread: number): string {
  return unread === 0 ? 'Switchboard' : `Switchboard: ${unread} unread message${unread === 1 ? '' : 's'}`
}
