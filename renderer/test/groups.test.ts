// Groups in the inbox: the store's reads, membership and notices, and the components that show them,
// driven through the in-memory MessengerApi.
import { flushPromises } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { nextTick } from 'vue'
import type { ConversationDto, MessageDto } from '../../electron/shared/dto'
import ChatView from '../src/inbox/ChatView.vue'
import ConversationList from '../src/inbox/ConversationList.vue'
import { allowedActions, createInbox, receiptOf, typingText } from '../src/inbox/inbox'
import InboxScreen from '../src/inbox/InboxScreen.vue'
import { ada, bob, conversation, cyd, dee, fakeMessenger, flush, group, member, message } from './fake-messenger'
import { mountUi } from './mount'

// happy-dom lays nothing out: give the chat's and the members panel's scrollers a height, so their virtualized lists render rows.
beforeEach(() => {
  let proto: object | null = HTMLElement.prototype
  while (proto && !Object.getOwnPropertyDescriptor(proto, 'clientHeight')) proto = Object.getPrototypeOf(proto) as object | null
  const clientHeight = Object.getOwnPropertyDescriptor(proto!, 'clientHeight')!
  vi.spyOn(HTMLElement.prototype, 'clientHeight', 'get').mockImplementation(function (this: HTMLElement) {
    if (this.getAttribute('role') === 'log') return 2000
    return this.dataset.testid === 'members-scroller' ? 448 : (clientHeight.get!.call(this) as number)
  })
})

afterEach(() => {
  vi.restoreAllMocks()
  document.body.innerHTML = ''
})

const trio = (over: Partial<ConversationDto> = {}) => group(7, 'Lab', [member(ada, 'owner'), member(bob), member(cyd)], over)
const notice = (over: Partial<MessageDto> & { sender: typeof ada }) =>
  message({ conversation_id: 7, content: `${over.sender.display_name} created the group “Lab”`, system: { type: 'created', actor_id: over.sender.user_id, user_ids: [], title: 'Lab' }, ...over })

async function started(data: Parameters<typeof fakeMessenger>[0]) {
  const fake = fakeMessenger(data)
  const inbox = createInbox(fake.api, ada, { isVisible: () => true })
  await inbox.start()
  return { fake, inbox }
}

describe('typing in a group', () => {
  it('names one, two or three typists, and counts the rest', () => {
    expect(typingText([ada])).toBe('Ada Lovelace is typing…')
    expect(typingText([ada, bob])).toBe('Ada Lovelace and Bob Babbage are typing…')
    expect(typingText([ada, bob, cyd])).toBe('Ada Lovelace, Bob Babbage and Cyd Charisse are typing…')
    expect(typingText([ada, bob, cyd, dee])).toBe('Ada Lovelace, Bob Babbage and 2 others are typing…')
    expect(typingText([])).toBe('')
  })
})

describe('roles', () => {
  it('offer what the server allows: the owner anything, admins members<->admins, members nothing', () => {
    const [owner, admin, plain] = [member(bob, 'owner'), member(cyd, 'admin'), member(dee, 'member')]
    expect(allowedActions('owner', admin, ada.user_id)).toEqual({ roles: ['owner', 'member'], remove: true })
    expect(allowedActions('owner', plain, ada.user_id)).toEqual({ roles: ['owner', 'admin'], remove: true })
    expect(allowedActions('admin', plain, ada.user_id)).toEqual({ roles: ['admin'], remove: true })
    expect(allowedActions('admin', admin, ada.user_id)).toEqual({ roles: ['member'], remove: false })
    expect(allowedActions('admin', owner, ada.user_id)).toEqual({ roles: [], remove: false })
    expect(allowedActions('member', plain, ada.user_id)).toEqual({ roles: [], remove: false })
    // Oneself: only leaving, elsewhere.
    expect(allowedActions('owner', member(ada, 'owner'), ada.user_id)).toEqual({ roles: [], remove: false })
  })
})

describe('the inbox store with groups', () => {
  it('shows a group it just heard of at once, and follows renames, members and roles live', async () => {
    const { fake, inbox } = await started({ conversations: [], online: [4] })
    fake.emit('conversation_updated', { conversation_id: 9, kind: 'group', title: 'Climbers', created_at: '2026-11-27T10:00:00.000Z', updated_at: '2026-11-27T10:00:00.000Z', participants: [member(bob, 'owner'), member(ada)] })
    expect(inbox.conversations.value.map((c) => [c.conversation_id, c.title, c.unread_count])).toEqual([[9, 'Climbers', 0]])
    expect(fake.api.listConversations).toHaveBeenCalledTimes(1)
    fake.emit('conversation_updated', { ...inbox.conversations.value[0]!, title: 'Boulderers', participants: [member(bob, 'owner'), member(ada, 'admin'), member(dee)] })
    const [c] = inbox.conversations.value
    expect(c!.title).toBe('Boulderers')
    expect(c!.participants.map((p) => `${p.username}:${p.role}`)).toEqual(['bob:owner', 'ada:admin', 'dee:member'])
    // Someone new in the group: whether they are online is asked at once.
    await flush()
    expect(fake.api.getOnlineUsers).toHaveBeenLastCalledWith([4])
    expect(inbox.state.online.has(4)).toBe(true)
  })

  it('counts no notice as unread, and shows none as ours', async () => {
    const { fake, inbox } = await started({ conversations: [trio()] })
    fake.emit('new_message', notice({ sender: bob, message_id: 300, content: 'Bob Babbage added Dee Dee', system: { type: 'added', actor_id: 2, user_ids: [4] } }))
    expect(inbox.conversations.value[0]).toMatchObject({ unread_count: 0, messages: [{ message_id: 300 }] })
    fake.emit('new_message', message({ conversation_id: 7, sender: bob, message_id: 301 }))
    expect(inbox.conversations.value[0]!.unread_count).toBe(1)
    const fake2 = fakeMessenger({ conversations: [trio()], history: { 7: [notice({ sender: ada, message_id: 1 })] } })
    const inbox2 = createInbox(fake2.api, ada)
    await inbox2.start()
    await inbox2.open(7)
    expect(inbox2.itemsOf(7).map((i) => i.mine)).toEqual([false])
  })

  it('counts "Seen by" from each member’s reads and turns ✓✓ only once everyone else has read', async () => {
    const mine = [message({ conversation_id: 7, sender: ada, message_id: 10 }), message({ conversation_id: 7, sender: ada, message_id: 11 })]
    const { fake, inbox } = await started({ conversations: [trio()], history: { 7: mine } })
    await inbox.open(7)
    await flush()
    // Opening it asks who has read our latest message.
    expect(fake.api.getReads).toHaveBeenCalledWith(11)
    expect(inbox.seenMarker(7)).toBeNull()
    // Bob read up to 11: both our messages are seen by him, not yet read by all.
    fake.emit('message_read', { ...mine[1]!, reader_id: bob.user_id })
    expect(inbox.seenMarker(7)).toEqual({ messageId: 11, count: 1 })
    expect(inbox.itemsOf(7).map(receiptOf)).toEqual(['sent', 'sent'])
    // Cyd's position, learned at a catch-up, covers only the first.
    fake.emit('read_state', { conversation_id: 7, user_id: cyd.user_id, last_read_message_id: 10 })
    expect(inbox.itemsOf(7).map(receiptOf)).toEqual(['read', 'sent'])
    expect(inbox.seenMarker(7)).toEqual({ messageId: 11, count: 1 })
    expect(inbox.seenBy(7, mine[0]!).map((p) => p.username)).toEqual(['bob', 'cyd'])
    fake.emit('message_read', { ...mine[1]!, reader_id: cyd.user_id })
    expect(inbox.seenMarker(7)).toEqual({ messageId: 11, count: 2 })
    expect(inbox.itemsOf(7).map(receiptOf)).toEqual(['read', 'read'])
    expect(inbox.conversations.value[0]!.messages).toEqual([])
  })

  it('does not count as seen someone added after the message, until they are heard reading it', async () => {
    const mine = message({ conversation_id: 7, sender: ada, message_id: 15, created_at: '2026-11-27T10:00:00.000Z' })
    const { fake, inbox } = await started({ conversations: [trio()], history: { 7: [mine] } })
    await inbox.open(7)
    fake.emit('conversation_updated', { ...trio(), participants: [member(ada, 'owner'), member(bob), member(cyd), { ...member(dee), joined_at: '2026-11-27T10:05:00.000Z' }] })
    // Joining put Dee's read position at the latest message; Bob really read it.
    fake.emit('read_state', { conversation_id: 7, user_id: dee.user_id, last_read_message_id: 15 })
    fake.emit('read_state', { conversation_id: 7, user_id: bob.user_id, last_read_message_id: 15 })
    expect(inbox.seenBy(7, mine).map((p) => p.username)).toEqual(['bob'])
    fake.emit('message_read', { ...mine, message_id: 16, sender_id: bob.user_id, reader_id: dee.user_id })
    expect(inbox.seenBy(7, mine).map((p) => p.username)).toEqual(['bob', 'dee'])
  })

  it('learns who had read our latest message when a group opens', async () => {
    const mine = message({ conversation_id: 7, sender: ada, message_id: 12 })
    const fake = fakeMessenger({ conversations: [trio()], history: { 7: [mine] } })
    fake.api.getReads.mockResolvedValue([{ user: cyd, read_at: '2026-11-27T10:05:00.000Z' }] as never)
    const inbox = createInbox(fake.api, ada)
    await inbox.start()
    await inbox.open(7)
    await flush()
    expect(inbox.seenMarker(7)).toEqual({ messageId: 12, count: 1 })
  })

  it('marks a group read up to the newest message from others once, and not again', async () => {
    const history = [message({ conversation_id: 7, sender: bob, message_id: 20 }), message({ conversation_id: 7, sender: cyd, message_id: 21 }), message({ conversation_id: 7, sender: ada, message_id: 22 })]
    const { fake, inbox } = await started({ conversations: [trio({ unread_count: 2 })], history: { 7: history } })
    await inbox.open(7)
    expect(fake.api.markAsRead).toHaveBeenCalledTimes(1)
    expect(fake.api.markAsRead).toHaveBeenCalledWith(21, 7)
    expect(inbox.conversations.value[0]!.unread_count).toBe(0)
    // is_read in a group means "read by everyone": our own reading does not claim it.
    expect(inbox.history(7).value.items.map((m) => m.is_read)).toEqual([false, false, false])
    await inbox.open(null)
    await inbox.open(7)
    expect(fake.api.markAsRead).toHaveBeenCalledTimes(1)
    fake.emit('new_message', message({ conversation_id: 7, sender: bob, message_id: 23 }))
    await flush()
    expect(fake.api.markAsRead).toHaveBeenLastCalledWith(23, 7)
  })

  it('after removal: read-only, nothing marked read on the server, typing forgotten', async () => {
    const { fake, inbox } = await started({ conversations: [trio()], history: { 7: [message({ conversation_id: 7, sender: ada, message_id: 30 })] } })
    await inbox.open(7)
    await inbox.open(null)
    fake.emit('typing', { conversation_id: 7, user_id: cyd.user_id, is_typing: true })
    expect(inbox.typingIn(7).map((u) => u.username)).toEqual(['cyd'])
    const removal = notice({ sender: bob, message_id: 31, content: 'Bob Babbage removed Ada Lovelace', system: { type: 'removed', actor_id: 2, user_ids: [1] } })
    fake.emit('new_message', removal)
    fake.emit('conversation_updated', { ...trio(), participants: [member(bob, 'owner'), member(cyd)] })
    expect(inbox.typingIn(7)).toEqual([])
    expect(inbox.conversations.value[0]!.participants.map((p) => p.username)).toEqual(['bob', 'cyd'])
    await inbox.open(7)
    expect(fake.api.markAsRead).not.toHaveBeenCalled()
    expect(inbox.history(7).value.items.map((m) => m.message_id)).toEqual([30, 31])
    expect(inbox.seenMarker(7)).toBeNull()
  })

  it('reloads the history of a group the user is added back to (what was said meanwhile is theirs again)', async () => {
    const before = [message({ conversation_id: 7, sender: bob, message_id: 50 }), notice({ sender: bob, message_id: 51, content: 'Bob Babbage removed Ada Lovelace', system: { type: 'removed', actor_id: 2, user_ids: [1] } })]
    const { fake, inbox } = await started({ conversations: [trio({ participants: [member(bob, 'owner'), member(cyd)] })], history: { 7: before } })
    await inbox.open(7)
    expect(inbox.history(7).value.items.map((m) => m.message_id)).toEqual([50, 51])
    fake.api.getMessages.mockResolvedValueOnce([...before, message({ conversation_id: 7, sender: cyd, message_id: 52 }), notice({ sender: bob, message_id: 53, content: 'Bob Babbage added Ada Lovelace', system: { type: 'added', actor_id: 2, user_ids: [1] } })])
    fake.emit('conversation_updated', trio())
    await flush()
    expect(inbox.history(7).value.items.map((m) => m.message_id)).toEqual([50, 51, 52, 53])
  })

  it('leaves unread in muted conversations out of the title’s count, and keeps them in the list', async () => {
    const { fake, inbox } = await started({ conversations: [trio({ unread_count: 2 }), conversation(2, bob, { unread_count: 1 })] })
    expect(inbox.unreadTotal.value).toBe(3)
    fake.api.updateConversation.mockResolvedValue({ ...trio({ unread_count: 2 }), muted: true })
    await inbox.setMuted(7, true)
    expect(fake.api.updateConversation).toHaveBeenCalledWith(7, { muted: true })
    expect(inbox.unreadTotal.value).toBe(1)
    expect(inbox.conversations.value.find((c) => c.conversation_id === 7)).toMatchObject({ muted: true, unread_count: 2 })
  })
})

describe('ConversationList with groups', () => {
  it('shows a group by its title, who wrote last, a muted icon and unread counts even when muted', async () => {
    const latest = message({ conversation_id: 7, sender: bob, content: 'rope is packed', created_at: '2026-11-27T11:00:00.000Z' })
    const { fake, inbox } = await started({
      conversations: [
        trio({ messages: [latest], unread_count: 4, muted: true }),
        conversation(2, cyd, { messages: [message({ conversation_id: 2, sender: cyd, content: 'hi', created_at: '2026-11-27T10:00:00.000Z' })] }),
        group(8, 'Choir', [member(ada, 'owner'), member(dee)], { messages: [notice({ conversation_id: 8, sender: ada, content: 'Ada Lovelace created the group “Choir”', created_at: '2026-11-27T09:00:00.000Z' })] }),
      ],
    })
    const w = mountUi(ConversationList, { inbox }, fake.api)
    await nextTick()
    const rows = w.findAll('[data-testid=conversation]')
    expect(rows.map((r) => r.attributes('aria-label'))).toEqual(['Lab, 4 unread, muted', 'Cyd Charisse', 'Choir'])
    // A notice is shown as it is, even one of the user's own doing.
    expect(rows[2]!.get('[data-testid=preview]').text()).toBe('Ada Lovelace created the group “Choir”')
    expect(rows[0]!.get('[data-testid=title]').text()).toBe('Lab')
    expect(rows[0]!.get('[data-testid=preview]').text()).toBe('Bob Babbage: rope is packed')
    expect(rows[0]!.get('[data-testid=unread]').text()).toBe('4')
    expect(rows[0]!.find('[data-testid=muted]').exists()).toBe(true)
    expect(rows[1]!.find('[data-testid=muted]').exists()).toBe(false)
    expect(rows[1]!.get('[data-testid=preview]').text()).toBe('hi')
    // Typing in a group names who.
    fake.emit('typing', { conversation_id: 7, user_id: cyd.user_id, is_typing: true })
    await nextTick()
    expect(w.findAll('[data-testid=preview]')[0]!.text()).toBe('Cyd Charisse is typing…')
    // A group is found by a member's name as well as its title.
    await w.get('#conversation-filter').setValue('babbage')
    expect(w.findAll('[data-testid=conversation]').map((r) => r.attributes('aria-label'))).toEqual(['Lab, 4 unread, muted'])
    await w.get('#conversation-filter').setValue('choir')
    expect(w.findAll('[data-testid=conversation]').map((r) => r.attributes('aria-label'))).toEqual(['Choir'])
  })
})

describe('ChatView in a group', () => {
  const history = () => [
    notice({ sender: ada, message_id: 40, created_at: '2026-11-27T09:00:00.000Z' }),
    message({ conversation_id: 7, sender: bob, message_id: 41, content: 'first from bob' }),
    message({ conversation_id: 7, sender: bob, message_id: 42, content: 'second from bob' }),
    message({ conversation_id: 7, sender: cyd, message_id: 43, content: 'cyd here' }),
    message({ conversation_id: 7, sender: ada, message_id: 44, content: 'ada here' }),
  ]

  async function view(over: Partial<ConversationDto> = {}, online: number[] = [2]) {
    const { fake, inbox } = await started({ conversations: [trio(over)], history: { 7: history() }, online })
    await inbox.open(7)
    const w = mountUi(ChatView, { inbox, conversationId: 7 }, fake.api)
    await flushPromises()
    return { fake, inbox, w }
  }

  it('heads the chat with the title, members and who is online, live', async () => {
    const { fake, w } = await view()
    expect(w.get('h2').text()).toBe('Lab')
    expect(w.get('[data-testid=chat-status]').text()).toBe('3 members · 2 online')
    fake.emit('presence', { user_id: cyd.user_id, online: true })
    await nextTick()
    expect(w.get('[data-testid=chat-status]').text()).toBe('3 members · 3 online')
    fake.emit('typing', { conversation_id: 7, user_id: bob.user_id, is_typing: true })
    fake.emit('typing', { conversation_id: 7, user_id: cyd.user_id, is_typing: true })
    await nextTick()
    expect(w.get('[data-testid=chat-status]').text()).toBe('Bob Babbage and Cyd Charisse are typing…')
  })

  it('names the sender (with initials) on the first of each run, and shows notices centred with no sender', async () => {
    const { w } = await view()
    const bubbles = w.findAll('[data-testid=message]')
    expect(bubbles.map((b) => b.get('[data-testid=content]').text())).toEqual(['first from bob', 'second from bob', 'cyd here', 'ada here'])
    expect(bubbles.map((b) => b.find('[data-testid=sender]').exists() ? b.get('[data-testid=sender]').text() : null)).toEqual(['Bob Babbage', null, 'Cyd Charisse', null])
    expect(bubbles[0]!.get('[data-testid=sender-avatar]').text()).toBe('BB')
    expect(bubbles[2]!.get('[data-testid=sender-avatar]').text()).toBe('CC')
    const notices = w.findAll('[data-testid=notice]')
    expect(notices.map((n) => n.text())).toEqual(['Ada Lovelace created the group “Lab”'])
    expect(notices[0]!.attributes('role')).toBe('note')
    expect(notices[0]!.find('[data-testid=sender]').exists()).toBe(false)
    expect(notices[0]!.find('[data-testid=receipt]').exists()).toBe(false)
  })

  it('shows no sender names in a one-to-one chat', async () => {
    const fake = fakeMessenger({ conversations: [conversation(2, bob)], history: { 2: [message({ conversation_id: 2, sender: bob, content: 'hello' })] } })
    const inbox = createInbox(fake.api, ada)
    await inbox.start()
    await inbox.open(2)
    const w = mountUi(ChatView, { inbox, conversationId: 2 }, fake.api)
    await flushPromises()
    expect(w.get('[data-testid=content]').text()).toBe('hello')
    expect(w.find('[data-testid=sender]').exists()).toBe(false)
    expect(w.find('[data-testid=sender-avatar]').exists()).toBe(false)
    expect(w.get('[data-testid=chat-status]').text()).toBe('Offline')
  })

  it('shows "Seen by N" under our latest read message, and who and when on demand', async () => {
    const { fake, w } = await view()
    expect(w.find('[data-testid=seen-by]').exists()).toBe(false)
    fake.emit('message_read', { ...history()[4]!, reader_id: bob.user_id })
    await nextTick()
    expect(w.get('[data-testid=seen-by]').text()).toBe('Seen by 1')
    fake.emit('message_read', { ...history()[4]!, reader_id: cyd.user_id })
    await nextTick()
    expect(w.get('[data-testid=seen-by]').text()).toBe('Seen by 2')
    expect(w.findAll('[data-testid=message]').at(-1)!.attributes('data-receipt')).toBe('read')
    fake.api.getReads.mockResolvedValue([
      { user: bob, read_at: '2026-11-27T10:01:00.000Z' },
      { user: cyd, read_at: null },
    ] as never)
    await w.get('[data-testid=seen-by]').trigger('click')
    await flushPromises()
    expect(fake.api.getReads).toHaveBeenLastCalledWith(44)
    const readers = [...document.querySelectorAll('[data-testid=reader]')].map((li) => [li.querySelector('[data-testid=reader-name]')?.textContent, li.querySelector('time')?.getAttribute('datetime') ?? null])
    expect(readers).toEqual([
      ['Bob Babbage', '2026-11-27T10:01:00.000Z'],
      ['Cyd Charisse', null],
    ])
  })

  it('opens "Seen by" on demand for an older message of ours, with that message’s readers', async () => {
    const older = message({ conversation_id: 7, sender: ada, message_id: 45, content: 'older from ada' })
    const newer = message({ conversation_id: 7, sender: ada, message_id: 46, content: 'newer from ada' })
    const { fake, inbox } = await started({ conversations: [trio()], history: { 7: [...history(), older, newer] } })
    await inbox.open(7)
    const w = mountUi(ChatView, { inbox, conversationId: 7 }, fake.api)
    await flushPromises()
    fake.emit('message_read', { ...newer, reader_id: bob.user_id })
    await nextTick()
    // "Seen by N" stays under the latest read message only.
    expect(w.findAll('[data-testid=seen-by]')).toHaveLength(1)
    // Every message of ours offers it; others' messages do not.
    const bubbles = w.findAll('[data-testid=message]')
    expect(bubbles.map((b) => b.find('[data-testid=ask-seen-by]').exists())).toEqual([false, false, false, true, true, true])
    fake.api.getReads.mockImplementation((async (id: number) => (id === 45 ? [{ user: cyd, read_at: '2026-11-27T10:02:00.000Z' }, { user: bob, read_at: null }] : [])) as never)
    const ask = bubbles[4]!.get('[data-testid=ask-seen-by]')
    expect(ask.element.tagName).toBe('BUTTON')
    expect(ask.attributes('aria-label')).toBe('Who has seen this message')
    await ask.trigger('click')
    await flushPromises()
    expect(fake.api.getReads).toHaveBeenLastCalledWith(45)
    expect([...document.querySelectorAll('[data-testid=reader-name]')].map((n) => n.textContent)).toEqual(['Cyd Charisse', 'Bob Babbage'])
  })

  it('says so when no one has seen a message yet, and offers nothing once the user is out of the group', async () => {
    const { fake, w } = await view()
    await w.get('[data-testid=ask-seen-by]').trigger('click')
    await flushPromises()
    expect(fake.api.getReads).toHaveBeenLastCalledWith(44)
    expect(document.querySelector('[data-testid=no-readers]')!.textContent).toBe('No one has seen it yet.')
    fake.emit('conversation_updated', { ...trio(), participants: [member(bob, 'owner'), member(cyd)] })
    await flushPromises()
    expect(w.find('[data-testid=ask-seen-by]').exists()).toBe(false)
  })

  it('turns read-only when the user is removed: the notice shows, the composer goes', async () => {
    const { fake, w } = await view()
    expect(w.find('textarea').exists()).toBe(true)
    fake.emit('new_message', notice({ sender: bob, message_id: 45, content: 'Bob Babbage removed Ada Lovelace', system: { type: 'removed', actor_id: 2, user_ids: [1] } }))
    fake.emit('conversation_updated', { ...trio(), participants: [member(bob, 'owner'), member(cyd)] })
    await flushPromises()
    expect(w.get('[data-testid=read-only]').text()).toBe('You are no longer in this group')
    expect(w.find('textarea').exists()).toBe(false)
    expect(w.findAll('[data-testid=notice]').map((n) => n.text())).toContain('Bob Babbage removed Ada Lovelace')
    // Who is in it now is no longer hers to see; muting is a member's setting.
    expect(w.get('[data-testid=chat-status]').text()).toBe('Read-only')
    expect(w.find('[data-testid=members-button]').exists()).toBe(false)
    expect(w.find('[data-testid=mute]').exists()).toBe(false)
  })

  it('mutes and unmutes from the header', async () => {
    const { fake, w } = await view()
    const button = () => w.get('[data-testid=mute]')
    expect(button().attributes('aria-label')).toBe('Mute conversation')
    fake.api.updateConversation.mockResolvedValue({ ...trio(), muted: true })
    await button().trigger('click')
    await flushPromises()
    expect(fake.api.updateConversation).toHaveBeenCalledWith(7, { muted: true })
    expect(button().attributes('aria-label')).toBe('Unmute conversation')
    expect(button().attributes('aria-pressed')).toBe('true')
    fake.api.updateConversation.mockRejectedValue(new Error('The server is unreachable.'))
    await button().trigger('click')
    await flushPromises()
    expect(w.get('[role=alert]').text()).toBe('The server is unreachable.')
    expect(button().attributes('aria-label')).toBe('Unmute conversation')
  })
})



describe('the members panel', () => {
  const byText = (selector: string, text: string) => [...document.querySelectorAll<HTMLElement>(selector)].find((el) => el.textContent?.trim() === text)
  const memberRows = () =>
    [...document.querySelectorAll('[data-testid=member]')].map((li) => [li.querySelector('span.block')?.textContent?.trim(), li.querySelector('[data-testid=role]')?.textContent?.trim() ?? null, !!li.querySelector('button[aria-label^=Manage]')])

  async function panel(conversation: ConversationDto) {
    const { fake, inbox } = await started({ conversations: [conversation], history: { 7: [] }, online: [2] })
    await inbox.open(7)
    const w = mountUi(ChatView, { inbox, conversationId: 7 }, fake.api)
    await flushPromises()
    await w.get('[data-testid=members-button]').trigger('click')
    await flushPromises()
    return { fake, inbox, w }
  }

  /** The confirmation asked before an irreversible change: its title, its text, and its two answers. */
  const confirmation = () => {
    const dialog = document.querySelector('[data-testid=confirmation]')?.closest<HTMLElement>('[role=dialog]')
    if (!dialog) return null
    return {
      title: dialog.querySelector('h2')?.textContent?.trim(),
      text: dialog.querySelector('p')?.textContent?.trim(),
      answer: async (label: 'Cancel' | 'Remove' | 'Leave' | 'Make owner') => {
        const button = [...dialog.querySelectorAll<HTMLButtonElement>('[data-testid=confirmation] button')].find((b) => b.textContent?.trim() === label)
        if (!button) throw new Error(`no "${label}" in the confirmation`)
        button.click()
        await flushPromises()
      },
    }
  }

  async function choose(trigger: string, item: string) {
    const button = document.querySelector<HTMLElement>(`button[aria-label="${trigger}"]`)!
    button.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }))
    await flushPromises()
    const entry = byText('[role=menuitem]', item)
    if (!entry) throw new Error(`no menu item "${item}" in ${[...document.querySelectorAll('[role=menuitem]')].map((e) => e.textContent).join(', ')}`)
    entry.click()
    await flushPromises()
  }

  it('lists members with roles, and lets the owner change roles, add, rename, and see refusals as text', async () => {
    const { fake } = await panel(trio())
    expect(memberRows()).toEqual([
      ['Ada Lovelace (you)', 'Owner', false],
      ['Bob Babbage', null, true],
      ['Cyd Charisse', null, true],
    ])
    // A role change: the answer updates the list.
    fake.api.setMemberRole.mockResolvedValue(trio({ participants: [member(ada, 'owner'), member(bob, 'admin'), member(cyd)] }))
    await choose('Manage Bob Babbage', 'Make admin')
    expect(fake.api.setMemberRole).toHaveBeenCalledWith(7, bob.user_id, 'admin')
    expect(memberRows()[1]).toEqual(['Bob Babbage', 'Admin', true])
    // A refusal is shown as the server worded it.
    fake.api.removeMember.mockRejectedValue(new Error('You are changing groups too fast'))
    await choose('Manage Cyd Charisse', 'Remove from group')
    await confirmation()!.answer('Remove')
    expect(fake.api.removeMember).toHaveBeenCalledWith(7, cyd.user_id)
    expect(document.querySelector('[data-testid=members-error]')?.textContent).toBe('You are changing groups too fast')
    expect(memberRows()).toHaveLength(3)
    // Adding: those already in are not offered.
    fake.api.searchUsers.mockResolvedValue([bob, dee])
    const find = document.querySelector<HTMLInputElement>('input[aria-label="Find people to add"]')!
    find.value = 'de'
    find.dispatchEvent(new Event('input'))
    await new Promise((resolve) => setTimeout(resolve, 260))
    await flushPromises()
    expect([...document.querySelectorAll('[data-testid=candidate]')].map((li) => li.querySelector('span.block')?.textContent)).toEqual(['Dee Dee'])
    fake.api.addMembers.mockResolvedValue(trio({ participants: [member(ada, 'owner'), member(bob, 'admin'), member(cyd), member(dee)] }))
    document.querySelector<HTMLElement>('button[aria-label="Add Dee Dee"]')!.click()
    await flushPromises()
    expect(fake.api.addMembers).toHaveBeenCalledWith(7, [dee.user_id])
    expect(memberRows().map((r) => r[0])).toEqual(['Ada Lovelace (you)', 'Bob Babbage', 'Cyd Charisse', 'Dee Dee'])
    // Renaming.
    const name = document.querySelector<HTMLInputElement>('input[aria-label="Group name"]')!
    expect(name.value).toBe('Lab')
    name.value = '  Lab 2 '
    name.dispatchEvent(new Event('input'))
    await flushPromises()
    fake.api.updateConversation.mockResolvedValue(trio({ title: 'Lab 2' }))
    byText('button', 'Rename')!.click()
    await flushPromises()
    expect(fake.api.updateConversation).toHaveBeenCalledWith(7, { title: 'Lab 2' })
  })

  it('offers an admin only what admins may do, and a member nothing but leaving', async () => {
    await panel(group(7, 'Lab', [member(ada, 'admin'), member(bob, 'owner'), member(cyd, 'admin'), member(dee)]))
    expect(memberRows()).toEqual([
      ['Bob Babbage', 'Owner', false],
      ['Ada Lovelace (you)', 'Admin', false],
      ['Cyd Charisse', 'Admin', true],
      ['Dee Dee', null, true],
    ])
    await choose('Manage Cyd Charisse', 'Make member')
    expect(byText('[role=menuitem]', 'Remove from group')).toBeUndefined()
    document.body.innerHTML = ''
    await panel(group(7, 'Lab', [member(ada), member(bob, 'owner')]))
    expect(memberRows()).toEqual([
      ['Bob Babbage', 'Owner', false],
      ['Ada Lovelace (you)', null, false],
    ])
    expect(document.querySelector('input[aria-label="Group name"]')).toBeNull()
    expect(document.querySelector('input[aria-label="Find people to add"]')).toBeNull()
    expect(byText('button', 'Leave group')).toBeDefined()
  })

  it('leaves after a confirmation, and the chat turns read-only', async () => {
    const { fake, w } = await panel(trio({ participants: [member(ada), member(bob, 'owner'), member(cyd)] }))
    byText('button', 'Leave group')!.click()
    await flushPromises()
    expect(confirmation()).toMatchObject({ title: 'Leave “Lab”?', text: 'You will no longer get its messages, and only an owner or admin can add you back.' })
    // Focus starts on the safe answer.
    expect(document.activeElement?.textContent?.trim()).toBe('Cancel')
    // Cancelling changes nothing.
    await confirmation()!.answer('Cancel')
    expect(confirmation()).toBeNull()
    expect(document.activeElement?.textContent?.trim()).toBe('Leave group')
    expect(fake.api.removeMember).not.toHaveBeenCalled()
    expect(document.querySelector('[data-testid=members-panel]')).not.toBeNull()
    byText('button', 'Leave group')!.click()
    await flushPromises()
    fake.api.removeMember.mockResolvedValue(trio({ participants: [member(bob, 'owner'), member(cyd)] }))
    await confirmation()!.answer('Leave')
    expect(fake.api.removeMember).toHaveBeenCalledWith(7, ada.user_id)
    expect(document.querySelector('[data-testid=members-panel]')).toBeNull()
    expect(w.get('[data-testid=read-only]').text()).toBe('You are no longer in this group')
    expect(w.find('textarea').exists()).toBe(false)
  })

  it('tells the owner who takes over if they leave: the longest-standing admin, else the longest-standing member', async () => {
    const joined = (p: ReturnType<typeof member>, at: string) => ({ ...p, joined_at: at })
    const { fake } = await panel(
      group(7, 'Lab', [member(ada, 'owner'), joined(member(bob), '2026-10-01T00:00:00.000Z'), joined(member(cyd, 'admin'), '2026-11-20T00:00:00.000Z'), joined(member(dee, 'admin'), '2026-11-10T00:00:00.000Z')]),
    )
    byText('button', 'Leave group')!.click()
    await flushPromises()
    expect(confirmation()!.text).toContain('You are its owner: Dee Dee (the longest-standing admin) becomes the owner.')
    await confirmation()!.answer('Cancel')
    expect(fake.api.removeMember).not.toHaveBeenCalled()
    // No admin: the member who joined first.
    document.body.innerHTML = ''
    const second = await panel(group(7, 'Lab', [member(ada, 'owner'), joined(member(bob), '2026-11-20T00:00:00.000Z'), joined(member(cyd), '2026-11-02T00:00:00.000Z')]))
    byText('button', 'Leave group')!.click()
    await flushPromises()
    expect(confirmation()!.text).toContain('You are its owner: Cyd Charisse (the longest-standing member) becomes the owner.')
    second.fake.api.removeMember.mockResolvedValue(group(7, 'Lab', [member(bob), member(cyd, 'owner')]))
    await confirmation()!.answer('Leave')
    expect(second.fake.api.removeMember).toHaveBeenCalledWith(7, ada.user_id)
  })

  it('asks before removing someone or handing ownership over: cancelling calls nothing, confirming calls the API', async () => {
    const { fake } = await panel(trio())
    await choose('Manage Bob Babbage', 'Remove from group')
    expect(confirmation()).toMatchObject({ title: 'Remove Bob Babbage?', text: 'Bob Babbage will no longer get the messages of “Lab”; they keep what they have seen so far.' })
    await confirmation()!.answer('Cancel')
    // Focus goes back to the member's menu button.
    expect(document.activeElement?.getAttribute('aria-label')).toBe('Manage Bob Babbage')
    await choose('Manage Cyd Charisse', 'Make owner')
    expect(confirmation()!.title).toBe('Make Cyd Charisse the owner?')
    expect(confirmation()!.text).toBe('Ownership of “Lab” passes to Cyd Charisse and you become an admin. Only the new owner can hand it back.')
    await confirmation()!.answer('Cancel')
    expect(fake.api.removeMember).not.toHaveBeenCalled()
    expect(fake.api.setMemberRole).not.toHaveBeenCalled()
    // Confirmed, each goes to the server for the member it was asked about.
    fake.api.removeMember.mockResolvedValue(trio({ participants: [member(ada, 'owner'), member(cyd)] }))
    await choose('Manage Bob Babbage', 'Remove from group')
    await confirmation()!.answer('Remove')
    expect(fake.api.removeMember).toHaveBeenCalledExactlyOnceWith(7, bob.user_id)
    fake.api.setMemberRole.mockResolvedValue(trio({ participants: [member(ada, 'admin'), member(cyd, 'owner')] }))
    await choose('Manage Cyd Charisse', 'Make owner')
    await confirmation()!.answer('Make owner')
    expect(fake.api.setMemberRole).toHaveBeenCalledExactlyOnceWith(7, cyd.user_id, 'owner')
    expect(memberRows()).toEqual([
      ['Cyd Charisse', 'Owner', false],
      ['Ada Lovelace (you)', 'Admin', false],
    ])
    // A role that can be given back needs no confirmation.
    expect(confirmation()).toBeNull()
  })

  it('stays usable with 1,000 members: few rows in the DOM, a filter that finds anyone, actions on the right ids', async () => {
    const people = Array.from({ length: 999 }, (_, i) => ({ user_id: 1000 + i, username: `user${i}`, display_name: `Member ${String(i).padStart(3, '0')}` }))
    // Deep in the list by name: sorted, she comes last.
    people[500] = { user_id: 4242, username: 'zelda', display_name: 'Zelda Zimmerman' }
    const { fake } = await panel(group(7, 'Everyone', [member(ada, 'owner'), ...people.map((p) => member(p))]))
    expect(document.querySelector('[data-testid=members-panel]')!.closest('[role=dialog]')!.textContent).toContain('1000 members')
    const rows = document.querySelectorAll('[data-testid=member]')
    expect(rows.length).toBeGreaterThan(0)
    expect(rows.length).toBeLessThan(50)
    expect(memberRows()[0]).toEqual(['Ada Lovelace (you)', 'Owner', false])
    expect(rows[1]!.getAttribute('aria-setsize')).toBe('1000')
    expect(document.querySelector('[data-user=zelda]')).toBeNull()
    // Filtering by name finds her.
    const filter = document.querySelector<HTMLInputElement>('input[aria-label="Filter members by name"]')!
    filter.value = 'zimm'
    filter.dispatchEvent(new Event('input'))
    await flushPromises()
    expect(memberRows()).toEqual([['Zelda Zimmerman', null, true]])
    expect(document.querySelector('[data-testid=members-shown]')!.textContent).toBe('1 of 1000 members match')
    // Her actions name her id.
    fake.api.setMemberRole.mockResolvedValue(group(7, 'Everyone', [member(ada, 'owner'), ...people.map((p) => member(p, p.user_id === 4242 ? 'admin' : 'member'))]))
    await choose('Manage Zelda Zimmerman', 'Make admin')
    expect(fake.api.setMemberRole).toHaveBeenCalledWith(7, 4242, 'admin')
    expect(memberRows()).toEqual([['Zelda Zimmerman', 'Admin', true]])
    fake.api.removeMember.mockResolvedValue(group(7, 'Everyone', [member(ada, 'owner'), ...people.filter((p) => p.user_id !== 4242).map((p) => member(p))]))
    await choose('Manage Zelda Zimmerman', 'Remove from group')
    await confirmation()!.answer('Remove')
    expect(fake.api.removeMember).toHaveBeenCalledWith(7, 4242)
    expect(document.querySelector('[data-testid=no-member]')!.textContent).toBe('No member matches “zimm”.')
    // Cleared, the filter gives the whole list back, one fewer.
    filter.value = ''
    filter.dispatchEvent(new Event('input'))
    await flushPromises()
    expect(memberRows()[0]).toEqual(['Ada Lovelace (you)', 'Owner', false])
    expect(document.querySelector('[data-testid=member]')!.getAttribute('aria-setsize')).toBe('999')
  })
})

describe('a new group', () => {
  it('is named, gets people picked by search, and opens once made', async () => {
    const fake = fakeMessenger({ conversations: [] })
    const w = mountUi(InboxScreen, { session: { server_url: 'http://server', user: ada } }, fake.api)
    await flushPromises()
    await w.get('button[aria-label="New group"]').trigger('click')
    await flushPromises()
    const create = () => byLabel('Create group')
    const byLabel = (text: string) => [...document.querySelectorAll<HTMLButtonElement>('button')].find((b) => b.textContent?.trim() === text)!
    const title = document.querySelector<HTMLInputElement>('input[aria-label="Group name"]')!
    title.value = '   '
    title.dispatchEvent(new Event('input'))
    await flushPromises()
    expect(document.body.textContent).toContain('The name cannot be blank.')
    const candidates = () => [...document.querySelectorAll<HTMLButtonElement>('[data-testid=candidate]')]
    expect(candidates().map((c) => c.getAttribute('aria-label'))).toEqual(['Bob Babbage (@bob)', 'Cyd Charisse (@cyd)'])
    candidates()[0]!.click()
    candidates()[1]!.click()
    await flushPromises()
    expect(candidates().map((c) => c.getAttribute('aria-pressed'))).toEqual(['true', 'true'])
    expect(create().disabled).toBe(true)
    title.value = 'Climbers'
    title.dispatchEvent(new Event('input'))
    await flushPromises()
    expect(create().disabled).toBe(false)
    fake.api.createGroup.mockResolvedValue(group(9, 'Climbers', [member(ada, 'owner'), member(bob), member(cyd)]))
    create().click()
    await flushPromises()
    expect(fake.api.createGroup).toHaveBeenCalledWith('Climbers', [bob.user_id, cyd.user_id])
    expect(fake.api.setActiveConversation).toHaveBeenLastCalledWith(9)
    expect(w.get('h2').text()).toBe('Climbers')
    expect(w.get('[data-testid=chat-status]').text()).toBe('3 members · 1 online')
  })
})
