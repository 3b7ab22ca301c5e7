// A MessengerApi in memory for component tests: records calls, and `emit` plays server events.
import { vi } from 'vitest'
import type { ConversationDto, MemberRole, MessageDto, MessageVersionDto, ParticipantDto, SearchPageDto, UserDto } from '../../electron/shared/dto'
import { Emitter } from '../../electron/shared/emitter'
import type { AppEventName, AppEvents, MessengerApi, PendingActionDto, PendingMessageDto, SearchParams } from '../../electron/shared/messenger-api'

export const ada: UserDto = { user_id: 1, username: 'ada', display_name: 'Ada Lovelace' }
export const bob: UserDto = { user_id: 2, username: 'bob', display_name: 'Bob Babbage' }
export const cyd: UserDto = { user_id: 3, username: 'cyd', display_name: 'Cyd Charisse' }
export const dee: UserDto = { user_id: 4, username: 'dee', display_name: 'Dee Dee' }

let nextId = 100
export function message(over: Partial<MessageDto> & { conversation_id: number; sender: UserDto }): MessageDto {
  const id = over.message_id ?? nextId++
  return {
    message_id: id,
    sender_id: over.sender.user_id,
    content: `message ${id}`,
    created_at: '2026-11-27T10:00:00.000Z',
    is_read: false,
    client_id: null,
    attachments: [],
    system: null,
    reply_to: null,
    edited_at: null,
    deleted_at: null,
    reactions: [],
    ...over,
  }
}

export const member = (user: UserDto, role: MemberRole = 'member'): ParticipantDto => ({ ...user, role, joined_at: '2026-11-01T00:00:00.000Z' })

export function conversation(id: number, other: UserDto, over: Partial<ConversationDto> = {}): ConversationDto {
  return { conversation_id: id, kind: 'direct', title: null, created_at: '2026-11-01T00:00:00.000Z', updated_at: '2026-11-01T00:00:00.000Z', participants: [member(ada), member(other)], messages: [], unread_count: 0, muted: false, ...over }
}

/** A group with these members (with their roles; leave Ada out for a group she is no longer in). */
export function group(id: number, title: string, members: ParticipantDto[], over: Partial<ConversationDto> = {}): ConversationDto {
  return { ...conversation(id, bob, over), kind: 'group', title, participants: members, ...over }
}

export function fakeMessenger(data: { conversations?: ConversationDto[]; history?: Record<number, MessageDto[]>; online?: number[] } = {}) {
  const events = new Emitter<AppEvents>()
  let clientIds = 0
  let actionIds = 0
  /** What the client layer answers an action with: queued, not yet acknowledged. */
  const queued = (kind: PendingActionDto['kind'], message_id: number, conversation_id: number, more: Partial<PendingActionDto> = {}): PendingActionDto => ({
    action_id: `a${++actionIds}`,
    kind,
    message_id,
    conversation_id,
    queued_at: new Date().toISOString(),
    state: 'pending',
    attempts: 0,
    ...more,
  })
  const api = {
    getSetup: vi.fn(async () => ({ mode: 'join' as const, lan: false, server_url: 'http://server', lan_urls: [] })),
    hostServer: vi.fn(),
    joinServer: vi.fn(),
    discoverServers: vi.fn(async () => []),
    getSession: vi.fn(async () => ({ server_url: 'http://server', user: ada })),
    register: vi.fn(),
    login: vi.fn(),
    logout: vi.fn(async () => {}),
    listConversations: vi.fn(async () => data.conversations ?? []),
    searchUsers: vi.fn(async () => [bob, cyd]),
    startConversation: vi.fn(),
    createGroup: vi.fn(),
    updateConversation: vi.fn(),
    addMembers: vi.fn(),
    removeMember: vi.fn(),
    setMemberRole: vi.fn(),
    getReads: vi.fn(async () => []),
    getMessages: vi.fn(async (id: number, page?: { before?: number; around?: number; limit?: number }) => {
      const all = data.history?.[id] ?? []
      const limit = page?.limit ?? 50
      if (page?.around !== undefined) {
        // As the server pages around a message: half before it, the rest from it on.
        const at = all.findIndex((m) => m.message_id >= page.around!)
        const from = Math.max(0, (at < 0 ? all.length : at) - Math.floor(limit / 2))
        return all.slice(from, from + limit)
      }
      const before = page?.before ?? Infinity
      return all.filter((m) => m.message_id < before).slice(-limit)
    }),
    // No results unless a test says otherwise (mockResolvedValue / mockImplementation).
    searchMessages: vi.fn(async (_search: SearchParams): Promise<SearchPageDto> => ({ results: [], next_cursor: null })),
    sendMessage: vi.fn(async (conversation_id: number, content: string, _attachments?: unknown, options?: { replyToId?: number }): Promise<PendingMessageDto> => ({
      client_id: `c${++clientIds}`,
      conversation_id,
      content,
      ...(options?.replyToId ? { reply_to_id: options.replyToId } : {}),
      queued_at: new Date().toISOString(),
      state: 'pending',
      attempts: 0,
    })),
    editMessage: vi.fn(async (messageId: number, conversationId: number, content: string) => queued('edit', messageId, conversationId, { content })),
    deleteMessage: vi.fn(async (messageId: number, conversationId: number) => queued('delete', messageId, conversationId)),
    react: vi.fn(async (messageId: number, conversationId: number, emoji: string, on: boolean) => queued(on ? 'react' : 'unreact', messageId, conversationId, { emoji })),
    getMessageVersions: vi.fn(async (_messageId: number) => [] as MessageVersionDto[]),
    getPendingActions: vi.fn(async () => [] as PendingActionDto[]),
    retryAction: vi.fn(async (_actionId: string) => {}),
    discardAction: vi.fn(async (_actionId: string) => {}),
    retrySend: vi.fn(async () => {}),
    discardSend: vi.fn(async () => {}),
    getOutbox: vi.fn(async () => []),
    markAsRead: vi.fn(async () => {}),
    joinConversation: vi.fn(async () => []),
    leaveConversation: vi.fn(async (_id: number) => {}),
    setTyping: vi.fn(async () => {}),
    getOnlineUsers: vi.fn(async (ids: number[]) => ids.filter((id) => data.online?.includes(id))),
    getStatus: vi.fn(async () => ({ state: 'online' as const, pending: 0, failed: 0 })),
    uploadFile: vi.fn(),
    getFile: vi.fn(),
    setActiveConversation: vi.fn(async () => {}),
    getPreferences: vi.fn(async () => ({ do_not_disturb: false })),
    setPreferences: vi.fn(),
    openExternal: vi.fn(),
    on: <E extends AppEventName>(event: E, listener: (payload: AppEvents[E]) => void) => events.on(event, listener),
  } satisfies Record<keyof MessengerApi, unknown>
  return {
    api: api as unknown as MessengerApi & typeof api,
    emit: <E extends AppEventName>(event: E, payload: AppEvents[E]) => events.emit(event, payload),
    listenerCount: (event: AppEventName) => events.listenerCount(event),
  }
}

export const flush = () => new Promise((resolve) => setTimeout(resolve, 0))
