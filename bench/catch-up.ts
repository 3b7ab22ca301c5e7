// The catch-up section: a client that was caught up goes offline while others make changes in its
// conversations, then reconnects (a new ChatClient from its saved state, as after a restart) and pages
// through `sync` until it has every change. Three cases: a realistic mix of changes, by position; plain
// messages only, by position; and the same plain messages by message id, the way a client from before
// the change feed catches up (the seed's `after_message_id`, then bridging to positions).
import { mkdirSync } from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { io as realIo, type Socket } from 'socket.io-client'
import { ChatClient } from '../electron/client/chat-client'
import { HttpApi } from '../electron/client/http'
import { MemoryStore, type ClientState } from '../electron/client/store'
import { sqliteFile } from '../electron/server/db/database'
import type { ClientToServerEvents, ServerToClientEvents } from '../electron/shared/events'
import { LIMITS } from '../electron/shared/limits'
import { fromAck, unwrap, type Ack } from '../electron/shared/result'
import type { SyncPayload } from '../electron/shared/schemas'
import { ChangePlanner, MIX_LABELS, mixOf, type ChangeKind, type ChangeMix, type PlanConversation, type PlannedChange } from './lib/change-mix'
import { cpuSeconds } from './lib/proc'
import { Seeder, type SeededUser } from './lib/seed'
import { startSwitchboard } from './lib/server-process'
import { spread, type Spread } from './lib/stats'

export interface CatchUpSizes {
  /** Changes (and plain messages) made while the client is offline. */
  catchUp: number
  /** Catch-ups measured per case, each from the same saved state. */
  catchUpRuns: number
  catchUpDirect: number
  /** Members of each of the two groups, the client's user and the owner included. */
  catchUpGroupMembers: number
  /** Messages in each conversation before the client goes offline. */
  catchUpHistory: number
  /** Items per sync page asked for; 0: the client's own (the server's default). Small at smoke size, to page. */
  catchUpPageLimit: number
}

/** What a catch-up hands on to the client's listeners, by event. */
const ITEMS = ['new_message', 'message_updated', 'message_deleted', 'read_state', 'conversation_updated'] as const
type Item = (typeof ITEMS)[number]
/** Events only a live change brings: a catch-up must not emit them. */
const LIVE_ONLY = ['reaction_updated', 'message_read'] as const
type Handed = Item | (typeof LIVE_ONLY)[number]

export interface CatchUpCase {
  missed: 'mixed changes' | 'plain messages'
  resumed_by: 'position' | 'message id'
  /** Changes made while the client was offline. */
  changes: number
  /** Positions the feed moved meanwhile (a group change also stores a notice: two positions). */
  positions_taken: number
  /** Items in the sync answers (compacted: a message changed several times comes once), by what the client made of them. */
  items: { total: number } & Record<Item, number>
  /** Items the database says the client was owed: rows changed after its position (by message id: messages after its id). */
  expected_items: number
  pages: number
  /** Where each page left the client (by position), in order. */
  page_positions: number[]
  /** The feed's position after the changes, and the client's after catching up. */
  head: number
  final_position: number | null
  /** From connect() to the last item of the last page handed on to the client's listeners. */
  caught_up_ms: Spread
  /** The server's CPU over the same stretch (user + system, 10 ms ticks). */
  server_cpu_ms: Spread
  /** The sync answers as the socket received them. */
  sync_kib: number
}

export interface CatchUpResult {
  runs: number
  /** Items per page: what the client asked for (the server's default when it asks for none). */
  page_limit: number
  conversations: { direct: number; groups: number; members_per_group: number; history_each: number }
  mix: ChangeMix
  cases: CatchUpCase[]
}

type ChatSocket = Socket<ServerToClientEvents, ClientToServerEvents>
type Emit = (event: string, ...args: unknown[]) => ChatSocket

/** How long one catch-up may take before the section fails. */
const CATCH_UP_TIMEOUT_MS = 60_000
const log = (line: string): void => console.log(`[bench] ${line}`)
const settle = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
const round = (n: number, digits = 2): number => Number(n.toFixed(digits))
const roundSpread = (s: Spread): Spread => ({ p50: round(s.p50), min: round(s.min), max: round(s.max) })

/** Someone making changes: a socket for sends and reads (as clients do), HTTP for the rest. */
class Actor {
  private constructor(
    readonly user: SeededUser,
    readonly socket: ChatSocket,
    readonly api: HttpApi,
  ) {}

  static connect(url: string, user: SeededUser): Promise<Actor> {
    return new Promise((resolve, reject) => {
      const socket: ChatSocket = realIo(url, { auth: { token: user.token }, transports: ['websocket'], reconnection: false, forceNew: true })
      socket.once('connect', () => resolve(new Actor(user, socket, new HttpApi(url, user.token))))
      socket.once('connect_error', reject)
    })
  }

  async call<T extends object>(event: 'send_message' | 'mark_as_read', payload: unknown): Promise<T> {
    const ack = await (this.socket.timeout(10_000) as unknown as { emitWithAck(e: string, p: unknown): Promise<Ack<T>> }).emitWithAck(event, payload)
    return unwrap(fromAck(ack))
  }
}

/** The conversations of the mixed case, with their ids once made, and the ids of their messages by index. */
interface Conversations {
  plan: PlanConversation[]
  ids: number[]
  messages: number[][]
}

/** Makes planned changes: each conversation's in order, the conversations side by side. */
async function make(changes: PlannedChange[], actors: Map<number, Actor>, conversations: Conversations): Promise<void> {
  const queues = new Map<number, PlannedChange[]>()
  for (const change of changes) queues.set(change.conversation, [...(queues.get(change.conversation) ?? []), change])
  await Promise.all(
    [...queues.values()].map(async (queue) => {
      for (const change of queue) {
        const actor = actors.get(change.actor)!
        const conversation_id = conversations.ids[change.conversation]!
        const ids = conversations.messages[change.conversation]!
        const target = 'target' in change ? ids[change.target]! : 0
        switch (change.kind) {
          case 'send': {
            const payload = { conversation_id, sender_id: actor.user.user_id, content: change.content, client_id: `catch-up-${change.conversation}-${change.message}`, ...(change.reply_to === undefined ? {} : { reply_to_id: ids[change.reply_to]! }) }
            ids[change.message] = (await actor.call<{ message: { message_id: number } }>('send_message', payload)).message.message_id
            break
          }
          case 'edit':
            await actor.api.editMessage(target, change.content)
            break
          case 'react':
          case 'unreact':
            await actor.api.react(target, change.emoji, change.kind === 'react')
            break
          case 'delete':
            await actor.api.deleteMessage(target)
            break
          case 'read':
            await actor.call('mark_as_read', { message_id: target, conversation_id })
            break
          case 'rename':
            await actor.api.updateConversation(conversation_id, { title: change.title })
            break
          case 'add_member':
            await actor.api.addMembers(conversation_id, [change.user])
            break
          case 'remove_member':
            await actor.api.removeMember(conversation_id, change.user)
            break
        }
      }
    }),
  )
}

/** One catch-up as it went: its pages, what the client handed on, and the time and CPU it took. */
interface Run {
  ms: number
  cpuMs: number
  pages: { request: SyncPayload; position: number | undefined; has_more: boolean; items: number; messageIds: number[] }[]
  handed: Record<Handed, number>
  bytes: number
  finalPosition: number | null
  state: ClientState
}

/**
 * A ChatClient from `state` connects and catches up. Its socket is watched, not changed (but for the
 * page size when `pageLimit` is set): each sync request, and each answer as decoded by socket.io-client
 * and as the string that came over the wire. Done when the answer to a request by position says
 * nothing more waits and every item of every page has been handed on.
 */
async function catchUpOnce(url: string, reader: SeededUser, state: ClientState, serverPid: number, pageLimit: number): Promise<Run> {
  const pages: Run['pages'] = []
  const requests: SyncPayload[] = []
  const frames: string[] = []
  let lastFrame = ''
  const io = ((uri: string, options: Parameters<typeof realIo>[1]) => {
    const socket = realIo(uri, options) as ChatSocket
    const emit = socket.emit.bind(socket) as Emit
    ;(socket as unknown as { emit: Emit }).emit = (event, ...args) => {
      if (event === 'sync') {
        if (pageLimit > 0) args[0] = { ...(args[0] as SyncPayload), limit: pageLimit }
        requests.push(args[0] as SyncPayload)
      }
      return emit(event, ...args)
    }
    socket.io.on('open', () => socket.io.engine.on('data', (data: unknown) => void (lastFrame = String(data))))
    // The manager hands decoded packets on a tick after the frame: the last frame is this packet's.
    // The answer is the packet's last argument (the socket, which heard it first, put a null error before it).
    socket.io.on('packet', (packet: { type: number; data?: unknown }) => {
      // 3: socket.io-parser's PacketType.ACK; only sync answers have has_more.
      if (packet.type !== 3 || !Array.isArray(packet.data)) return
      const ack = packet.data.at(-1) as { ok?: boolean; has_more?: boolean; position?: number; messages: { message_id: number }[]; read_states: unknown[]; conversations?: unknown[] }
      if (!ack?.ok || ack.has_more === undefined) return
      frames.push(lastFrame)
      pages.push({
        request: requests[pages.length]!,
        position: ack.position,
        has_more: ack.has_more,
        items: ack.messages.length + ack.read_states.length + (ack.conversations?.length ?? 0),
        messageIds: ack.messages.map((m) => m.message_id),
      })
      check()
    })
    return socket
  }) as unknown as typeof realIo

  const store = new MemoryStore()
  await store.save(state)
  const client = await ChatClient.open({ url, token: reader.token, user: { user_id: reader.user_id, username: 'reader', display_name: 'reader' }, store, io, sleepCheckMs: 0 })
  const handed = Object.fromEntries([...ITEMS, ...LIVE_ONLY].map((e) => [e, 0])) as Record<Handed, number>
  let handedTotal = 0
  let finish!: () => void
  const done = new Promise<void>((resolve) => (finish = resolve))
  let t1 = 0
  function check(): void {
    const last = pages.at(-1)
    if (t1 || !last || last.has_more || last.request.after_seq === undefined) return
    if (handedTotal === pages.reduce((sum, p) => sum + p.items, 0)) {
      t1 = performance.now()
      finish()
    }
  }
  for (const event of [...ITEMS, ...LIVE_ONLY]) {
    client.on(event, () => {
      handed[event]++
      handedTotal++
      check()
    })
  }
  const cpu0 = cpuSeconds(serverPid)
  const t0 = performance.now()
  client.connect()
  // A catch-up that never ends is a failure to report, not a hang.
  let timer: NodeJS.Timeout | undefined
  const stuck = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const items = pages.map((p) => `${p.items}${p.has_more ? '+' : ''}`).join(' ')
      reject(new Error(`catch-up not done after ${CATCH_UP_TIMEOUT_MS / 1000} s: ${requests.length} requests, pages of ${items || 'nothing'}, ${handedTotal} items handed on`))
    }, CATCH_UP_TIMEOUT_MS)
  })
  try {
    await Promise.race([done, stuck])
  } catch (error) {
    await client.close()
    throw error
  } finally {
    clearTimeout(timer)
  }
  const cpuMs = (cpuSeconds(serverPid) - cpu0) * 1000
  const pagesAtEnd = pages.length
  await settle(50)
  const finalPosition = client.position
  await client.close()
  if (pages.length !== pagesAtEnd) throw new Error('the client asked for more pages after it had caught up')
  return { ms: t1 - t0, cpuMs, pages, handed, bytes: frames.reduce((sum, f) => sum + Buffer.byteLength(f), 0), finalPosition, state: (await store.load())! }
}

/** What the database says: the feed's position, and what a client of `reader` at a position (or message id) is owed. */
class Ledger {
  private readonly db: Database.Database

  constructor(dataDir: string) {
    this.db = new Database(sqliteFile(dataDir), { readonly: true })
  }

  head(): number {
    return (this.db.prepare('SELECT seq FROM ChangeFeed WHERE id = 1').get() as { seq: number } | undefined)?.seq ?? 0
  }

  lastMessageId(): number {
    return (this.db.prepare('SELECT MAX(message_id) AS m FROM Message').get() as { m: number }).m
  }

  /** Rows changed in (from, to]: messages, read positions and groups of the reader's conversations (the reader is never removed here). */
  owedByPosition(reader: number, from: number, to: number): { messageIds: number[]; items: number } {
    const mine = `SELECT conversation_id FROM ConversationParticipant WHERE user_id = ${reader} AND removed_at IS NULL`
    const messageIds = (this.db.prepare(`SELECT message_id FROM Message WHERE conversation_id IN (${mine}) AND seq > ? AND seq <= ?`).all(from, to) as { message_id: number }[]).map((r) => r.message_id)
    const count = (sql: string): number => (this.db.prepare(sql).get(from, to) as { n: number }).n
    const reads = count(`SELECT COUNT(*) AS n FROM ConversationParticipant WHERE conversation_id IN (${mine}) AND removed_at IS NULL AND seq > ? AND seq <= ?`)
    const groups = count(`SELECT COUNT(*) AS n FROM Conversation WHERE conversation_id IN (${mine}) AND seq > ? AND seq <= ?`)
    return { messageIds, items: messageIds.length + reads + groups }
  }

  /** Messages after `after` in the reader's conversations. */
  owedById(reader: number, after: number): number[] {
    const mine = `SELECT conversation_id FROM ConversationParticipant WHERE user_id = ${reader} AND removed_at IS NULL`
    return (this.db.prepare(`SELECT message_id FROM Message WHERE conversation_id IN (${mine}) AND message_id > ?`).all(after) as { message_id: number }[]).map((r) => r.message_id)
  }

  close(): void {
    this.db.close()
  }
}

/** The same ids, each once. */
function sameIds(a: number[], b: number[]): boolean {
  const set = new Set(a)
  return set.size === a.length && a.length === b.length && b.every((id) => set.has(id))
}

/**
 * `runs` catch-ups from `state`, checked against the database (every change owed, each page moving on,
 * the client ending at the feed's head) and against each other (the same pages every time).
 */
async function measure(
  what: Pick<CatchUpCase, 'missed' | 'resumed_by' | 'changes'>,
  ctx: { url: string; reader: SeededUser; serverPid: number; ledger: Ledger; pageLimit: number; runs: number },
  state: ClientState,
  positionsTaken: number,
): Promise<{ result: CatchUpCase; last: Run }> {
  const head = ctx.ledger.head()
  const owed = what.resumed_by === 'position' ? ctx.ledger.owedByPosition(ctx.reader.user_id, state.seq!, head) : { messageIds: ctx.ledger.owedById(ctx.reader.user_id, state.cursor!), items: NaN }
  const runs: Run[] = []
  for (let i = 0; i < ctx.runs; i++) {
    const run = await catchUpOnce(ctx.url, ctx.reader, state, ctx.serverPid, ctx.pageLimit)
    const seen = run.pages.flatMap((p) => p.messageIds)
    const items = run.pages.reduce((sum, p) => sum + p.items, 0)
    const problems = [
      !sameIds(seen, owed.messageIds) && `${seen.length} messages came, ${owed.messageIds.length} were owed`,
      what.resumed_by === 'position' && items !== owed.items && `${items} items came, ${owed.items} were owed`,
      run.finalPosition !== head && `the client ended at position ${run.finalPosition}, the feed at ${head}`,
      what.resumed_by === 'position' && run.pages.some((p, j) => (p.position ?? -1) <= (j === 0 ? state.seq! : run.pages[j - 1]!.position!)) && 'a page did not move the position on',
      runs[0] && JSON.stringify(run.handed) !== JSON.stringify(runs[0].handed) && 'runs handed on different items',
      run.handed.reaction_updated + run.handed.message_read > 0 && 'a catch-up emitted a live-only event',
    ].filter(Boolean)
    if (problems.length > 0) throw new Error(`catch-up of ${what.missed} by ${what.resumed_by}: ${problems.join('; ')}`)
    runs.push(run)
  }
  const first = runs[0]!
  const items = first.pages.reduce((sum, p) => sum + p.items, 0)
  return {
    result: {
      ...what,
      positions_taken: positionsTaken,
      items: { total: items, ...(Object.fromEntries(ITEMS.map((e) => [e, first.handed[e]])) as Record<Item, number>) },
      expected_items: what.resumed_by === 'position' ? owed.items : items,
      pages: first.pages.length,
      page_positions: first.pages.map((p) => p.position ?? NaN),
      head,
      final_position: first.finalPosition,
      caught_up_ms: roundSpread(spread(runs.map((r) => r.ms))),
      server_cpu_ms: roundSpread(spread(runs.map((r) => r.cpuMs))),
      sync_kib: round(first.bytes / 1024, 1),
    },
    last: runs.at(-1)!,
  }
}

/** The catch-up section on SQLite, one node (a server of its own). */
export async function catchUpSection(sizes: CatchUpSizes, work: string): Promise<CatchUpResult> {
  const dataDir = path.join(work, 'catch-up')
  mkdirSync(dataDir, { recursive: true })
  const mix = mixOf(sizes.catchUp)
  const members = sizes.catchUpGroupMembers

  // People and one-to-one conversations straight into the database; groups through the server.
  const seed = await Seeder.open(dataDir)
  const [reader, plainWriter] = (await seed.users(2, 'catch-up-reader')) as [SeededUser, SeededUser]
  const partners = await seed.users(sizes.catchUpDirect, 'catch-up-partner')
  const groups: { owner: SeededUser; others: SeededUser[]; spares: SeededUser[] }[] = []
  for (const g of [0, 1]) {
    groups.push({ owner: (await seed.users(1, `catch-up-owner${g}-`))[0]!, others: await seed.users(members - 2, `catch-up-member${g}-`), spares: await seed.users(mix.add_member, `catch-up-spare${g}-`) })
  }
  const directIds = partners.map((p) => seed.conversation(reader.user_id, p.user_id))
  const plainConversation = seed.conversation(reader.user_id, plainWriter.user_id)
  seed.close()

  const server = await startSwitchboard(dataDir)
  const ledger = new Ledger(dataDir)
  const everyone = [reader, plainWriter, ...partners, ...groups.flatMap((g) => [g.owner, ...g.others, ...g.spares])]
  const actors = new Map<number, Actor>()
  try {
    for (const user of everyone) actors.set(user.user_id, await Actor.connect(server.url, user))
    const conversations: Conversations = {
      plan: [
        ...partners.map((p): PlanConversation => ({ group: false, owner: null, members: [reader.user_id, p.user_id], spares: [] })),
        ...groups.map((g): PlanConversation => ({ group: true, owner: g.owner.user_id, members: [g.owner.user_id, reader.user_id, ...g.others.map((u) => u.user_id)], spares: g.spares.map((u) => u.user_id) })),
      ],
      ids: [...directIds],
      messages: [],
    }
    for (const [g, group] of groups.entries()) {
      const made = await actors.get(group.owner.user_id)!.api.createGroup(`Catch-up group ${g}`, [reader.user_id, ...group.others.map((u) => u.user_id)])
      conversations.ids.push(made.conversation_id)
    }
    conversations.messages = conversations.plan.map(() => [])
    const planner = new ChangePlanner(conversations.plan, reader.user_id, 14)
    log(`catch-up: history of ${sizes.catchUpHistory} messages in each of ${conversations.plan.length} conversations`)
    await make(planner.history(sizes.catchUpHistory), actors, conversations)

    // The client is online and caught up, then goes offline (closes), keeping its state.
    const store = new MemoryStore()
    const online = await ChatClient.open({ url: server.url, token: reader.token, user: { user_id: reader.user_id, username: 'reader', display_name: 'reader' }, store, sleepCheckMs: 0 })
    const connected = new Promise<void>((resolve) => online.on('status', (s) => s.state === 'online' && resolve()))
    online.connect()
    await connected
    await online.catchUp()
    await online.close()
    const before = (await store.load())!
    if (before.seq !== ledger.head()) throw new Error(`the client saved position ${before.seq}, the feed is at ${ledger.head()}`)

    log(`catch-up: ${sizes.catchUp} mixed changes while the client is offline`)
    const changes = planner.changes(mix)
    const headBeforeChanges = ledger.head()
    await make(changes, actors, conversations)
    // Every change made, none refused or answered as a duplicate: one position each, and a group's notice one more.
    const positions = ledger.head() - headBeforeChanges
    const owed = changes.length + mix.rename + mix.add_member + mix.remove_member
    if (positions !== owed) throw new Error(`the mixed changes took ${positions} positions, not ${owed}`)
    const ctx = { url: server.url, reader, serverPid: server.pid, ledger, pageLimit: sizes.catchUpPageLimit, runs: sizes.catchUpRuns }
    log(`catch-up: ${sizes.catchUpRuns} catch-ups of the mixed changes`)
    const mixed = await measure({ missed: 'mixed changes', resumed_by: 'position', changes: changes.length }, ctx, before, ledger.head() - before.seq)

    // Caught up again, then offline again while plain messages come in one conversation.
    const caughtUp = mixed.last.state
    const lastId = ledger.lastMessageId()
    const oldClient: ClientState = { outbox: [], cursor: lastId, known: { floor: lastId, ids: [] } }
    const headBefore = ledger.head()
    log(`catch-up: ${sizes.catchUp} plain messages while the client is offline`)
    const writer = actors.get(plainWriter.user_id)!
    let next = 0
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (next < sizes.catchUp) {
          const i = next++
          await writer.call('send_message', { conversation_id: plainConversation, sender_id: plainWriter.user_id, content: `plain message ${i} with some ordinary length to it`, client_id: `plain-${i}` })
        }
      }),
    )
    if (ledger.head() - headBefore !== sizes.catchUp) throw new Error(`${sizes.catchUp} plain messages took ${ledger.head() - headBefore} positions`)
    for (const actor of actors.values()) actor.socket.disconnect()
    actors.clear()
    log(`catch-up: ${sizes.catchUpRuns} catch-ups of the plain messages, by position and by message id`)
    const plainByPosition = await measure({ missed: 'plain messages', resumed_by: 'position', changes: sizes.catchUp }, ctx, caughtUp, ledger.head() - headBefore)
    const plainById = await measure({ missed: 'plain messages', resumed_by: 'message id', changes: sizes.catchUp }, ctx, oldClient, ledger.head() - headBefore)
    return {
      runs: sizes.catchUpRuns,
      page_limit: sizes.catchUpPageLimit || LIMITS.syncPageDefault,
      conversations: { direct: sizes.catchUpDirect, groups: groups.length, members_per_group: members, history_each: sizes.catchUpHistory },
      mix,
      cases: [mixed.result, plainByPosition.result, plainById.result],
    }
  } finally {
    for (const actor of actors.values()) actor.socket.disconnect()
    ledger.close()
    await server.stop()
  }
}

const thousands = (n: number): string => n.toLocaleString('en')

/** The section of results.md; `legacy` is the shape runs before the change feed wrote. */
export function renderCatchUp(r: CatchUpResult | { missed: number; seconds: number; messages_per_s: number }, measured?: { date: string; node: string }): string[] {
  if ('missed' in r) return [`A client that missed ${r.missed} messages caught up in ${r.seconds} s (${r.messages_per_s} messages/s).`]
  const c = r.conversations
  const mixLine = (Object.entries(r.mix) as [ChangeKind, number][]).map(([kind, n]) => `${thousands(n)} ${MIX_LABELS[kind]}`).join(', ')
  const range = (s: Spread): string => `${s.p50} (${s.min}–${s.max})`
  return [
    ...(measured ? [`Measured ${measured.date} on Node ${measured.node}, apart from the other sections.`, ''] : []),
    `A client that was caught up goes offline while others make changes in its conversations (${c.direct} one-to-one, ${c.groups} groups of ${c.members_per_group}, ${c.history_each} messages of history in each, every change through the server), then reconnects: a new ChatClient from its saved state connects and pages through \`sync\`, ${r.page_limit} items a page. Time from connect() to the last item of the last page handed on to the client's listeners; server CPU over the same stretch (10 ms ticks); the sync answers' bytes as received. ${r.runs} catch-ups from the same saved state: p50 (min–max).`,
    '',
    `The mixed changes (${thousands(Object.values(r.mix).reduce((a, b) => a + b, 0))}), by the other people only, spread over those conversations (a group weighs three one-to-one chats): ${mixLine}; a group change stores a notice too, so it takes two positions. Items are compacted: each message, read position and group once, as it is now (a message sent, edited and reacted to while away is one new message). The plain messages come afterwards, in one more one-to-one conversation, to the client caught up again. "By message id" is a client from before the change feed: new messages only (each page also carrying every other participant's read position), then it bridges to positions.`,
    '',
    '| missed | resumed by | feed positions taken | items returned | new / updated / deleted messages, read positions, groups | sync pages | caught up ms | server CPU ms | sync answers KiB |',
    '|---|---|---|---|---|---|---|---|---|',
    ...r.cases.map(
      (k) =>
        `| ${thousands(k.changes)} ${k.missed} | ${k.resumed_by} | ${thousands(k.positions_taken)} | ${thousands(k.items.total)} | ${k.items.new_message} / ${k.items.message_updated} / ${k.items.message_deleted}, ${k.items.read_state}, ${k.items.conversation_updated} | ${k.pages} | ${range(k.caught_up_ms)} | ${range(k.server_cpu_ms)} | ${k.sync_kib} |`,
    ),
  ]
}
