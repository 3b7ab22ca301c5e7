import { describe, expect, it, vi } from 'vitest'
import { CatchUp, KNOWN_KEPT, KnownMessages, type CatchUpDeps, type Cursor, type FeedEvents, type LiveChange } from '../../electron/client/catch-up'
import type { KnownMessagesState } from '../../electron/client/store'
import type { ConversationUpdateDto, ReadStateDto } from '../../electron/shared/dto'
import type { SyncResult } from '../../electron/shared/events'
import { message } from './fakes'

const edited = (id: number, content: string) => message(id, { content, edited_at: '2026-11-27T11:00:00.000Z' })
const tombstone = (id: number) => message(id, { content: '', deleted_at: '2026-11-27T12:00:00.000Z' })
const group = (id: number): ConversationUpdateDto => ({ conversation_id: id, kind: 'group', title: 'Team', created_at: '', updated_at: '', participants: [] })

const live = <K extends LiveChange['event']>(event: K, payload: FeedEvents[K], seq: number | null) => ({ event, payload, seq }) as LiveChange
const newMessage = (id: number, seq: number | null) => live('new_message', message(id), seq)

/** A sync request the test answers by hand. */
interface SyncCall {
  from: Cursor
  answer(page: Partial<SyncResult> & { ids?: number[] }): void
  fail(): void
}

/** A CatchUp over a transport whose pages the test gives; every event it hands on is recorded as `event:id`. */
function catchUpOver(options: { cursor?: Cursor; known?: KnownMessagesState } & Partial<CatchUpDeps> = {}) {
  const calls: SyncCall[] = []
  const saved: Cursor[] = []
  const connected = { value: true }
  const catchUp: CatchUp = new CatchUp({
    cursor: { seq: 10 },
    // Messages up to 100 are history this client started after; ids above are new unless handed on.
    known: { floor: 100, ids: [] },
    sync: (from) =>
      new Promise<SyncResult>((resolve, reject) => {
        calls.push({
          from,
          answer: ({ ids = [], messages = ids.map((id) => message(id)), has_more = false, read_states = [], ...rest }) => resolve({ messages, has_more, read_states, ...rest }),
          fail: () => reject(new Error('no answer')),
        })
      }),
    // What a store would keep: the cursor to restart from.
    save: async () => void saved.push(catchUp.saved.cursor),
    canRetry: () => connected.value,
    retryDelayMs: () => 1,
    ...options,
  })
  const got: string[] = []
  const payloads: unknown[] = []
  for (const event of ['new_message', 'message_updated', 'message_deleted', 'reaction_updated', 'message_read', 'conversation_updated', 'read_state'] as const) {
    catchUp.events.on(event, (payload) => {
      const id = 'message_id' in payload ? payload.message_id : 'user_id' in payload ? payload.user_id : payload.conversation_id
      got.push(`${event}:${id}`)
      payloads.push(payload)
    })
  }
  /** Waits for sync request `n` (0-based). */
  const call = async (n: number): Promise<SyncCall> => {
    await vi.waitFor(() => expect(calls.length).toBeGreaterThan(n))
    return calls[n]!
  }
  return { catchUp, calls, call, saved, connected, got, payloads }
}

describe('catch-up by position', () => {
  it('pages by position from the cursor, handing on groups, then messages, then read states, and saves each page', async () => {
    const { catchUp, call, got, saved } = catchUpOver()
    const done = catchUp.run()
    const first = await call(0)
    expect(first.from).toEqual({ seq: 10 })
    first.answer({ ids: [101, 102], has_more: true, position: 25 })
    const second = await call(1)
    expect(second.from).toEqual({ seq: 25 })
    expect(saved).toEqual([{ seq: 25 }]) // each full page is saved as it goes
    const read: ReadStateDto = { conversation_id: 1, user_id: 7, last_read_message_id: 102 }
    second.answer({ ids: [103], read_states: [read], conversations: [group(4)], position: 40 })
    await done
    expect(got).toEqual(['new_message:101', 'new_message:102', 'conversation_updated:4', 'new_message:103', 'read_state:7'])
    expect(catchUp.cursor).toEqual({ seq: 40 })
    expect(saved.at(-1)).toEqual({ seq: 40 })
  })

  it('tells new messages from changed ones: an edit of a known message is message_updated, a tombstone message_deleted', async () => {
    const { catchUp, call, got, payloads } = catchUpOver({ known: { floor: 100, ids: [105] } })
    catchUp.acked(message(106)) // our own send, handed on from its acknowledgement
    const done = catchUp.run()
    ;(await call(0)).answer({
      messages: [
        edited(105, 'fixed'), // handed on before, edited while away
        edited(106, 'ours, fixed'),
        message(50, { reactions: [{ emoji: '👍', count: 1, user_ids: [2] }] }), // history from before this client: a change, not new
        edited(107, 'sent and edited while away'), // never handed on: new, as it is now
        tombstone(108), // sent and deleted while away: only its tombstone
        tombstone(105),
      ],
      position: 30,
    })
    await done
    expect(got).toEqual(['new_message:106', 'message_updated:105', 'message_updated:106', 'message_updated:50', 'new_message:107', 'message_deleted:108', 'message_deleted:105'])
    expect(payloads[4]).toMatchObject({ content: 'sent and edited while away' })
    // Known from now on: a later change of 107 is an update, never new again.
    const again = catchUp.run()
    ;(await call(1)).answer({ messages: [edited(107, 'again')], position: 31 })
    await again
    expect(got.at(-1)).toBe('message_updated:107')
  })

  it('holds live changes while catching up, then hands on those after the catch-up’s position, in position order, each once', async () => {
    const { catchUp, call, got, saved } = catchUpOver()
    const done = catchUp.connected()
    catchUp.live(live('reaction_updated', { conversation_id: 1, message_id: 101, reactions: [] }, 24))
    catchUp.live(newMessage(103, 22))
    catchUp.live(newMessage(101, 12)) // the catch-up brings it too
    catchUp.live(live('message_updated', edited(101, 'x'), 23))
    expect(got).toEqual([])
    ;(await call(0)).answer({ ids: [101, 102], position: 21 })
    await done
    expect(got).toEqual(['new_message:101', 'new_message:102', 'new_message:103', 'message_updated:101', 'reaction_updated:101'])
    expect(catchUp.cursor).toEqual({ seq: 24 })
    await vi.waitFor(() => expect(saved.at(-1)).toEqual({ seq: 24 }))
  })

  it('once caught up, follows live positions at once: the saved cursor moves with each, nothing is handed on twice', async () => {
    const { catchUp, call, got, saved } = catchUpOver()
    const done = catchUp.connected()
    ;(await call(0)).answer({ position: 20 })
    await done
    catchUp.live(newMessage(101, 21))
    expect(saved.at(-1)).toEqual({ seq: 21 })
    catchUp.live(newMessage(101, 21)) // the same broadcast twice
    catchUp.live(newMessage(99, 19)) // behind the cursor
    catchUp.live(live('message_read', { ...message(101), reader_id: 7 }, 21)) // another event at the same position
    catchUp.live(live('message_updated', edited(101, 'later'), 22))
    catchUp.live(live('message_deleted', tombstone(101), 23))
    catchUp.acked(message(104)) // our send's answer: handed on, but no reason to move the cursor
    catchUp.live(newMessage(104, 24)) // and its broadcast is not handed on again
    expect(got).toEqual(['new_message:101', 'message_read:101', 'message_updated:101', 'message_deleted:101', 'new_message:104'])
    expect(catchUp.cursor).toEqual({ seq: 24 })
    expect(saved.at(-1)).toEqual({ seq: 24 })
  })

  it('hands on changes from a server that sends no positions, without moving the cursor', async () => {
    const { catchUp, call, got } = catchUpOver()
    const done = catchUp.connected()
    ;(await call(0)).answer({ position: 20 })
    await done
    catchUp.live(newMessage(101, null))
    catchUp.live(newMessage(101, null))
    catchUp.live(live('conversation_updated', group(3), null))
    expect(got).toEqual(['new_message:101', 'conversation_updated:3'])
    expect(catchUp.cursor).toEqual({ seq: 20 })
  })

  it('a resync rewinds the cursor to the position it names, never forward, and syncs from there', async () => {
    const { catchUp, call, got } = catchUpOver()
    const done = catchUp.connected()
    ;(await call(0)).answer({ ids: [101], position: 30 })
    await done
    void catchUp.run(50) // past the cursor: syncs from the cursor
    const fromCursor = await call(1)
    expect(fromCursor.from).toEqual({ seq: 30 })
    fromCursor.answer({ position: 30 })
    await vi.waitFor(() => expect(catchUp.cursor).toEqual({ seq: 30 }))
    const rewound = catchUp.run(12)
    expect(catchUp.cursor).toEqual({ seq: 12 })
    // Held while the rewound pass runs, though the connection had caught up.
    catchUp.live(newMessage(110, 31))
    const page = await call(2)
    expect(page.from).toEqual({ seq: 12 })
    page.answer({ messages: [message(102), edited(101, 'missed edit')], position: 30 })
    await rewound
    expect(got).toEqual(['new_message:101', 'new_message:102', 'message_updated:101', 'new_message:110'])
    expect(catchUp.cursor).toEqual({ seq: 31 })
  })

  it('a rewind while a page is on its way pages again from the rewind: that page does not move the cursor past it', async () => {
    const { catchUp, call, got } = catchUpOver({ cursor: { seq: 40 } })
    const done = catchUp.run()
    const inFlight = await call(0)
    void catchUp.run(15)
    inFlight.answer({ ids: [105], position: 60 })
    const next = await call(1)
    expect(next.from).toEqual({ seq: 15 })
    next.answer({ ids: [103, 105], position: 60 })
    // Asked while that pass ran, the rewind also asks for one more round from the cursor.
    const last = await call(2)
    expect(last.from).toEqual({ seq: 60 })
    last.answer({ position: 60 })
    await done
    expect(got).toEqual(['new_message:105', 'new_message:103', 'message_updated:105'])
    expect(catchUp.cursor).toEqual({ seq: 60 })
  })

  it('asked again while a pass runs, goes round once more from the cursor, not twice', async () => {
    const { catchUp, call, calls } = catchUpOver()
    const done = catchUp.run()
    const first = await call(0)
    void catchUp.run()
    void catchUp.run()
    first.answer({ position: 20 })
    const second = await call(1)
    expect(second.from).toEqual({ seq: 20 })
    second.answer({ position: 20 })
    await done
    expect(calls).toHaveLength(2)
  })

  it('retries a failed pass from the last page it completed, holding live changes until it succeeds', async () => {
    const { catchUp, call, got } = catchUpOver()
    const first = catchUp.connected()
    ;(await call(0)).answer({ position: 20 })
    await first
    void catchUp.run(15)
    const page = await call(1)
    page.answer({ ids: [101], position: 18, has_more: true })
    ;(await call(2)).fail()
    catchUp.live(newMessage(102, 21))
    const retry = await call(3)
    expect(retry.from).toEqual({ seq: 18 })
    expect(got).toEqual(['new_message:101'])
    retry.answer({ position: 20 })
    await vi.waitFor(() => expect(got).toEqual(['new_message:101', 'new_message:102']))
    expect(catchUp.cursor).toEqual({ seq: 21 })
  })

  it('does not retry while disconnected; the next connection starts from the cursor and drops what the old one held', async () => {
    let retries = 0
    const { catchUp, call, connected, got } = catchUpOver({ retryDelayMs: () => (retries++, 1) })
    const pass = catchUp.connected()
    catchUp.live(newMessage(150, 99)) // came on the old connection: the next catch-up brings it again
    connected.value = false
    ;(await call(0)).fail()
    await pass
    expect(retries).toBe(0)
    connected.value = true
    const next = catchUp.connected()
    const page = await call(1)
    expect(page.from).toEqual({ seq: 10 })
    page.answer({ ids: [101], position: 12 })
    await next
    expect(got).toEqual(['new_message:101'])
  })

  it('gives up on a page that claims more without moving on, instead of asking forever', async () => {
    const { catchUp, call, connected } = catchUpOver()
    connected.value = false
    const pass = catchUp.run()
    ;(await call(0)).answer({ has_more: true, position: 10 })
    await pass
    expect(catchUp.cursor).toEqual({ seq: 10 })
  })
})

describe('the bridge from a message id to a position', () => {
  it('a client without a position syncs by message id, then by position from the first page’s position', async () => {
    const { catchUp, call, got, saved } = catchUpOver({ cursor: { message_id: 100 } })
    const done = catchUp.connected()
    catchUp.live(newMessage(104, 41))
    const first = await call(0)
    expect(first.from).toEqual({ message_id: 100 })
    first.answer({ ids: [101, 102], has_more: true, position: 35 })
    const second = await call(1)
    expect(second.from).toEqual({ message_id: 102 })
    second.answer({ ids: [103], position: 39 })
    // What changed since the bridge began, by position from its first page's.
    const third = await call(2)
    expect(third.from).toEqual({ seq: 35 })
    third.answer({ messages: [edited(101, 'edited during the bridge'), message(103)], position: 40 })
    await done
    expect(got).toEqual(['new_message:101', 'new_message:102', 'new_message:103', 'message_updated:101', 'message_updated:103', 'new_message:104'])
    expect(catchUp.cursor).toEqual({ seq: 41 })
    expect(saved.at(-1)).toEqual({ seq: 41 })
  })

  it('without a position from the server, stays on message ids and takes the first live change’s position', async () => {
    const { catchUp, call, got } = catchUpOver({ cursor: { message_id: 100 } })
    const done = catchUp.connected()
    ;(await call(0)).answer({ ids: [101] })
    await done
    expect(catchUp.cursor).toEqual({ message_id: 101 })
    catchUp.live(newMessage(102, null))
    expect(catchUp.cursor).toEqual({ message_id: 102 })
    catchUp.live(live('message_updated', edited(101, 'x'), 57))
    expect(catchUp.cursor).toEqual({ seq: 57 })
    catchUp.live(newMessage(103, 58))
    expect(got).toEqual(['new_message:101', 'new_message:102', 'message_updated:101', 'new_message:103'])
  })
})

describe('known messages', () => {
  it('remembers the newest ids handed on and raises the floor past those it forgets', () => {
    const known = new KnownMessages({ floor: 10, ids: [] })
    expect(known.knows(10)).toBe(true)
    expect(known.knows(11)).toBe(false)
    for (let id = 11; id <= 10 + KNOWN_KEPT + 5; id++) expect(known.add(id)).toBe(true)
    expect(known.add(11)).toBe(false)
    known.trim()
    expect(known.state.ids).toHaveLength(KNOWN_KEPT)
    expect(known.state.floor).toBe(15)
    expect(known.knows(12)).toBe(true)
    expect(known.knows(10 + KNOWN_KEPT + 6)).toBe(false)
  })
})
