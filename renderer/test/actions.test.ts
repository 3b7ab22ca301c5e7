// Message actions in the inbox: reply, edit, delete for everyone, reactions. The rules and the store
// first (driven through the in-memory MessengerApi), then the chat view that offers them.
import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { nextTick } from 'vue'
import type { ConversationDto, MessageDto } from '../../electron/shared/dto'
import { LIMITS } from '../../electron/shared/limits'
import type { PendingActionDto } from '../../electron/shared/messenger-api'
import { canDelete, canEdit, excerptOf, reactorsText, withPending, withReaction } from '../src/inbox/actions'
import ChatView from '../src/inbox/ChatView.vue'
import ConversationList from '../src/inbox/ConversationList.vue'
import { createInbox, quoteOf } from '../src/inbox/inbox'
import { ada, bob, conversation, cyd, fakeMessenger, flush, group, member, message } from './fake-messenger'
import { mountUi } from './mount'

const NOW = Date.parse('2026-11-27T12:00:00.000Z')
const action = (over: Partial<PendingActionDto> & Pick<PendingActionDto, 'kind' | 'message_id'>): PendingActionDto => ({
  action_id: `a-${over.kind}-${over.message_id}`,
  conversation_id: 1,
  queued_at: '2026-11-27T12:00:00.000Z',
  state: 'pending',
  attempts: 0,
  ...over,
})
const tombstone = (m: MessageDto): MessageDto => ({ ...m, content: '', attachments: [], reactions: [], deleted_at: '2026-11-27T12:00:00.000Z' })

describe('what may be done to a message', () => {
  const mine = message({ conversation_id: 1, sender: ada, created_at: '2026-11-27T11:00:00.000Z' })
  const theirs = message({ conversation_id: 1, sender: bob, created_at: '2026-11-27T11:00:00.000Z' })

  it('offers Edit on our own messages within the edit window, not on others’, notices or tombstones', () => {
    expect(canEdit(mine, ada.user_id, NOW)).toBe(true)
    expect(canEdit(theirs, ada.user_id, NOW)).toBe(false)
    expect(canEdit(mine, ada.user_id, Date.parse(mine.created_at) + LIMITS.editWindowMs - 1)).toBe(true)
    expect(canEdit(mine, ada.user_id, Date.parse(mine.created_at) + LIMITS.editWindowMs)).toBe(false)
    expect(canEdit({ ...mine, system: { type: 'created', actor_id: 1, user_ids: [] } }, ada.user_id, NOW)).toBe(false)
    expect(canEdit(tombstone(mine), ada.user_id, NOW)).toBe(false)
  })

  it('offers Delete on our own messages, and on anyone’s to a group’s owner or admin', () => {
    expect(canDelete(mine, ada.user_id, false)).toBe(true)
    expect(canDelete(theirs, ada.user_id, false)).toBe(false)
    expect(canDelete(theirs, ada.user_id, true)).toBe(true)
    expect(canDelete(tombstone(mine), ada.user_id, true)).toBe(false)
  })

  it('cuts a quote’s excerpt by code points, as the server does', () => {
    const long = '😀'.repeat(LIMITS.replyExcerptChars + 5)
    expect([...excerptOf(long)]).toHaveLength(LIMITS.replyExcerptChars)
    expect(quoteOf(tombstone(mine))).toEqual({ message_id: mine.message_id, sender: ada, excerpt: 'deleted message', deleted: true })
  })

  it('adds and takes back the user’s reaction, and applying it again changes nothing', () => {
    const one = withReaction([], '👍', ada.user_id, true)
    expect(one).toEqual([{ emoji: '👍', count: 1, user_ids: [1] }])
    expect(withReaction(one, '👍', ada.user_id, true)).toBe(one)
    const two = withReaction([{ emoji: '👍', count: 1, user_ids: [2] }], '👍', ada.user_id, true)
    expect(two).toEqual([{ emoji: '👍', count: 2, user_ids: [2, 1] }])
    expect(withReaction(two, '👍', ada.user_id, false)).toEqual([{ emoji: '👍', count: 1, user_ids: [2] }])
    expect(withReaction(one, '👍', ada.user_id, false)).toEqual([])
    expect(withReaction(one, '❤️', ada.user_id, false)).toBe(one)
  })

  it('names who reacted, the user as "You", and counts those the server did not name', () => {
    const names = (id: number) => [ada, bob, cyd].find((u) => u.user_id === id)?.display_name ?? '?'
    expect(reactorsText({ emoji: '👍', count: 1, user_ids: [1] }, ada.user_id, names)).toBe('You')
    expect(reactorsText({ emoji: '👍', count: 3, user_ids: [2, 1, 3] }, ada.user_id, names)).toBe('Bob Babbage, You and Cyd Charisse')
    expect(reactorsText({ emoji: '👍', count: 25, user_ids: [2, 3] }, ada.user_id, names)).toBe('Bob Babbage, Cyd Charisse and 23 more')
  })

  it('lays the user’s queued edits and reactions over the message, not failed ones, and nothing over a tombstone', () => {
    const queue = [
      action({ kind: 'edit', message_id: mine.message_id, content: 'fixed' }),
      action({ kind: 'react', message_id: mine.message_id, emoji: '🙏' }),
      action({ kind: 'edit', message_id: mine.message_id, content: 'refused', state: 'failed' }),
      action({ kind: 'edit', message_id: 9999, content: 'another message' }),
    ]
    const shown = withPending(mine, queue, ada.user_id)
    expect(shown.message).toMatchObject({ content: 'fixed', reactions: [{ emoji: '🙏', count: 1, user_ids: [1] }] })
    expect(shown.actions.map((a) => a.kind)).toEqual(['edit', 'react', 'edit'])
    expect(withPending(tombstone(mine), queue, ada.user_id).message.content).toBe('')
  })
})

describe('the inbox store with message actions', () => {
  const history = () => [
    message({ conversation_id: 1, sender: bob, message_id: 10, content: 'original from bob' }),
    message({ conversation_id: 1, sender: ada, message_id: 11, content: 'a reply', reply_to: { message_id: 10, sender: bob, excerpt: 'original from bob', deleted: false } }),
    message({ conversation_id: 1, sender: bob, message_id: 12, content: 'latest', reactions: [{ emoji: '👍', count: 1, user_ids: [2] }] }),
  ]

  async function started(over: { history?: MessageDto[]; latest?: MessageDto } = {}) {
    const items = over.history ?? history()
    const fake = fakeMessenger({ conversations: [conversation(1, bob, { messages: [over.latest ?? items.at(-1)!] })], history: { 1: items } })
    const inbox = createInbox(fake.api, ada, { isVisible: () => true })
    await inbox.start()
    await inbox.open(1)
    return { fake, inbox }
  }

  const shown = (inbox: ReturnType<typeof createInbox>) => inbox.history(1).value.items

  it('shows an edit in the history, in the list’s preview, and in the quotes of replies to it', async () => {
    const { fake, inbox } = await started({ latest: history()[0] })
    fake.emit('message_updated', { ...history()[0]!, content: 'edited by bob', edited_at: '2026-11-27T10:05:00.000Z' })
    expect(shown(inbox)[0]).toMatchObject({ content: 'edited by bob', edited_at: '2026-11-27T10:05:00.000Z' })
    expect(shown(inbox)[1]!.reply_to).toMatchObject({ message_id: 10, excerpt: 'edited by bob', deleted: false })
    expect(inbox.conversations.value[0]!.messages[0]!.content).toBe('edited by bob')
    // Others are left as they were.
    expect(shown(inbox)[2]).toMatchObject({ content: 'latest', edited_at: null, reply_to: null })
  })

  it('turns a deleted message into its tombstone everywhere, and the quotes of replies to it say so', async () => {
    const withFile = history()
    withFile[0] = { ...withFile[0]!, attachments: [{ attachment_id: 1, message_id: 10, file_url: '/uploads/a.png', file_name: 'a.png', file_type: 'image/png', size: 3 }], reactions: [{ emoji: '❤️', count: 1, user_ids: [1] }] }
    const { fake, inbox } = await started({ history: withFile, latest: withFile[0] })
    fake.emit('message_deleted', tombstone(withFile[0]!))
    expect(shown(inbox)[0]).toMatchObject({ content: '', attachments: [], reactions: [], deleted_at: '2026-11-27T12:00:00.000Z' })
    expect(shown(inbox)[1]!.reply_to).toEqual({ message_id: 10, sender: bob, excerpt: 'deleted message', deleted: true })
    expect(inbox.conversations.value[0]!.messages[0]!.deleted_at).not.toBeNull()
  })

  it('follows reactions as the server counts them', async () => {
    const { fake, inbox } = await started()
    fake.emit('reaction_updated', { conversation_id: 1, message_id: 12, reactions: [{ emoji: '👍', count: 2, user_ids: [2, 1] }, { emoji: '😂', count: 1, user_ids: [3] }] })
    expect(shown(inbox)[2]!.reactions).toEqual([
      { emoji: '👍', count: 2, user_ids: [2, 1] },
      { emoji: '😂', count: 1, user_ids: [3] },
    ])
    expect(inbox.conversations.value[0]!.messages[0]!.reactions).toHaveLength(2)
  })

  it('asks the API with the message and conversation for each action, and sends a reply with its replyToId', async () => {
    const { fake, inbox } = await started()
    const [original, , latest] = history()
    await inbox.edit(history()[1]!, 'better reply')
    expect(fake.api.editMessage).toHaveBeenCalledExactlyOnceWith(11, 1, 'better reply')
    await inbox.remove(history()[1]!)
    expect(fake.api.deleteMessage).toHaveBeenCalledExactlyOnceWith(11, 1)
    await inbox.react(latest!, '😂', true)
    await inbox.react(latest!, '👍', false)
    expect(fake.api.react.mock.calls).toEqual([
      [12, 1, '😂', true],
      [12, 1, '👍', false],
    ])
    await inbox.send(1, 'answering', [], original!.message_id)
    expect(fake.api.sendMessage).toHaveBeenLastCalledWith(1, 'answering', undefined, { replyToId: 10 })
    // A send waiting in the outbox shows the quote of what it answers.
    expect(inbox.itemsOf(1).at(-1)).toMatchObject({ kind: 'pending', replyTo: { message_id: 10, excerpt: 'original from bob' } })
    await inbox.versions(10)
    expect(fake.api.getMessageVersions).toHaveBeenCalledWith(10)
  })

  it('shows queued actions on their message (the edit and the reaction as made), and keeps them shown until the server’s word comes', async () => {
    const { fake, inbox } = await started()
    expect(fake.api.getPendingActions).toHaveBeenCalledTimes(1)
    const edit = action({ kind: 'edit', message_id: 11, content: 'offline edit' })
    const react = action({ kind: 'react', message_id: 12, emoji: '👍' })
    fake.emit('pending_actions', [edit, react])
    const shownNow = () => inbox.itemsOf(1).map((r) => (r.kind === 'message' ? [r.message.content, r.message.reactions.map((x) => `${x.emoji}${x.count}`).join(' '), r.actions.length] : null))
    expect(shownNow()).toEqual([
      ['original from bob', '', 0],
      ['offline edit', '', 1],
      ['latest', '👍2', 1],
    ])
    // Sent: the queue lets them go before the server's word comes; nothing flips back meanwhile.
    fake.emit('pending_actions', [])
    expect(shownNow()).toEqual([
      ['original from bob', '', 0],
      ['offline edit', '', 0],
      ['latest', '👍2', 0],
    ])
    // The server's word: its state is what shows (here someone else's reaction came with ours).
    fake.emit('message_updated', { ...history()[1]!, content: 'offline edit', edited_at: '2026-11-27T12:00:00.000Z' })
    fake.emit('reaction_updated', { conversation_id: 1, message_id: 12, reactions: [{ emoji: '👍', count: 3, user_ids: [2, 3, 1] }] })
    expect(shownNow()).toEqual([
      ['original from bob', '', 0],
      ['offline edit', '', 0],
      ['latest', '👍3', 0],
    ])
    expect(inbox.state.sent).toEqual([])
    await inbox.retryAction('a1')
    await inbox.discardAction('a2')
    expect(fake.api.retryAction).toHaveBeenCalledWith('a1')
    expect(fake.api.discardAction).toHaveBeenCalledWith('a2')
  })

  it('lets a sent action go after a while when no word of it comes (an edit to the same text changes nothing)', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout'] })
    try {
      const { fake, inbox } = await started()
      fake.emit('pending_actions', [action({ kind: 'react', message_id: 12, emoji: '😮' })])
      fake.emit('pending_actions', [])
      expect(inbox.itemsOf(1)[2]).toMatchObject({ message: { reactions: [{ emoji: '👍' }, { emoji: '😮', count: 1 }] } })
      vi.advanceTimersByTime(5_000)
      expect(inbox.itemsOf(1)[2]).toMatchObject({ message: { reactions: [{ emoji: '👍', count: 1 }] } })
      expect((inbox.itemsOf(1)[2] as { message: MessageDto }).message.reactions).toHaveLength(1)
      // A refused one is not laid over at all, and leaving the queue (discarded) changes nothing.
      const refused = action({ kind: 'edit', message_id: 11, content: 'too late', state: 'failed' })
      fake.emit('pending_actions', [refused])
      expect(inbox.itemsOf(1)[1]).toMatchObject({ message: { content: 'a reply' }, actions: [refused] })
      fake.emit('pending_actions', [])
      expect(inbox.state.sent).toEqual([])
    } finally {
      vi.useRealTimers()
    }
  })

  it('shows the tombstone of a message sent and deleted while the user was away, after the latest', async () => {
    const { fake, inbox } = await started()
    const never = message({ conversation_id: 1, sender: bob, message_id: 15, content: '', deleted_at: '2026-11-27T11:00:00.000Z', created_at: '2026-11-27T10:59:00.000Z' })
    fake.emit('message_deleted', never)
    expect(shown(inbox).map((m) => m.message_id)).toEqual([10, 11, 12, 15])
    expect(inbox.conversations.value[0]!.messages[0]).toMatchObject({ message_id: 15, deleted_at: '2026-11-27T11:00:00.000Z' })
    expect(inbox.conversations.value[0]!.unread_count).toBe(0)
    // One older than what is loaded is left to its page.
    fake.emit('message_deleted', { ...never, message_id: 3 })
    expect(shown(inbox).map((m) => m.message_id)).toEqual([10, 11, 12, 15])
    // An update of a message not loaded is ignored.
    fake.emit('message_updated', message({ conversation_id: 1, sender: bob, message_id: 4, content: 'old, edited' }))
    expect(shown(inbox).map((m) => m.message_id)).toEqual([10, 11, 12, 15])
  })

  describe('history around a message', () => {
    // 200 messages, ids 1000..1199, alternately from Bob and Ada.
    const long = () => Array.from({ length: 200 }, (_, i) => message({ conversation_id: 1, sender: i % 2 ? ada : bob, message_id: 1000 + i, content: `n${i}` }))

    it('replaces the loaded page with the one around an older message, then loads newer pages down to the latest', async () => {
      const all = long()
      const { fake, inbox } = await started({ history: all })
      expect(shown(inbox).map((m) => m.message_id)).toEqual(all.slice(-50).map((m) => m.message_id))
      await inbox.loadAround(1, 1020)
      expect(fake.api.getMessages).toHaveBeenLastCalledWith(1, { around: 1020, limit: LIMITS.pageDefault })
      expect(shown(inbox)[0]!.message_id).toBe(1000)
      expect(shown(inbox).map((m) => m.message_id)).toContain(1020)
      expect(inbox.history(1).value).toMatchObject({ hasNewer: true })
      // A message arriving meanwhile is not shown after a gap: it comes with the newer pages.
      fake.emit('new_message', message({ conversation_id: 1, sender: bob, message_id: 1200 }))
      all.push(message({ conversation_id: 1, sender: bob, message_id: 1200 }))
      expect(shown(inbox).some((m) => m.message_id === 1200)).toBe(false)
      while (inbox.history(1).value.hasNewer) await inbox.loadNewer(1)
      const ids = shown(inbox).map((m) => m.message_id)
      expect(ids).toEqual(all.map((m) => m.message_id))
    })

    it('joins a page that overlaps what is loaded, and jumps back to the latest page', async () => {
      const { inbox } = await started({ history: long() })
      await inbox.loadAround(1, 1160)
      expect(shown(inbox).map((m) => m.message_id)).toEqual(long().slice(-65).map((m) => m.message_id))
      expect(inbox.history(1).value.hasNewer).toBe(false)
      await inbox.loadAround(1, 1010)
      expect(inbox.history(1).value.hasNewer).toBe(true)
      await inbox.jumpToLatest(1)
      expect(inbox.history(1).value).toMatchObject({ hasNewer: false })
      expect(shown(inbox).map((m) => m.message_id)).toEqual(long().slice(-50).map((m) => m.message_id))
    })
  })
})

// The chat view, in happy-dom: give the chat's scroller a height, so its virtualized list renders rows.
describe('the chat view’s message actions', () => {
  beforeEach(() => {
    let proto: object | null = HTMLElement.prototype
    while (proto && !Object.getOwnPropertyDescriptor(proto, 'clientHeight')) proto = Object.getPrototypeOf(proto) as object | null
    const clientHeight = Object.getOwnPropertyDescriptor(proto!, 'clientHeight')!
    vi.spyOn(HTMLElement.prototype, 'clientHeight', 'get').mockImplementation(function (this: HTMLElement) {
      return this.getAttribute('role') === 'log' ? 2000 : (clientHeight.get!.call(this) as number)
    })
  })

  afterEach(() => {
    vi.restoreAllMocks()
    vi.useRealTimers()
    document.body.innerHTML = ''
  })

  // Sent "now", so our own are within the edit window.
  const at = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000).toISOString()
  const chat = () => [
    message({ conversation_id: 1, sender: bob, message_id: 20, content: 'are we climbing today?', created_at: at(30) }),
    message({ conversation_id: 1, sender: ada, message_id: 21, content: 'yes, at six', created_at: at(20) }),
    message({ conversation_id: 1, sender: bob, message_id: 22, content: 'bring the rope', created_at: at(10), reactions: [{ emoji: '👍', count: 1, user_ids: [2] }] }),
  ]

  async function view(data: { history?: MessageDto[]; conversation?: ConversationDto; id?: number } = {}) {
    const id = data.id ?? 1
    const items = data.history ?? chat()
    const fake = fakeMessenger({ conversations: [data.conversation ?? conversation(1, bob, { messages: [items.at(-1)!] })], history: { [id]: items } })
    const inbox = createInbox(fake.api, ada, { isVisible: () => true })
    await inbox.start()
    await inbox.open(id)
    const w = mountUi(ChatView, { inbox, conversationId: id }, fake.api)
    await flushPromises()
    return { fake, inbox, w }
  }

  const bubble = (w: VueWrapper, id: number) => w.get(`[data-message-id="${id}"]`)
  const menuItems = () => [...document.querySelectorAll<HTMLElement>('[role=menu] [role=menuitem], [role=menu] [role=menuitemcheckbox]')].map((el) => el.textContent?.trim())
  const menuItem = (label: string) => {
    const item = [...document.querySelectorAll<HTMLElement>('[role=menuitem], [role=menuitemcheckbox]')].find((el) => el.textContent?.trim() === label)
    if (!item) throw new Error(`no menu item "${label}" in ${menuItems().join(', ')}`)
    return item
  }
  /** Opens a message's menu from its button, with the keyboard. */
  async function openMenu(w: VueWrapper, id: number) {
    const button = bubble(w, id).get('[data-testid=message-menu]')
    button.element.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }))
    await vi.waitFor(() => expect(document.querySelector('[role=menu]')).not.toBeNull())
  }
  async function choose(label: string) {
    menuItem(label).click()
    await flushPromises()
  }
  const composer = (w: VueWrapper) => w.get('textarea')
  const press = async (w: VueWrapper, key: string) => {
    await composer(w).trigger('keydown', { key })
    await flushPromises()
  }

  it('opens the menu on right-click with what the user may do to each message, and offers none on a notice or a tombstone', async () => {
    const history = [
      ...chat(),
      message({ conversation_id: 1, sender: bob, message_id: 23, content: '', deleted_at: at(1) }),
    ]
    const { w } = await view({ history })
    bubble(w, 21).get('[data-testid=bubble]').element.dispatchEvent(new MouseEvent('contextmenu', { bubbles: true, cancelable: true, clientX: 40, clientY: 40 }))
    await vi.waitFor(() => expect(document.querySelector('[role=menu]')).not.toBeNull())
    expect(menuItems()).toEqual(['Reply', 'React', 'Edit', 'Copy text', 'Delete for everyone'])
    document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }))
    await vi.waitFor(() => expect(document.querySelector('[role=menu]')).toBeNull())
    // Someone else's message in a one-to-one chat: no edit, no delete.
    await openMenu(w, 20)
    expect(menuItems()).toEqual(['Reply', 'React', 'Copy text'])
    expect(bubble(w, 20).get('[data-testid=message-menu]').attributes('aria-label')).toBe('Actions for Bob Babbage’s message')
    expect(bubble(w, 21).get('[data-testid=message-menu]').attributes('aria-label')).toBe('Actions for your message')
    // The tombstone is inert.
    expect(bubble(w, 23).find('[data-testid=message-menu]').exists()).toBe(false)
    expect(bubble(w, 23).get('[data-testid=tombstone]').text()).toBe('This message was deleted')
  })

  it('offers only Copy text once the user is out of the group, and reactions no longer toggle', async () => {
    const lab = group(7, 'Lab', [member(ada), member(bob, 'owner')])
    const theirs = message({ conversation_id: 7, sender: bob, message_id: 40, content: 'bye', created_at: at(3), reactions: [{ emoji: '👍', count: 1, user_ids: [2] }] })
    const { fake, w } = await view({ id: 7, history: [theirs], conversation: { ...lab, messages: [theirs] } })
    fake.emit('conversation_updated', { ...lab, participants: [member(bob, 'owner')] })
    await flushPromises()
    await openMenu(w, 40)
    expect(menuItems()).toEqual(['Copy text'])
    const chip = bubble(w, 40).get('[data-testid=reaction]')
    expect(chip.attributes('aria-disabled')).toBe('true')
    await chip.trigger('click')
    expect(fake.api.react).not.toHaveBeenCalled()
  })

  it('opens the same menu on a long press (touch)', async () => {
    const { w } = await view()
    bubble(w, 22).get('[data-testid=bubble]').element.dispatchEvent(new PointerEvent('pointerdown', { bubbles: true, pointerType: 'touch', clientX: 30, clientY: 30 }))
    // Held past the press delay (700 ms), with no pointerup.
    await vi.waitFor(() => expect(document.querySelector('[role=menu]')).not.toBeNull(), { timeout: 3000 })
    expect(menuItems()).toEqual(['Reply', 'React', 'Copy text'])
  })

  it('offers Edit only within the edit window, and a group’s admin Delete on anyone’s message', async () => {
    const old = message({ conversation_id: 7, sender: ada, message_id: 30, content: 'yesterday', created_at: new Date(Date.now() - LIMITS.editWindowMs - 60_000).toISOString() })
    const theirs = message({ conversation_id: 7, sender: bob, message_id: 31, content: 'from bob', created_at: at(5) })
    const notice = message({ conversation_id: 7, sender: bob, message_id: 32, content: 'Bob Babbage added Cyd Charisse', system: { type: 'added', actor_id: 2, user_ids: [3] } })
    const lab = (role: 'admin' | 'member') => group(7, 'Lab', [member(ada, role), member(bob, 'owner'), member(cyd)], { messages: [notice] })
    const asAdmin = await view({ id: 7, history: [old, theirs, notice], conversation: lab('admin') })
    // Past the window: no Edit.
    await openMenu(asAdmin.w, 30)
    expect(menuItems()).toEqual(['Reply', 'React', 'Copy text', 'Delete for everyone'])
    document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }))
    await vi.waitFor(() => expect(document.querySelector('[role=menu]')).toBeNull())
    await openMenu(asAdmin.w, 31)
    expect(menuItems()).toEqual(['Reply', 'React', 'Copy text', 'Delete for everyone'])
    await choose('Delete for everyone')
    expect(document.querySelector('[role=dialog]')!.textContent).toContain('It is Bob Babbage’s')
    document.body.innerHTML = ''
    const asMember = await view({ id: 7, history: [old, theirs, notice], conversation: lab('member') })
    await openMenu(asMember.w, 31)
    expect(menuItems()).toEqual(['Reply', 'React', 'Copy text'])
    // A notice has no menu at all.
    expect(asMember.w.get('[data-testid=notice]').find('[data-testid=message-menu]').exists()).toBe(false)
  })

  it('replies: a preview above the composer, Escape cancels it, sending carries replyToId, and the reply shows its quote', async () => {
    const { fake, w } = await view()
    await openMenu(w, 20)
    await choose('Reply')
    // The composer is where the user goes next (not back to the menu's button).
    await vi.waitFor(() => expect(document.activeElement).toBe(composer(w).element))
    // …and stays there once the menu's focus scope has let go (it hands focus back on the next task).
    await flush()
    expect(document.activeElement).toBe(composer(w).element)
    const preview = () => w.find('[data-testid=reply-preview]')
    expect(preview().attributes('aria-label')).toBe('Replying to Bob Babbage')
    expect(preview().get('[data-testid=preview-excerpt]').text()).toBe('are we climbing today?')
    // Escape cancels the reply, and does not close the chat (the inbox's Escape sees it handled).
    const escape = new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, cancelable: true })
    composer(w).element.dispatchEvent(escape)
    await flushPromises()
    expect(escape.defaultPrevented).toBe(true)
    expect(preview().exists()).toBe(false)
    // So does Escape elsewhere in the chat (the list has focus), still without closing it.
    await openMenu(w, 20)
    await choose('Reply')
    const elsewhere = new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, cancelable: true })
    w.get('[data-testid=message-list]').element.dispatchEvent(elsewhere)
    await flushPromises()
    expect(elsewhere.defaultPrevented).toBe(true)
    expect(preview().exists()).toBe(false)
    // The close button cancels too.
    await openMenu(w, 20)
    await choose('Reply')
    await w.get('[data-testid=cancel-preview]').trigger('click')
    expect(preview().exists()).toBe(false)
    await openMenu(w, 20)
    await choose('Reply')
    await composer(w).setValue('yes!')
    await press(w, 'Enter')
    expect(fake.api.sendMessage).toHaveBeenCalledExactlyOnceWith(1, 'yes!', undefined, { replyToId: 20 })
    expect(preview().exists()).toBe(false)
    // The server's answer: the reply, with its quote.
    fake.emit('new_message', message({ conversation_id: 1, sender: ada, message_id: 24, content: 'yes!', client_id: 'c1', reply_to: { message_id: 20, sender: bob, excerpt: 'are we climbing today?', deleted: false } }))
    await flushPromises()
    const quote = bubble(w, 24).get('[data-testid=quote]')
    expect(quote.get('[data-testid=quote-sender]').text()).toBe('Bob Babbage')
    expect(quote.get('[data-testid=quote-excerpt]').text()).toBe('are we climbing today?')
    expect(quote.attributes('aria-label')).toBe('Reply to Bob Babbage: are we climbing today?. Go to the original message')
    // The original deleted: the quote says so.
    fake.emit('message_deleted', tombstone(chat()[0]!))
    await flushPromises()
    expect(bubble(w, 24).get('[data-testid=quote-excerpt]').text()).toBe('deleted message')
    expect(bubble(w, 24).get('[data-testid=quote]').attributes('data-deleted')).toBe('true')
  })

  it('edits the last own message on Up in an empty composer, saves with editMessage, and gives the draft back', async () => {
    const history = [...chat(), message({ conversation_id: 1, sender: ada, message_id: 23, content: 'see you', created_at: at(5) }), message({ conversation_id: 1, sender: bob, message_id: 24, content: 'ok', created_at: at(4) })]
    const { fake, w } = await view({ history })
    // Up with text in the box moves the caret, as usual.
    await composer(w).setValue('draft')
    await press(w, 'ArrowUp')
    expect(w.find('[data-testid=edit-preview]').exists()).toBe(false)
    await composer(w).setValue('')
    await press(w, 'ArrowUp')
    expect(w.get('[data-testid=edit-preview]').get('[data-testid=preview-excerpt]').text()).toBe('see you')
    expect((composer(w).element as HTMLTextAreaElement).value).toBe('see you')
    expect(composer(w).attributes('aria-label')).toBe('Edit message')
    await composer(w).setValue('see you at six')
    await w.get('[data-testid=save-edit]').trigger('click')
    await flushPromises()
    expect(fake.api.editMessage).toHaveBeenCalledExactlyOnceWith(23, 1, 'see you at six')
    expect(fake.api.sendMessage).not.toHaveBeenCalled()
    expect(w.find('[data-testid=edit-preview]').exists()).toBe(false)
    // Escape cancels an edit and puts back what was being written before it.
    await composer(w).setValue('half a thought')
    await openMenu(w, 21)
    await choose('Edit')
    expect((composer(w).element as HTMLTextAreaElement).value).toBe('yes, at six')
    await vi.waitFor(() => expect(document.activeElement).toBe(composer(w).element))
    await flush()
    expect(document.activeElement).toBe(composer(w).element)
    await press(w, 'Escape')
    expect(w.find('[data-testid=edit-preview]').exists()).toBe(false)
    expect((composer(w).element as HTMLTextAreaElement).value).toBe('half a thought')
    expect(fake.api.editMessage).toHaveBeenCalledTimes(1)
  })

  it('shows an edit with "edited", which opens the earlier versions oldest first, with times', async () => {
    const { fake, w } = await view()
    expect(bubble(w, 21).find('[data-testid=edited]').exists()).toBe(false)
    fake.emit('message_updated', { ...chat()[1]!, content: 'yes, at seven', edited_at: '2026-11-27T10:30:00.000Z' })
    await flushPromises()
    expect(bubble(w, 21).get('[data-testid=content]').text()).toBe('yes, at seven')
    const edited = bubble(w, 21).get('[data-testid=edited]')
    expect(edited.text()).toBe('edited')
    expect(edited.attributes('aria-label')).toBe('Edited: show earlier versions')
    fake.api.getMessageVersions.mockResolvedValue([
      { content: 'yes, at six', written_at: '2026-11-27T10:00:00.000Z' },
      { content: 'yes, at half six', written_at: '2026-11-27T10:10:00.000Z' },
    ])
    await edited.trigger('click')
    await vi.waitFor(() => expect(document.querySelectorAll('[data-testid=version]')).toHaveLength(2))
    expect(fake.api.getMessageVersions).toHaveBeenCalledWith(21)
    const versions = [...document.querySelectorAll('[data-testid=version], [data-testid=version-current]')].map((v) => [v.querySelector('time')?.getAttribute('datetime'), v.querySelector('[data-testid=version-content]')?.textContent])
    expect(versions).toEqual([
      ['2026-11-27T10:00:00.000Z', 'yes, at six'],
      ['2026-11-27T10:10:00.000Z', 'yes, at half six'],
      ['2026-11-27T10:30:00.000Z', 'yes, at seven'],
    ])
  })

  it('deletes after a confirmation, and shows the tombstone without files, reactions or menu', async () => {
    const history = chat()
    history[1] = { ...history[1]!, attachments: [{ attachment_id: 5, message_id: 21, file_url: '/uploads/route.pdf', file_name: 'route.pdf', file_type: 'application/pdf', size: 1200 }], reactions: [{ emoji: '❤️', count: 1, user_ids: [2] }] }
    const { fake, w } = await view({ history })
    expect(bubble(w, 21).find('[data-testid=file-chip]').exists()).toBe(true)
    await openMenu(w, 21)
    await choose('Delete for everyone')
    const dialog = () => document.querySelector('[data-testid=confirmation]')?.closest('[role=dialog]')
    expect(dialog()!.querySelector('h2')!.textContent).toBe('Delete this message for everyone?')
    // Focus starts on the safe answer; cancelling calls nothing.
    expect(document.activeElement?.textContent?.trim()).toBe('Cancel')
    ;(document.activeElement as HTMLElement).click()
    await flushPromises()
    expect(dialog()).toBeFalsy()
    expect(fake.api.deleteMessage).not.toHaveBeenCalled()
    // Focus goes back to the message's menu button.
    await vi.waitFor(() => expect(document.activeElement).toBe(bubble(w, 21).get('[data-testid=message-menu]').element))
    await openMenu(w, 21)
    await choose('Delete for everyone')
    ;[...dialog()!.querySelectorAll<HTMLButtonElement>('button')].find((b) => b.textContent?.trim() === 'Delete')!.click()
    await flushPromises()
    expect(fake.api.deleteMessage).toHaveBeenCalledExactlyOnceWith(21, 1)
    // While the queue has it: "Deleting…".
    fake.emit('pending_actions', [action({ kind: 'delete', message_id: 21 })])
    await nextTick()
    expect(bubble(w, 21).get('[data-testid=action-status]').text()).toBe('Deleting…')
    fake.emit('message_deleted', tombstone(history[1]!))
    fake.emit('pending_actions', [])
    await flushPromises()
    const gone = bubble(w, 21)
    expect(gone.get('[data-testid=tombstone]').text()).toBe('This message was deleted')
    expect(gone.get('[data-testid=tombstone]').classes()).toContain('italic')
    expect(gone.find('[data-testid=content]').exists()).toBe(false)
    expect(gone.find('[data-testid=file-chip]').exists()).toBe(false)
    expect(gone.find('[data-testid=reactions]').exists()).toBe(false)
    expect(gone.find('[data-testid=message-menu]').exists()).toBe(false)
    expect(gone.find('[data-testid=action-status]').exists()).toBe(false)
    // Right-click on it opens nothing.
    gone.get('[data-testid=bubble]').element.dispatchEvent(new MouseEvent('contextmenu', { bubbles: true, cancelable: true }))
    await flushPromises()
    expect(document.querySelector('[role=menu]')).toBeNull()
  })

  it('shows reactions under the bubble, ours highlighted, who reacted on hover or focus; a click toggles ours', async () => {
    const history = chat()
    history[2] = { ...history[2]!, reactions: [{ emoji: '👍', count: 2, user_ids: [2, 1] }, { emoji: '😂', count: 24, user_ids: [2, 3] }] }
    const { fake, w } = await view({ history })
    const chips = () => bubble(w, 22).findAll('[data-testid=reaction]')
    expect(chips().map((c) => c.text())).toEqual(['👍2', '😂24'])
    expect(chips().map((c) => [c.attributes('data-mine'), c.attributes('aria-pressed')])).toEqual([
      ['true', 'true'],
      ['false', 'false'],
    ])
    expect(chips()[0]!.attributes('aria-label')).toBe('👍 2: Bob Babbage and You. Remove your reaction')
    expect(chips()[1]!.attributes('aria-label')).toBe('😂 24: Bob Babbage, A former member and 22 more. React with 😂')
    await chips()[0]!.trigger('click')
    await chips()[1]!.trigger('click')
    expect(fake.api.react.mock.calls).toEqual([
      [22, 1, '👍', false],
      [22, 1, '😂', true],
    ])
    // The server's count comes back, ours among them.
    fake.emit('reaction_updated', { conversation_id: 1, message_id: 22, reactions: [{ emoji: '😂', count: 25, user_ids: [2, 3, 1] }] })
    await flushPromises()
    expect(chips().map((c) => [c.text(), c.attributes('data-mine')])).toEqual([['😂25', 'true']])
    // Hovering or focusing a chip names who reacted.
    chips()[0]!.element.dispatchEvent(new FocusEvent('focus'))
    await vi.waitFor(() => expect(document.querySelector('[role=tooltip]')?.textContent).toContain('Bob Babbage, A former member, You and 22 more'))
    // From the menu: the quick reactions, ours checked.
    await openMenu(w, 22)
    menuItem('React').click()
    await vi.waitFor(() => expect(document.querySelectorAll('[role=menuitemcheckbox]')).toHaveLength(LIMITS.quickReactions.length))
    expect([...document.querySelectorAll('[role=menuitemcheckbox]')].map((el) => [el.textContent?.trim(), el.getAttribute('aria-checked')])).toEqual(
      LIMITS.quickReactions.map((emoji) => [emoji, emoji === '😂' ? 'true' : 'false']),
    )
    await choose('❤️')
    expect(fake.api.react).toHaveBeenLastCalledWith(22, 1, '❤️', true)
  })

  it('jumps to a quoted message: scrolls to and marks a loaded one, loads the history around one that is not', async () => {
    const long = Array.from({ length: 120 }, (_, i) => message({ conversation_id: 1, sender: i % 2 ? ada : bob, message_id: 1000 + i, content: `n${i}`, created_at: at(500 - i) }))
    long.push(message({ conversation_id: 1, sender: bob, message_id: 1200, content: 'about that', created_at: at(1), reply_to: { message_id: 1003, sender: ada, excerpt: 'n3', deleted: false } }))
    long.push(message({ conversation_id: 1, sender: bob, message_id: 1201, content: 'and this', created_at: at(1), reply_to: { message_id: 1119, sender: ada, excerpt: 'n119', deleted: false } }))
    const { fake, w } = await view({ history: long })
    const calls = fake.api.getMessages.mock.calls.length
    // Loaded: no request, the original is marked and focused.
    await bubble(w, 1201).get('[data-testid=quote]').trigger('click')
    await vi.waitFor(() => expect(bubble(w, 1119).get('[data-testid=bubble]').attributes('data-highlighted')).toBe('true'))
    expect(fake.api.getMessages).toHaveBeenCalledTimes(calls)
    await vi.waitFor(() => expect(document.activeElement).toBe(bubble(w, 1119).get('[data-testid=bubble]').element))
    // Not loaded: the page around it.
    expect(w.find('[data-message-id="1003"]').exists()).toBe(false)
    // A short page: happy-dom measures every row as 0 px high, and the virtualizer then renders only part of a long one.
    fake.api.getMessages.mockImplementationOnce(async () => long.slice(0, 20))
    await bubble(w, 1200).get('[data-testid=quote]').trigger('click')
    await flushPromises()
    expect(fake.api.getMessages).toHaveBeenLastCalledWith(1, { around: 1003, limit: LIMITS.pageDefault })
    await vi.waitFor(() => expect(w.get('[data-message-id="1003"] [data-testid=bubble]').attributes('data-highlighted')).toBe('true'))
    // An older stretch: a pill goes back to the latest.
    const jump = w.get('[data-testid=jump-latest]')
    await jump.trigger('click')
    await flushPromises()
    expect(fake.api.getMessages).toHaveBeenLastCalledWith(1, { limit: LIMITS.pageDefault })
    expect(w.find('[data-testid=jump-latest]').exists()).toBe(false)
  })

  it('shows queued edits as "Saving…", and a refused one with its reason, Retry and Discard', async () => {
    const { fake, w } = await view()
    fake.emit('pending_actions', [action({ action_id: 'x1', kind: 'edit', message_id: 21, content: 'yes, at seven' })])
    await nextTick()
    expect(bubble(w, 21).get('[data-testid=content]').text()).toBe('yes, at seven')
    expect(bubble(w, 21).get('[data-testid=action-status]').text()).toBe('Saving…')
    fake.emit('pending_actions', [action({ action_id: 'x1', kind: 'edit', message_id: 21, content: 'yes, at seven', state: 'failed', error: { code: 'forbidden', message: 'This message can no longer be edited.' } })])
    await nextTick()
    expect(bubble(w, 21).get('[data-testid=content]').text()).toBe('yes, at six')
    const failed = bubble(w, 21).get('[data-testid=action-failed]')
    expect(failed.text()).toContain('Edit not saved: This message can no longer be edited.')
    const [retry, discard] = failed.findAll('button')
    await retry!.trigger('click')
    await discard!.trigger('click')
    expect(fake.api.retryAction).toHaveBeenCalledWith('x1')
    expect(fake.api.discardAction).toHaveBeenCalledWith('x1')
  })

  it('copies a message’s text', async () => {
    const writeText = vi.fn(async () => {})
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true })
    const { w } = await view()
    await openMenu(w, 22)
    await choose('Copy text')
    expect(writeText).toHaveBeenCalledExactlyOnceWith('bring the rope')
  })

  it('says "Message deleted" in the conversation list when the latest message is deleted', async () => {
    const latest = message({ conversation_id: 1, sender: bob, message_id: 22, content: 'bring the rope' })
    const fake = fakeMessenger({ conversations: [conversation(1, bob, { messages: [latest] })] })
    const inbox = createInbox(fake.api, ada)
    await inbox.start()
    const w = mountUi(ConversationList, { inbox }, fake.api)
    await nextTick()
    expect(w.get('[data-testid=preview]').text()).toBe('bring the rope')
    fake.emit('message_updated', { ...latest, content: 'bring two ropes', edited_at: at(0) })
    await nextTick()
    expect(w.get('[data-testid=preview]').text()).toBe('bring two ropes')
    fake.emit('message_deleted', tombstone(latest))
    await nextTick()
    expect(w.get('[data-testid=preview]').text()).toBe('Message deleted')
  })
})
