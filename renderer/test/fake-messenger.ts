// A MessengerApi in memory for component tests: records calls, and `emit` plays server events.
import { vi } from 'vitest'
import type { ConversationDto, MemberRole, MessageDto, ParticipantDto, UserDto } from '../../electron/shared/dto'
import { Emitter } from '../../electron/shared/emitter'
import type { AppEventName, AppEvents, MessengerApi, PendingMessageDto } from '../../electron/shared/messenger-api'

export const ada: UserDto = { user_id: 1, username: 'ada', display_name: 'Ada Lovelace' }
export const bob: UserDto = { user_id: 2, username: 'bob', display_name: 'Bob Babbage' }
export const cyd: UserDto = { user_id: 3, username: 'cyd', display_name: 'Cyd Charisse' }
export const dee: UserDto = { user_id: 4, username: 'dee', display_name: 'Dee Dee' }

let nextId = 100
export function message(over: Partial<MessageDto> & { conversation_id: number; sender: UserDto }): MessageDto {
  const id = over.message_id ?? nextId++
  return { message_id: id, sender_id: over.sender.user_id, content: `message ${id}`, created_at: '2026-11-27T10:00:00.000Z', is_read: false, client_id: null, attachments: [], system: null, ...over }
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
    getMessages: vi.fn(async (id: number, page?: { before?: number; limit?: number }) => {
      const all = data.history?.[id] ?? []
      const before = page?.before ?? Infinity
      return all.filter((m) => m.message_id < before).slice(-(page?.limit ?? 50))
    }),
    sendMessage: vi.fn(async (conversation_id: number, content: string): Promise<PendingMessageDto> => ({
      client_id: `c${++clientIds}`,
      conversation_id,
      content,
      queued_at: new Date().toISOString(),
      state: 'pending',
      attempts: 0,
    })),
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
