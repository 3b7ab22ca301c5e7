import type { ConversationUpdateDto, MessageDto, MessageReadDto, ReactionUpdateDto, UserDto } from '../../shared/dto'
import { Emitter } from '../../shared/emitter'

/** The authenticated caller of a route or socket event. */
export type Actor = UserDto

/**
 * What the service layer announces after a write is committed; the socket layer broadcasts it. Each
 * carries the position its write took in the change feed (`seq`): every position taken is announced
 * exactly once, so the socket layer can deliver them in order.
 */
export type ChatEventMap = {
  message_created: { seq: number; message: MessageDto; participantIds: number[] }
  message_read: { seq: number; message: MessageReadDto; participantIds: number[] }
  /** A group's title, members or roles changed; `removed` are told once more, then nothing. */
  conversation_updated: { seq: number; conversation: ConversationUpdateDto; participantIds: number[]; added: number[]; removed: number[] }
  message_updated: { seq: number; message: MessageDto; participantIds: number[] }
  message_deleted: { seq: number; message: MessageDto; participantIds: number[] }
  reaction_updated: { seq: number; reaction: ReactionUpdateDto; participantIds: number[] }
}

export type ChatEventName = keyof ChatEventMap

/**
 * The shared emitter: a listener that throws (a broadcast) no longer fails the write that was
 * already committed, nor the other messages of its batch; its error is thrown again on its own.
 */
export class ChatEvents extends Emitter<ChatEventMap> {}
