// What an incoming message asks of the user, decided once for the desktop app's main process (native
// notifications, the badge) and the inbox (unread counts, marking read), so the two cannot disagree.
import type { MessageDto } from './dto'

export interface Viewer {
  /** The signed-in user. */
  userId: number
  /** The conversation on screen, if any. */
  activeConversationId: number | null
  /**
   * The window is in front of the user. Main asks whether it is focused (a visible window the user is
   * not looking at still notifies); the page asks whether it is visible.
   */
  windowShown: boolean
  /** The newest message id already known in the message's conversation; null when none is. */
  latestKnownId: number | null
  doNotDisturb?: boolean
  /** The user muted the message's conversation: counted unread in the list, but no notification and no badge. */
  muted?: boolean
}

export interface Attention {
  /** At or before the newest message already known: a catch-up replaying it, already counted. */
  replay: boolean
  /** The user is looking at its conversation. */
  inView: boolean
  notify: boolean
  /** Counts as unread in the conversation list. */
  countUnread: boolean
  /** Counts on the app's badge (unread, and not muted). */
  badge: boolean
}

export function attention(message: Pick<MessageDto, 'message_id' | 'conversation_id' | 'sender_id' | 'is_read' | 'system'>, viewer: Viewer): Attention {
  const replay = viewer.latestKnownId !== null && message.message_id <= viewer.latestKnownId
  const inView = viewer.windowShown && viewer.activeConversationId === message.conversation_id
  // Our own messages (from another device), those already read elsewhere and the server's notices
  // (a group renamed, people added) want nothing of us.
  const wanting = !replay && !inView && message.sender_id !== viewer.userId && !message.is_read && !message.system
  const heard = wanting && !viewer.muted
  return { replay, inView, notify: heard && !viewer.doNotDisturb, countUnread: wanting, badge: heard }
}
