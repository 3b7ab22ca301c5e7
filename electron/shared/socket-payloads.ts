// The socket contract's run-time half: one zod schema per client event, beside the typed event map
// (events.ts) and built from the schemas of schemas.ts, so neither of those imports the other.
import type { z } from 'zod'
import type { ClientToServerEvents } from './events'
import { joinConversationPayload, leaveConversationPayload, markAsReadPayload, presencePayload, sendMessagePayload, syncPayload, typingPayload } from './schemas'

/**
 * The schema of every client event's payload: the socket server validates each event with its entry,
 * and tests list the events from its keys. The type check keeps it complete and in step with the event
 * map (a missing event, an extra one or a schema of another shape does not compile).
 */
export const clientEventPayloads = {
  join_conversation: joinConversationPayload,
  leave_conversation: leaveConversationPayload,
  send_message: sendMessagePayload,
  mark_as_read: markAsReadPayload,
  typing: typingPayload,
  sync: syncPayload,
  get_presence: presencePayload,
} satisfies { [E in keyof ClientToServerEvents]: z.ZodType<unknown, Parameters<ClientToServerEvents[E]>[0]> }
