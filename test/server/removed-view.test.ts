// What a removed member's inbox keeps of a group: the group as it was at their removal, and nothing
// of what it became after (its new name, who joined, when it last moved).
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { ConversationDto, MessageDto } from '../../electron/shared/dto'
import { pair, person } from '../helpers/api'
import { noLimits, startServer, type TestServer } from '../helpers/server'

let srv: TestServer
beforeAll(async () => {
  srv = await startServer(noLimits)
})
afterAll(() => srv.close())

it('keeps a removed member’s group as it was at their removal: its title then, no members, its last message and time the notice of the removal, nothing unread', async () => {
  const { ada, bob, conversationId } = await pair(srv.url)
  const cy = await person(srv.url, 'cy')
  const dee = await person(srv.url, 'dee')
  const group = (await ada.api.post<ConversationDto>('/api/groups', { title: 'Team', member_ids: [bob.user.user_id, cy.user.user_id] })).body
  await ada.api.patch(`/api/conversations/${group.conversation_id}`, { title: 'Team room' })
  // Unread by bob when he is removed: he can no longer mark it read, so it no longer counts.
  await cy.api.post(`/api/messages/${group.conversation_id}`, { content: 'unread by bob', sender_id: cy.user.user_id })
  expect((await bob.api.get<ConversationDto[]>(`/api/conversations/${bob.user.user_id}`)).body.find((c) => c.conversation_id === group.conversation_id)!.unread_count).toBe(1)
  const removed = await ada.api.request<ConversationDto>('DELETE', `/api/conversations/${group.conversation_id}/members/${bob.user.user_id}`)
  expect(removed.status).toBe(200)
  const notice = removed.body.messages[0]!
  expect(notice).toMatchObject({ content: 'ada removed bob', system: { type: 'removed', user_ids: [bob.user.user_id] } })
  // The one-to-one chat moves after the removal, the group after that: the group stays below it for bob.
  const direct = (await ada.api.post<MessageDto>(`/api/messages/${conversationId}`, { content: 'still friends', sender_id: ada.user.user_id })).body
  await ada.api.patch(`/api/conversations/${group.conversation_id}`, { title: 'Secret new name' })
  await ada.api.post(`/api/conversations/${group.conversation_id}/members`, { user_ids: [dee.user.user_id] })
  await ada.api.post(`/api/messages/${group.conversation_id}`, { content: 'after bob', sender_id: ada.user.user_id })

  const bobs = (await bob.api.get<ConversationDto[]>(`/api/conversations/${bob.user.user_id}`)).body
  expect(bobs.map((c) => c.conversation_id)).toEqual([conversationId, group.conversation_id])
  expect(bobs[0]!.messages[0]!.message_id).toBe(direct.message_id)
  expect(bobs[1]).toMatchObject({ kind: 'group', title: 'Team room', participants: [], updated_at: notice.created_at, unread_count: 0 })
  expect(bobs[1]!.messages.map((m) => m.message_id)).toEqual([notice.message_id])
  // The others see the group as it is now.
  const adas = (await ada.api.get<ConversationDto[]>(`/api/conversations/${ada.user.user_id}`)).body
  const now = adas.find((c) => c.conversation_id === group.conversation_id)!
  expect(now.title).toBe('Secret new name')
  expect(now.participants.map((p) => p.user_id).sort((a, b) => a - b)).toEqual([ada.user.user_id, cy.user.user_id, dee.user.user_id].sort((a, b) => a - b))
  expect(adas[0]!.conversation_id).toBe(group.conversation_id)
})
