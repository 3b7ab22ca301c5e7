// A reply's quote is derived from the message it quotes, as that message is now: the server builds it
// for every answer, and a client that already holds the quoted message rebuilds the quotes of its
// replies whenever it changes (an edit or a deletion sends no event for the replies themselves).
import type { ReplyToDto, UserDto } from './dto'
import { LIMITS } from './limits'

/** The quote of a message: the start of its text, or "deleted message" once it is deleted. */
export function quoteOf(message: { message_id: number; sender: UserDto; content: string; deleted_at: string | Date | null }): ReplyToDto {
  const deleted = message.deleted_at !== null
  return {
    message_id: message.message_id,
    sender: { user_id: message.sender.user_id, username: message.sender.username, display_name: message.sender.display_name },
    excerpt: deleted ? 'deleted message' : [...message.content].slice(0, LIMITS.replyExcerptChars).join(''),
    deleted,
  }
}
