import { describe, expect, it, vi } from 'vitest'
import { LIMITS } from '../../electron/shared/limits'
import { createInbox, receiptOf, sortByActivity, type ChatItem } from '../src/inbox/inbox'
import { ada, bob, conversation, cyd, fakeMessenger, flush, message } from './fake-messenger'

const withLatest = (id: number, other = bob, at = '2026-11-27T10:00:00.000Z', unread = 0) =>
  conversation(id, other, { messages: [message({ conversation_id: id, sender: other, created_at: at })], unread_count: unread })

describe('the conversation list', () => {
  it('sorts by latest activity; conversations without messages by when they were created', () => {
    const list = [
      withLatest(1, bob, '2026-11-27T09:00:00.000Z'),
      conversation(2, cyd, { created_at: '2026-11-27T09:30:00.000Z', updated_at: '2026-11-27T09:30:00.000Z' }),
      withLatest(3, bob, '2026-11-27T11:00:00.000Z'),
    ]
    expect(sortByActivity(list).map((c) => c.conversation_id)).toEqual([3, 2, 1])
  })

  it('moves a conversation to the top and counts unread when a message arrives outside the open one', async () => {
    const fake = fakeMessenger({ conversations: [withLatest(1, bob, '2026-11-27T11:00:00.000Z'), withLatest(2, cyd, '2026-11-27T09:00:00.000Z')] })
    const inbox = createInbox(fake.api, ada, { isVisible: () => true })
    await inbox.start()
    expect(inbox.conversations.value.map((c) => c.conversation_id)).toEqual([1, 2])
    fake.emit('new_message', message({ conversation_id: 2, sender: cyd, created_at: '2026-11-27T12:00:00.000Z', content: 'hi' }))
    fake.emit('new_message', message({ conversation_id: 2, sender: cyd, created_at: '2026-11-27T12:01:00.000Z', content: 'there' }))
    expect(inbox.conversations.value.map((c) => c.conversation_id)).toEqual([2, 1])
    expect(inbox.conversations.value[0]).toMatchObject({ unread_count: 2, messages: [{ content: 'there' }] })
    expect(inbox.unreadTotal.value).toBe(2)
    // Our own messages never count as unread.
    fake.emit('new_message', message({ conversation_id: 1, sender: ada, created_at: '2026-11-27T12:02:00.000Z' }))
    expect(inbox.conversations.value.find((c) => c.conversation_id === 1)!.unread_count).toBe(0)
  })

  it('does not count again a message the list already knows (a catch-up replaying it)', async () => {
    const latest = message({ conversation_id: 1, sender: bob, message_id: 50 })
    const fake = fakeMessenger({ conversations: [conversation(1, bob, { messages: [latest], unread_count: 2 })] })
    const inbox = createInbox(fake.api, ada)
    await inbox.start()
    fake.emit('new_message', message({ conversation_id: 1, sender: bob, message_id: 49 }))
    fake.emit('new_message', latest)
    expect(inbox.conversations.value[0]).toMatchObject({ unread_count: 2, messages: [{ message_id: 50 }] })
    fake.emit('new_message', message({ conversation_id: 1, sender: bob, message_id: 51 }))
    expect(inbox.conversations.value[0]!.unread_count).toBe(3)
  })

  it('counts a newer message arriving before an older one (across nodes) both, and shows the newer as the latest', async () => {
    const fake = fakeMessenger({ conversations: [conversation(1, bob, { messages: [message({ conversation_id: 1, sender: bob, message_id: 50 })], unread_count: 0 })] })
    const inbox = createInbox(fake.api, ada)
    await inbox.start()
    fake.emit('new_message', message({ conversation_id: 1, sender: bob, message_id: 52 }))
    fake.emit('new_message', message({ conversation_id: 1, sender: cyd, message_id: 51 }))
    expect(inbox.conversations.value[0]).toMatchObject({ unread_count: 2, messages: [{ message_id: 52 }] })
  })

  it('opening a conversation loads its latest page and marks what others sent as read, once', async () => {
    const history = [message({ conversation_id: 1, sender: bob, message_id: 5 }), message({ conversation_id: 1, sender: ada, message_id: 6 }), message({ conversation_id: 1, sender: bob, message_id: 7 })]
    const fake = fakeMessenger({ conversations: [withLatest(1, bob, '2026-11-27T11:00:00.000Z', 2)], history: { 1: history } })
    const inbox = createInbox(fake.api, ada, { isVisible: () => true })
    await inbox.start()
    await inbox.open(1)
    expect(fake.api.markAsRead).toHaveBeenCalledWith(7, 1)
    expect(inbox.conversations.value[0]!.unread_count).toBe(0)
    expect(inbox.history(1).value.items.filter((m) => m.sender_id === bob.user_id).every((m) => m.is_read)).toBe(true)
    // A message arriving while it is open and visible is read at once, not counted.
    fake.emit('new_message', message({ conversation_id: 1, sender: bob, message_id: 8 }))
    await flush()
    expect(fake.api.markAsRead).toHaveBeenLastCalledWith(8, 1)
    expect(inbox.conversations.value[0]!.unread_count).toBe(0)
  })

  it('keeps counting while the window is hidden, even for the open conversation', async () => {
    let visible = true
    const fake = fakeMessenger({ conversations: [withLatest(1)], history: { 1: [] } })
    const inbox = createInbox(fake.api, ada, { isVisible: () => visible })
    await inbox.start()
    await inbox.open(1)
    visible = false
    fake.emit('new_message', message({ conversation_id: 1, sender: bob }))
    expect(inbox.conversations.value[0]!.unread_count).toBe(1)
  })

  it('learns a conversation someone else started by asking for the list again', async () => {
    const fake = fakeMessenger({ conversations: [] })
    const inbox = createInbox(fake.api, ada)
    await inbox.start()
    fake.api.listConversations.mockResolvedValueOnce([withLatest(9, cyd)])
    fake.emit('new_message', message({ conversation_id: 9, sender: cyd }))
    await flush()
    expect(inbox.conversations.value.map((c) => c.conversation_id)).toEqual([9])
  })

  it('tracks presence and typing for contacts', async () => {
    const fake = fakeMessenger({ conversations: [withLatest(1, bob), withLatest(2, cyd)], online: [2] })
    const inbox = createInbox(fake.api, ada)
    await inbox.start()
    expect([...inbox.state.online]).toEqual([2])
    fake.emit('presence', { user_id: 3, online: true })
    fake.emit('presence', { user_id: 2, online: false })
    expect([...inbox.state.online]).toEqual([3])
    fake.emit('typing', { conversation_id: 1, user_id: 2, is_typing: true })
    expect(inbox.typingIn(1).map((u) => u.username)).toEqual(['bob'])
    fake.emit('typing', { conversation_id: 1, user_id: 2, is_typing: false })
    expect(inbox.typingIn(1)).toEqual([])
  })

  it('forgets a typist not heard from for LIMITS.typingExpiresMs (a lost "stopped")', async () => {
    vi.useFakeTimers()
    try {
      const fake = fakeMessenger({ conversations: [withLatest(1, bob)] })
      const inbox = createInbox(fake.api, ada)
      await inbox.start()
      fake.emit('typing', { conversation_id: 1, user_id: 2, is_typing: true })
      vi.advanceTimersByTime(LIMITS.typingExpiresMs - 1)
      expect(inbox.typingIn(1).map((u) => u.username)).toEqual(['bob'])
      vi.advanceTimersByTime(100)
      expect(inbox.typingIn(1)).toEqual([])
    } finally {
      vi.useRealTimers()
    }
  })
})

describe('receipts', () => {
  const mine = (is_read: boolean): ChatItem => ({ kind: 'message', key: 'm1', mine: true, message: message({ conversation_id: 1, sender: ada, is_read }), actions: [] })
  const pending = (state: 'pending' | 'failed'): ChatItem => ({
    kind: 'pending',
    key: 'p1',
    mine: true,
    replyTo: null,
    pending: { client_id: 'c1', conversation_id: 1, content: 'x', queued_at: '2026-11-27T10:00:00.000Z', state, attempts: 1 },
  })

  it('are pending, failed, ✓ sent or ✓✓ read', () => {
    expect(receiptOf(pending('pending'))).toBe('pending')
    expect(receiptOf(pending('failed'))).toBe('failed')
    expect(receiptOf(mine(false))).toBe('sent')
    expect(receiptOf(mine(true))).toBe('read')
  })

  it('turn to read when the other side reads, live or learned at catch-up', async () => {
    const history = [5, 6, 7].map((id) => message({ conversation_id: 1, sender: ada, message_id: id }))
    const fake = fakeMessenger({ conversations: [withLatest(1)], history: { 1: history } })
    const inbox = createInbox(fake.api, ada)
    await inbox.start()
    await inbox.open(1)
    const receipts = () => inbox.itemsOf(1).map(receiptOf)
    expect(receipts()).toEqual(['sent', 'sent', 'sent'])
    fake.emit('message_read', { ...history[1]!, is_read: true, reader_id: 2 })
    expect(receipts()).toEqual(['read', 'read', 'sent'])
    fake.emit('read_state', { conversation_id: 1, user_id: bob.user_id, last_read_message_id: 7 })
    expect(receipts()).toEqual(['read', 'read', 'read'])
  })

  it('show an unsent message after the stored ones until the server stores it, then once', async () => {
    const fake = fakeMessenger({ conversations: [withLatest(1)], history: { 1: [message({ conversation_id: 1, sender: bob, message_id: 5 })] } })
    const inbox = createInbox(fake.api, ada)
    await inbox.start()
    await inbox.open(1)
    await inbox.send(1, 'hello')
    expect(inbox.itemsOf(1).map((i) => i.kind)).toEqual(['message', 'pending'])
    fake.emit('new_message', message({ conversation_id: 1, sender: ada, message_id: 6, content: 'hello', client_id: 'c1' }))
    expect(inbox.itemsOf(1).map((i) => (i.kind === 'message' ? i.message.content : 'pending'))).toEqual(['message 5', 'hello'])
    fake.emit('outbox', [])
    expect(inbox.itemsOf(1)).toHaveLength(2)
  })
})

describe('history', () => {
  it('pages back through older messages, each once, until the beginning', async () => {
    const all = Array.from({ length: 120 }, (_, i) => message({ conversation_id: 1, sender: i % 2 ? ada : bob, message_id: i + 1 }))
    const fake = fakeMessenger({ conversations: [withLatest(1)], history: { 1: all } })
    const inbox = createInbox(fake.api, ada)
    await inbox.start()
    await inbox.open(1)
    expect(inbox.history(1).value.items).toHaveLength(50)
    await inbox.loadOlder(1)
    await inbox.loadOlder(1)
    const h = inbox.history(1).value
    expect(h.items.map((m) => m.message_id)).toEqual(all.map((m) => m.message_id))
    expect(h.hasOlder).toBe(false)
    await inbox.loadOlder(1)
    expect(fake.api.getMessages).toHaveBeenCalledTimes(3)
  })
})
