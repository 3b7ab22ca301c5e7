// The convergence property of the change feed, as one harness for one server (test/client) and a
// cluster (test/scale): a random sequence of sends, replies, edits, deletions, reactions, reads, renames
// and membership changes by four people, while three ChatClients of one of them (Bob) watch:
//   online   connected throughout;
//   offline  connected, then gone for a random stretch of the sequence, then back on its stored cursor;
//   fresh    opened once everything is done, from an empty store, catching up from position 0.
// Each builds its view only from the events ChatClient hands on. Once a sentinel sent last has reached
// it, its view must equal the database's, read by other means (REST history as Bob, and the rows):
//   every message of Bob's conversations, as it is now (text, edit time, tombstone, reactions, quote;
//   is_read is derived, not mirrored, and left out);
//   the group's title and members with their roles;
//   every read position a read moved (a position set by joining is not a change clients mirror).
import fc from 'fast-check'
import { expect } from 'vitest'
import { ChatClient } from '../../electron/client/chat-client'
import { MemoryStore } from '../../electron/client/store'
import type { ConversationDto, MessageDto } from '../../electron/shared/dto'
import { quoteOf } from '../../electron/shared/replies'
import { Api, person, type Person } from './api'
import { until } from './wait'

const EMOJI = ['👍', '❤️', '😂', '🎉'] as const
/** Actors by index: Ada (the group's owner), Bob from another device, Cy, Dee. */
const ACTORS = 4

export type Op =
  | { kind: 'send'; by: number; group: boolean; reply: number | null }
  | { kind: 'edit'; by: number; msg: number }
  | { kind: 'delete'; by: number; msg: number }
  | { kind: 'react'; by: number; msg: number; emoji: number; on: boolean }
  | { kind: 'read'; by: number; msg: number }
  | { kind: 'rename'; title: number }
  | { kind: 'remove'; who: number }
  | { kind: 'add' }

const by = fc.integer({ min: 0, max: ACTORS - 1 })
const msg = fc.nat(1_000)
export const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('send' as const), by, group: fc.boolean(), reply: fc.option(msg, { nil: null }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('edit' as const), by, msg }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), by, msg }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('react' as const), by, msg, emoji: fc.integer({ min: 0, max: EMOJI.length - 1 }), on: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('read' as const), by, msg }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('rename' as const), title: fc.nat(99) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('remove' as const), who: fc.integer({ min: 2, max: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('add' as const) }) },
)

/** A sequence, and the stretch of it [from, to) the offline client misses. */
export const scenarioArb = fc.array(opArb, { minLength: 10, maxLength: 40 }).chain((ops) =>
  fc.tuple(fc.constant(ops), fc.integer({ min: 0, max: ops.length }), fc.integer({ min: 0, max: ops.length })).map(([o, a, b]) => ({ ops: o, from: Math.min(a, b), to: Math.max(a, b) })),
)

/** What a client has been told, built from ChatClient's events alone. */
class View {
  readonly messages = new Map<number, MessageDto>()
  readonly reads = new Map<string, number | null>()
  readonly conversations = new Map<number, { title: string | null; members: [number, string][] }>()

  watch(client: ChatClient): void {
    // A changed message changes the quotes of its replies (quoteOf: the rule every client follows).
    const keep = (m: MessageDto) => {
      this.messages.set(m.message_id, m)
      for (const [id, reply] of this.messages) if (reply.reply_to?.message_id === m.message_id) this.messages.set(id, { ...reply, reply_to: quoteOf(m) })
    }
    client.on('new_message', keep)
    client.on('message_updated', keep)
    client.on('message_deleted', keep)
    client.on('reaction_updated', (r) => {
      const m = this.messages.get(r.message_id)
      if (m) this.messages.set(r.message_id, { ...m, reactions: r.reactions })
    })
    client.on('message_read', (r) => {
      const key = `${r.conversation_id}:${r.reader_id}`
      this.reads.set(key, Math.max(this.reads.get(key) ?? 0, r.message_id))
    })
    client.on('read_state', (r) => this.reads.set(`${r.conversation_id}:${r.user_id}`, r.last_read_message_id))
    client.on('conversation_updated', (c) => this.conversations.set(c.conversation_id, { title: c.title, members: c.participants.map((p) => [p.user_id, p.role]) }))
  }
}

/** What the database says, read as Bob sees it. */
export interface Truth {
  messages: Map<number, MessageDto>
  /** `${conversation}:${user}` → position, for current members whose position a read moved. */
  reads: Map<string, number | null>
  group: { title: string | null; members: [number, string][] }
}

export interface World {
  /** Where the ops' REST calls go: one per op, in turn (several nodes: spread over them). */
  urls: string[]
  /** Where each of the three clients connects. */
  clientUrl: (which: 'online' | 'offline' | 'fresh') => string
  /** Read positions moved by reads, for these conversations (from the rows, not through the feed). */
  movedReads(conversationIds: number[]): Promise<Map<string, number | null>>
  /** Called once the op at this index has run (a test may kill a node here). */
  afterOp?(index: number, total: number): Promise<void>
}

const strip = ({ is_read: _derived, ...rest }: MessageDto) => rest

/**
 * The same calls, tried again when the connection fails (a node killed under one): every op here is
 * safe to repeat (sends carry a client_id, the rest are idempotent or refused the second time).
 */
function retrying(api: Api): Api {
  const request = api.request.bind(api)
  api.request = async (...args) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await request(...args)
      } catch (error) {
        if (attempt >= 10) throw error
        await new Promise((resolve) => setTimeout(resolve, 200))
      }
    }
  }
  return api
}

/** How many ops of each kind the server accepted (2xx), and how many it refused (4xx: they change nothing). */
export type Tally = Record<Op['kind'] | 'refused', number>
export const emptyTally = (): Tally => ({ send: 0, edit: 0, delete: 0, react: 0, read: 0, rename: 0, remove: 0, add: 0, refused: 0 })

/** Runs one scenario in a world; throws (an expect) when a client's view differs from the truth. */
export async function checkScenario(world: World, scenario: { ops: Op[]; from: number; to: number }, label: string, tally: Tally = emptyTally()): Promise<void> {
  const api = (who: Person, i: number) => retrying(new Api(world.urls[i % world.urls.length]!, who.token))
  const base = world.urls[0]!
  const [ada, bob, cy, dee] = [await person(base, 'ada'), await person(base, 'bob'), await person(base, 'cy'), await person(base, 'dee')]
  const actors = [ada, bob, cy, dee]
  const clients: ChatClient[] = []
  const open = async (which: 'online' | 'offline' | 'fresh', store: MemoryStore, view: View) => {
    const client = await ChatClient.open({ url: world.clientUrl(which), token: bob.token, user: bob.user, store, catchUpFromStart: which === 'fresh', sleepCheckMs: 0, reconnectDelayMs: 50, reconnectDelayMaxMs: 300 })
    clients.push(client)
    view.watch(client)
    client.connect()
    return client
  }
  try {
    const views = { online: new View(), offline: new View(), fresh: new View() }
    const offlineStore = new MemoryStore()
    await open('online', new MemoryStore(), views.online)
    let offline: ChatClient | null = await open('offline', offlineStore, views.offline)
    await until(`${label}: both clients online`, () => clients.every((c) => c.status.state === 'online'))
    // Made once the two watch: the group's notice and its conversation_updated reach them live.
    const direct = (await new Api(base, ada.token).post<ConversationDto>('/api/conversations', { participant1_id: ada.user.user_id, participant2_id: bob.user.user_id })).body.conversation_id
    const group = (await new Api(base, ada.token).post<ConversationDto>('/api/groups', { title: 'Convergence', member_ids: [bob, cy, dee].map((p) => p.user.user_id) })).body.conversation_id

    /** Every person's message ids, in order of sending, to pick targets from. */
    const sent: { id: number; conversation: number; sender: number }[] = []
    const removed = new Set<number>()
    const ops = [...scenario.ops, { kind: 'rename', title: 100 } as Op] // a last group change every client must see
    for (const [i, op] of ops.entries()) {
      if (i === scenario.from && offline) {
        await offline.close()
        offline = null
      }
      if (i === scenario.to && !offline) offline = await open('offline', offlineStore, views.offline)
      const count = (res: { status: number }) => {
        if (res.status >= 500) throw new Error(`${label}: op ${i} (${op.kind}) answered ${res.status}`)
        tally[res.status < 300 ? op.kind : 'refused']++
      }
      const actor = 'by' in op ? actors[op.by]! : ada
      const target = (n: number) => sent[n % Math.max(1, sent.length)]
      /** Mostly one of the actor's own (edits and deletions are the sender's), sometimes anyone's (refused, or an admin's deletion). */
      const ownTarget = (n: number) => {
        const own = sent.filter((x) => x.sender === actor.user.user_id)
        return n % 4 === 0 || own.length === 0 ? target(n) : own[n % own.length]
      }
      const call = api(actor, i)
      switch (op.kind) {
        case 'send': {
          const conversation = op.group ? group : direct
          const pool = sent.filter((s) => s.conversation === conversation)
          const reply = op.reply === null || pool.length === 0 ? undefined : pool[op.reply % pool.length]!.id
          const res = await call.post<MessageDto>(`/api/messages/${conversation}`, { content: `m${i}`, sender_id: actor.user.user_id, client_id: `op-${i}`, ...(reply ? { reply_to_id: reply } : {}) })
          count(res)
          if (res.status === 201 || res.status === 200) sent.push({ id: res.body.message_id, conversation, sender: actor.user.user_id })
          break
        }
        case 'edit': {
          const t = ownTarget(op.msg)
          if (t) count(await call.patch(`/api/messages/${t.id}`, { content: `edit ${i}` }))
          break
        }
        case 'delete': {
          const t = ownTarget(op.msg)
          if (t) count(await call.request('DELETE', `/api/messages/${t.id}`))
          break
        }
        case 'react': {
          const t = target(op.msg)
          if (t) count(await call.request(op.on ? 'PUT' : 'DELETE', `/api/messages/${t.id}/reactions/${encodeURIComponent(EMOJI[op.emoji]!)}`))
          break
        }
        case 'read': {
          const t = target(op.msg)
          if (t) count(await call.patch(`/api/messages/${t.id}`, { is_read: true }))
          break
        }
        case 'rename':
          count(await call.patch(`/api/conversations/${group}`, { title: `Title ${op.title} at ${i}` }))
          break
        case 'remove': {
          // A removal is final here: nobody comes back, so a position set by joining is never mistaken for a read.
          const who = actors[op.who]!
          if (!removed.has(who.user.user_id)) {
            removed.add(who.user.user_id)
            count(await call.request('DELETE', `/api/conversations/${group}/members/${who.user.user_id}`))
          }
          break
        }
        case 'add': {
          const newcomer = await person(base, `n${i}`)
          count(await call.post(`/api/conversations/${group}/members`, { user_ids: [newcomer.user.user_id] }))
          break
        }
      }
      await world.afterOp?.(i, ops.length)
    }
    if (!offline) offline = await open('offline', offlineStore, views.offline)
    const sentinel = (await api(ada, 0).post<MessageDto>(`/api/messages/${direct}`, { content: 'sentinel', sender_id: ada.user.user_id })).body
    await open('fresh', new MemoryStore(), views.fresh)
    for (const [name, view] of Object.entries(views)) await until(`${label}: the ${name} client has the sentinel`, () => view.messages.has(sentinel.message_id), { timeoutMs: 30_000 })

    // The truth, read as Bob (history, his list) and from the rows (read positions).
    const bobApi = new Api(base, bob.token)
    const messages = new Map<number, MessageDto>()
    for (const c of [direct, group]) for (const m of (await bobApi.get<MessageDto[]>(`/api/messages/${c}?limit=200`)).body) messages.set(m.message_id, m)
    const list = (await bobApi.get<ConversationDto[]>(`/api/conversations/${bob.user.user_id}`)).body
    const g = list.find((c) => c.conversation_id === group)!
    const truth: Truth = { messages, reads: await world.movedReads([direct, group]), group: { title: g.title, members: g.participants.map((p) => [p.user_id, p.role]) } }

    for (const [name, view] of Object.entries(views)) {
      const who = `${label}: the ${name} client`
      expect([...view.messages.keys()].sort((a, b) => a - b), `${who}: which messages`).toEqual([...truth.messages.keys()].sort((a, b) => a - b))
      for (const [id, m] of truth.messages) expect(strip(view.messages.get(id)!), `${who}: message ${id}`).toEqual(strip(m))
      expect(view.conversations.get(group), `${who}: the group`).toEqual(truth.group)
      for (const [key, position] of truth.reads) expect(view.reads.get(key) ?? null, `${who}: read position ${key}`).toBe(position)
    }
  } finally {
    for (const c of clients) await c.close().catch(() => {})
  }
}

export { EMOJI }
