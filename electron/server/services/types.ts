import type { MessageDto, UserDto } from '../../shared/dto'

/** The authenticated caller of a route or socket event. */
export type Actor = UserDto

/** What the service layer announces after a write is committed; the socket layer broadcasts it. */
export interface ChatEventMap {
  message_created: { message: MessageDto; participantIds: number[] }
  message_read: { message: MessageDto; participantIds: number[] }
}

export type ChatEventName = keyof ChatEventMap

export class ChatEvents {
  private listeners: { [K in ChatEventName]: ((event: ChatEventMap[K]) => void)[] } = { message_created: [], message_read: [] }

  on<K extends ChatEventName>(name: K, listener: (event: ChatEventMap[K]) => void): () => void {
    this.listeners[name].push(listener)
    return () => {
      this.listeners[name] = this.listeners[name].filter((l) => l !== listener) as never
    }
  }

  emit<K extends ChatEventName>(name: K, event: ChatEventMap[K]): void {
    for (const listener of this.listeners[name]) listener(event)
  }
}
