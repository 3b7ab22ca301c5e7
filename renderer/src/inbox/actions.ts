// What the user may do to a message (reply, edit, delete, react), and how the edits, deletions and
// reactions still in the client's queue show on it before the server has them. Pure functions: the
// store and the bubble share them, and tests call them directly.
import type { MessageDto, ReactionDto } from '../../../electron/shared/dto'
import { LIMITS } from '../../../electron/shared/limits'
import type { PendingActionDto } from '../../../electron/shared/messenger-api'

/** What the server wrote once a message was deleted: a tombstone. */
export const isDeleted = (message: Pick<MessageDto, 'deleted_at'>): boolean => message.deleted_at !== null

/** Something people wrote and that is still there: the server's notices and tombstones take no action. */
export const isActionable = (message: Pick<MessageDto, 'system' | 'deleted_at'>): boolean => !message.system && !isDeleted(message)

/**
 * Edit is offered on the user's own messages within the edit window. The server also caps the number
 * of edits (LIMITS.editsMax), which a message does not carry: its refusal shows on the bubble.
 */
export function canEdit(message: MessageDto, me: number, now: number = Date.now()): boolean {
  return isActionable(message) && message.sender_id === me && now - Date.parse(message.created_at) < LIMITS.editWindowMs
}

/** Delete for everyone: one's own messages, and in a group anyone's for its owner and admins (`manager`). */
export function canDelete(message: MessageDto, me: number, manager: boolean): boolean {
  return isActionable(message) && (message.sender_id === me || manager)
}

/** The start of a text as a reply quotes it: cut by code points, as the server cuts it. */
export function excerptOf(content: string): string {
  return [...content].slice(0, LIMITS.replyExcerptChars).join('')
}

/**
 * A message's reactions with the user's reaction with `emoji` added (`on`) or taken back. Applying it
 * twice changes nothing more, so a queued reaction can be laid over any later state the server sends.
 */
export function withReaction(reactions: ReactionDto[], emoji: string, me: number, on: boolean): ReactionDto[] {
  const found = reactions.find((r) => r.emoji === emoji)
  if (on) {
    if (found?.user_ids.includes(me)) return reactions
    // Past LIMITS.reactionUsersShown the server leaves later reactors out of user_ids; the optimistic
    // view lists the user anyway, so applying the same queued reaction again stays a no-op.
    if (found) return reactions.map((r) => (r === found ? { ...r, count: r.count + 1, user_ids: [...r.user_ids, me] } : r))
    return [...reactions, { emoji, count: 1, user_ids: [me] }]
  }
  // Not among those named: nothing we can take back here (the server still will).
  if (!found?.user_ids.includes(me)) return reactions
  if (found.count <= 1) return reactions.filter((r) => r !== found)
  return reactions.map((r) => (r === found ? { ...r, count: r.count - 1, user_ids: r.user_ids.filter((id) => id !== me) } : r))
}

/** Whether the user's reaction is among a reaction's named people. */
export const reactedByMe = (reaction: ReactionDto, me: number): boolean => reaction.user_ids.includes(me)

/**
 * A message as the user should see it now: the server's state with the user's queued (not failed)
 * edits and reactions laid over it, in the order they were made, plus the queued actions on it.
 * `sent`: actions that have left the queue but whose effect has not come back yet, laid over first
 * (so the message does not flip back meanwhile) and not reported as queued. A queued deletion is not
 * laid over: the message shows "Deleting…" until the server has it.
 */
export function withPending(message: MessageDto, queue: PendingActionDto[], me: number, sent: PendingActionDto[] = []): { message: MessageDto; actions: PendingActionDto[] } {
  const actions = queue.filter((a) => a.message_id === message.message_id)
  const overlays = [...sent.filter((a) => a.message_id === message.message_id), ...actions]
  if (!overlays.length || isDeleted(message)) return { message, actions }
  let shown = message
  for (const a of overlays) {
    if (a.state !== 'pending') continue
    if (a.kind === 'edit' && a.content !== undefined) shown = { ...shown, content: a.content }
    else if ((a.kind === 'react' || a.kind === 'unreact') && a.emoji) shown = { ...shown, reactions: withReaction(shown.reactions, a.emoji, me, a.kind === 'react') }
  }
  return { message: shown, actions }
}

/** "You, Bob Babbage and 3 more": who reacted, by name, with those the server did not name counted. */
export function reactorsText(reaction: ReactionDto, me: number, nameOf: (userId: number) => string): string {
  const names = reaction.user_ids.map((id) => (id === me ? 'You' : nameOf(id)))
  const more = reaction.count - reaction.user_ids.length
  if (more > 0) return names.length ? `${names.join(', ')} and ${more} more` : `${more} ${more === 1 ? 'person' : 'people'}`
  if (names.length <= 1) return names.join('')
  return `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`
}

/** What a queued action is doing, as the bubble says it. */
export const ACTION_LABELS: Record<PendingActionDto['kind'], { pending: string; failed: string }> = {
  edit: { pending: 'Saving…', failed: 'Edit not saved' },
  delete: { pending: 'Deleting…', failed: 'Not deleted' },
  react: { pending: 'Reacting…', failed: 'Reaction not sent' },
  unreact: { pending: 'Removing reaction…', failed: 'Reaction not removed' },
}
