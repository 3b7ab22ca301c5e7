import { describe, expect, it } from 'vitest'
import { attention, type Attention, type Viewer } from '../../electron/shared/attention'

// Me (1) looking at conversation 3 in a window in front of me; the newest message known there is 50.
const viewer: Viewer = { userId: 1, activeConversationId: 3, windowShown: true, latestKnownId: 50, doNotDisturb: false }
const message: Parameters<typeof attention>[0] = { message_id: 51, conversation_id: 3, sender_id: 2, is_read: false, system: null }
const none: Attention = { replay: false, inView: false, notify: false, countUnread: false, badge: false }
const wanted: Attention = { replay: false, inView: false, notify: true, countUnread: true, badge: true }

describe('what an incoming message asks of the user', () => {
  it.each<[string, Partial<typeof message>, Partial<Viewer>, Attention]>([
    ['in the conversation on screen', {}, {}, { ...none, inView: true }],
    ['in another conversation', { conversation_id: 4 }, { latestKnownId: null }, wanted],
    ['while the window is not in front', {}, { windowShown: false }, wanted],
    ['while no conversation is open', {}, { activeConversationId: null }, wanted],
    ['in a conversation with nothing known yet', { conversation_id: 9 }, { latestKnownId: null }, wanted],
    ['my own, from another device', { sender_id: 1 }, { windowShown: false }, none],
    ['already read on another device', { is_read: true }, { windowShown: false }, none],
    ['in do-not-disturb: counted, not notified', {}, { windowShown: false, doNotDisturb: true }, { ...wanted, notify: false }],
    ['the newest one known, replayed by a catch-up', { message_id: 50 }, { windowShown: false }, { ...none, replay: true }],
    ['an older one, replayed', { message_id: 12 }, { windowShown: false }, { ...none, replay: true }],
    ['a replay of the conversation on screen', { message_id: 50 }, {}, { ...none, replay: true, inView: true }],
    ['in a muted conversation: counted in the list, no notification, not on the badge', {}, { windowShown: false, muted: true }, { ...wanted, notify: false, badge: false }],
    ['the server’s notice (a group renamed, people added)', { system: { type: 'renamed', actor_id: 2, user_ids: [], title: 'Team' } }, { windowShown: false }, none],
  ])('a message %s', (_what, over, state, expected) => {
    expect(attention({ ...message, ...over }, { ...viewer, ...state })).toEqual(expected)
  })
})
