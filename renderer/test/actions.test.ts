// Message actions in the inbox: reply, edit, delete for everyone, reactions. The rules and the store
// first (driven through the in-memory MessengerApi), then the chat view that offers them.
import { describe, expect, it } from 'vitest'
import type { MessageDto } from '../../electron/shared/dto'
import { LIMITS } from '../../electron/shared/limits'
import type { PendingActionDto } from '../../electron/shared/messenger-api'
import { canDelete, canEdit, excerptOf, reactorsText, withPending, withReaction } from '../src/inbox/actions'
import { createInbox, quoteOf } from '../src/inbox/inbox'
import { ada, bob, conversation, cyd, fakeMessenger, message } from './fake-messenger'

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

  it('shows queued actions on their message (the edit and the reaction as made) until the queue lets them go', async () => {
    const { fake, inbox } = await started()
    expect(fake.api.getPendingActions).toHaveBeenCalledTimes(1)
    fake.emit('pending_actions', [action({ kind: 'edit', message_id: 11, content: 'offline edit' }), action({ kind: 'react', message_id: 12, emoji: '👍' })])
    const rows = inbox.itemsOf(1)
    expect(rows[1]).toMatchObject({ kind: 'message', message: { content: 'offline edit' }, actions: [{ kind: 'edit' }] })
    expect(rows[2]).toMatchObject({ message: { reactions: [{ emoji: '👍', count: 2, user_ids: [2, 1] }] } })
    // Delivered: the server's state, and the queue empty, show the same.
    fake.emit('message_updated', { ...history()[1]!, content: 'offline edit', edited_at: '2026-11-27T12:00:00.000Z' })
    fake.emit('reaction_updated', { conversation_id: 1, message_id: 12, reactions: [{ emoji: '👍', count: 2, user_ids: [2, 1] }] })
    expect(inbox.itemsOf(1)[2]).toMatchObject({ message: { reactions: [{ emoji: '👍', count: 2, user_ids: [2, 1] }] } })
    fake.emit('pending_actions', [])
    expect(inbox.itemsOf(1).map((r) => (r.kind === 'message' ? [r.message.content, r.actions.length] : null))).toEqual([
      ['original from bob', 0],
      ['offline edit', 0],
      ['latest', 0],
    ])
    await inbox.retryAction('a1')
    await inbox.discardAction('a2')
    expect(fake.api.retryAction).toHaveBeenCalledWith('a1')
    expect(fake.api.discardAction).toHaveBeenCalledWith('a2')
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
