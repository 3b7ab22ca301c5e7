// npm run bench: Switchboard beside the raw ceiling, in one run on this machine. `--smoke` runs the
// same code at tiny sizes (npm test does, so the benchmark keeps working). Results go to
// bench/results.md and bench/results.json (or --out <dir>). `--only group-fanout`, `--only catch-up` or
// `--only scale-out` measures that section alone and merges it into the last full run's results (see main).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import pg from 'pg'
import type { ConversationDto } from '../electron/shared/dto'
import { SOURCE_MIGRATIONS_DIR, SOURCE_POSTGRES_MIGRATIONS_DIR } from '../electron/server/config'
import { postgresTarget } from '../electron/server/db/database'
import { quoteIdent } from '../electron/server/db/migrate-postgres'
import { migrateSqlite } from '../electron/server/db/migrate-sqlite'
import { catchUpSection, renderCatchUp, type CatchUpResult } from './catch-up'
import { renderSearch, searchSection, type SearchResults } from './search'
import type { RunReport, WorkerClient } from './load-worker'
import { cpuMeter, cpuSeconds, rssBytes } from './lib/proc'
import { seedPostgresPairs } from './lib/seed-postgres'
import { Seeder, type SeededUser } from './lib/seed'
import { startProcess, startRawSocketServer, startSwitchboard } from './lib/server-process'
import { median, summarize, type Summary } from './lib/stats'
import { startTestServices, type TestServices } from '../test/helpers/services'
import { pairsOf, spanSeconds, Workers } from './lib/workers'

const FULL = {
  name: 'full',
  sqliteInserts: 20_000,
  pairs: 100,
  workers: 2,
  rates: [250, 1000, 4000],
  phaseMs: 5000,
  flatInflight: 2,
  fanoutSockets: 100,
  fanoutRate: 20,
  groupMembers: [100, 1000],
  groupRate: 20,
  groupMs: 10_000,
  historyBig: 1_000_000,
  historySmall: 1000,
  listConversations: 1000,
  idleSockets: 5000,
  catchUp: 5000,
  catchUpRuns: 5,
  catchUpDirect: 8,
  catchUpGroupMembers: 10,
  catchUpHistory: 20,
  catchUpPageLimit: 0,
  httpSamples: 100,
  scalePairs: 100,
  scaleRate: 1000,
  searchMessages: 1_000_000,
  searchConversations: 200,
  searchQueries: 10,
  searchReps: 5,
  searchSendPairs: 50,
  searchSendMs: 5000,
  searchSendRuns: 2,
}
const SMOKE: typeof FULL = {
  name: 'smoke',
  sqliteInserts: 300,
  pairs: 5,
  workers: 1,
  rates: [50],
  phaseMs: 700,
  flatInflight: 1,
  fanoutSockets: 5,
  fanoutRate: 10,
  groupMembers: [5, 20],
  groupRate: 10,
  groupMs: 700,
  historyBig: 3000,
  historySmall: 300,
  listConversations: 20,
  idleSockets: 30,
  catchUp: 100,
  catchUpRuns: 2,
  catchUpDirect: 2,
  catchUpGroupMembers: 4,
  catchUpHistory: 5,
  catchUpPageLimit: 20,
  httpSamples: 5,
  scalePairs: 5,
  scaleRate: 50,
  searchMessages: 3000,
  searchConversations: 10,
  searchQueries: 2,
  searchReps: 1,
  searchSendPairs: 3,
  searchSendMs: 500,
  searchSendRuns: 1,
}

type Sizes = typeof FULL

export interface BenchResults {
  date: string
  machine: { cpu: string; cores: number; memory_gib: number; node: string; platform: string }
  sizes: string
  ceiling: { sqlite_msgs_per_s: number; socketio_msgs_per_s: number; socketio_receive_ms: Summary; ceiling_msgs_per_s: number }
  throughput: {
    offered: number | 'flat out'
    delivered_msgs_per_s: number
    delivered_ratio: number
    ack_ms: Summary
    receive_ms: Summary
    server_cpu_percent: number
    server_rss_mib: number
    ratio_to_ceiling: number
  }[]
  fanout: { sockets: number; messages: number; all_delivered_ms: Summary; complete: number; sockets_reached: Record<string, number> }
  /**
   * A group's messages to every member, each member on a socket of their own (SQLite, one node): one
   * member sends at a fixed rate; per message, from when it was due until the last other member had it
   * (null in the JSON, ∞ in the table, for a message some member never got).
   */
  group_fanout: GroupFanout[]
  /** When and on what Node the group fan-out section was measured, if apart from the rest (`--only group-fanout`). */
  group_fanout_measured?: { date: string; node: string }
  history: { latest_page_1m_ms: number; deep_page_1m_ms: number; latest_page_1k_ms: number; deep_page_1k_ms: number; ratio_latest_1m_to_1k: number; list_1000_conversations_ms: number; messages_in_big: number }
  connections: { idle_sockets: number; rss_per_socket_kib: number; rss_before_mib: number; rss_after_mib: number }
  /**
   * A client offline while others make changes, then catching up (its own server, SQLite, one node):
   * a mix of changes by position, plain messages by position and by message id. Runs before the change
   * feed wrote `{missed, seconds, messages_per_s}` here (renderCatchUp still shows it).
   */
  catch_up: CatchUpResult
  /** When and on what Node the catch-up section was measured, if apart from the rest (`--only catch-up`). */
  catch_up_measured?: { date: string; node: string }
  /** The same load on PostgreSQL + Redis, against 1 and 3 nodes; each pair's two clients on different nodes. */
  /** When the scale-out section was measured, if apart from the rest (`--scale-out-only`). */
  scale_out_date?: string
  /** Message search on a million messages, SQLite and PostgreSQL, and the send path with and without its index. */
  search?: SearchResults
  /** When and on what Node the search section was measured, if apart from the rest (`--only search`). */
  search_measured?: { date: string; node: string }
  scale_out: { nodes: number; offered: number | 'flat out'; delivered_msgs_per_s: number; delivered_ratio: number; ack_ms: Summary; receive_ms: Summary; nodes_cpu_percent: number }[]
}

export interface GroupFanout {
  members: number
  /** The members other than the sender, each on one socket. */
  receivers: number
  offered_msgs_per_s: number
  sent: number
  /** Messages every receiver got. */
  complete: number
  due_to_last_member_ms: Summary
  server_cpu_percent: number
  server_cpu_ms_per_message: number
  /** The receiving workers' CPU over the phase, all together (percent of one core): the load generator's own share of the machine. */
  receivers_cpu_percent: number
}

const log = (line: string): void => console.log(`[bench] ${line}`)

/** Raw better-sqlite3: the same row, pragmas and indexes, one transaction per message (insert + bump). */
function sqliteCeiling(dir: string, n: number): number {
  const file = path.join(dir, 'ceiling.db')
  migrateSqlite(file, SOURCE_MIGRATIONS_DIR)
  const db = new Database(file)
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = NORMAL')
  db.pragma('foreign_keys = ON')
  const user = Number(db.prepare("INSERT INTO User (username, display_name, password_hash, created_at) VALUES ('c', 'c', 'x', 0)").run().lastInsertRowid)
  const conversation = Number(db.prepare('INSERT INTO Conversation (direct_key, created_at, updated_at) VALUES (NULL, 0, 0)').run().lastInsertRowid)
  const insert = db.prepare('INSERT INTO Message (conversation_id, sender_id, content, created_at, is_read, client_id) VALUES (?, ?, ?, ?, 0, ?)')
  const bump = db.prepare('UPDATE Conversation SET updated_at = ? WHERE conversation_id = ?')
  const store = db.transaction((i: number) => {
    const now = Date.now()
    insert.run(conversation, user, `t:${now}`, now, `ceiling-${i}`)
    bump.run(now, conversation)
  })
  const t0 = performance.now()
  for (let i = 0; i < n; i++) store(i)
  const perSecond = n / ((performance.now() - t0) / 1000)
  db.close()
  return perSecond
}

async function timeGet(url: string, token: string, samples: number): Promise<number> {
  const times: number[] = []
  for (let i = 0; i < samples; i++) {
    const t0 = performance.now()
    const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } })
    await res.arrayBuffer()
    if (!res.ok) throw new Error(`GET ${url}: ${res.status}`)
    times.push(performance.now() - t0)
  }
  return median(times)
}

const mib = (bytes: number): number => bytes / 1024 / 1024
/** How long group fan-out receivers listen after the sending ends. */
const GROUP_DRAIN_MS = 2000
const round = (n: number, digits = 2): number => Number(n.toFixed(digits))
const settle = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** The flat-out and fixed-rate phases against 1 and then 3 nodes on PostgreSQL and Redis. */
async function scaleOut(sizes: Sizes, work: string): Promise<BenchResults['scale_out']> {
  // The developer's PostgreSQL and Redis when named (SWITCHBOARD_DEV_POSTGRES / _REDIS), else throwaway ones.
  const services = await startTestServices()
  try {
    return await scaleOutOn(services, sizes, work)
  } finally {
    await services.stop()
  }
}

async function scaleOutOn(services: TestServices, sizes: Sizes, work: string): Promise<BenchResults['scale_out']> {
  const out: BenchResults['scale_out'] = []
  const base = services.postgresUrl
  for (const count of [1, 3]) {
    const id = `${process.pid}_${count}_${Date.now() % 1e6}`
    const schema = `bench_${id}`
    const url = new URL(base)
    url.searchParams.set('schema', schema)
    const dataDir = path.join(work, `scale-${count}`)
    mkdirSync(dataDir, { recursive: true })
    const env = {
      DATABASE_URL: url.toString(),
      REDIS_URL: services.redisUrl,
      SWITCHBOARD_REDIS_PREFIX: `bench-${id}`,
      SWITCHBOARD_DATA_DIR: dataDir,
      SWITCHBOARD_MIGRATIONS_DIR: SOURCE_POSTGRES_MIGRATIONS_DIR,
      SWITCHBOARD_SEND_RATE: '100000000/1',
    }
    log(`scale-out: ${count} node${count > 1 ? 's' : ''} on PostgreSQL + Redis`)
    const first = await startProcess('electron/server/cli.ts', ['--host', '127.0.0.1', '--port', '0'], env)
    const nodes = [first, ...(await Promise.all(Array.from({ length: count - 1 }, () => startProcess('electron/server/cli.ts', ['--host', '127.0.0.1', '--port', '0'], env))))]
    try {
      const { users, conversations } = await seedPostgresPairs(postgresTarget(url.toString()).connectionString, schema, dataDir, sizes.scalePairs)
      // Sender and receiver of each pair on different nodes (when there are several): every message crosses Redis.
      const clients = pairsOf(users, conversations).map((c, i) => ({ ...c, url: nodes[(Math.floor(i / 2) + (i % 2)) % nodes.length]!.url }))
      const workers = Workers.start(sizes.workers)
      await workers.connect(first.url, clients, true)
      for (const offered of [sizes.scaleRate, 'flat out'] as const) {
        const cpus = nodes.map((n) => cpuMeter(n.pid))
        const report = await workers.run(
          offered === 'flat out'
            ? { type: 'run', mode: 'flat', ratePerClient: 0, inflight: sizes.flatInflight, durationMs: sizes.phaseMs, drainMs: 800 }
            : { type: 'run', mode: 'rate', ratePerClient: offered / clients.length, inflight: 0, durationMs: sizes.phaseMs, drainMs: 800 },
        )
        out.push({
          nodes: count,
          offered,
          delivered_msgs_per_s: round(report.receiveLatencies.length / (spanSeconds(report) || sizes.phaseMs / 1000), 0),
          delivered_ratio: round(report.receiveLatencies.length / Math.max(1, report.sent), 3),
          ack_ms: summarize(report.ackLatencies),
          receive_ms: summarize(report.receiveLatencies),
          nodes_cpu_percent: round(cpus.reduce((sum, cpu) => sum + cpu(), 0), 0),
        })
      }
      workers.close()
    } finally {
      await Promise.all(nodes.map((n) => n.stop()))
      const client = new pg.Client({ connectionString: postgresTarget(base).connectionString })
      await client.connect()
      await client.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`)
      await client.end()
    }
  }
  return out
}

/**
 * Group fan-out on SQLite, one node (a server of its own): for each size, a group of that many members,
 * every member connected on a socket of their own in the load workers, and one of them (the owner, in
 * a worker of its own so the receiving side cannot delay its schedule) sending at a fixed rate. Each
 * message is stamped with the time it was due, not the time it went out (no coordinated omission);
 * its latency is from then until the last other member had it.
 */
async function groupFanout(sizes: Sizes, work: string): Promise<GroupFanout[]> {
  const dataDir = path.join(work, 'group-fanout')
  mkdirSync(dataDir, { recursive: true })
  const seed = await Seeder.open(dataDir)
  // Each group its own people, so one size's members are not the other's contacts.
  const people = await seed.users(sizes.groupMembers.reduce((a, b) => a + b, 0), 'member')
  seed.close()
  const server = await startSwitchboard(dataDir)
  const out: GroupFanout[] = []
  try {
    let from = 0
    for (const size of sizes.groupMembers) {
      log(`group fan-out: ${size} members at ${sizes.groupRate} msg/s`)
      const [owner, ...receivers] = people.slice(from, (from += size)) as [SeededUser, ...SeededUser[]]
      const receiving = Workers.start(sizes.workers)
      const sending = Workers.start(1)
      // The receivers listen for the sending time and then up to GROUP_DRAIN_MS more (a message not with
      // every member by then counts as never delivered); the sender starts once they all listen.
      const listen = { type: 'run', mode: 'rate', ratePerClient: 0, inflight: 0, durationMs: sizes.groupMs, drainMs: GROUP_DRAIN_MS } as const
      const send = { type: 'run', mode: 'rate', ratePerClient: sizes.groupRate, inflight: 0, durationMs: sizes.groupMs, drainMs: 0, stamp: 'scheduled' } as const
      let measured: { sent: RunReport; received: RunReport; cpu: number; seconds: number; receiversCpuPercent: number }
      try {
        // Everyone connects first, then the group is made: a socket's connection tells each of its user's
        // contacts they are online, which for members of an existing group would be size × size events
        // while connecting; this way none of that overlaps the measurement.
        await receiving.connect(server.url, receivers.map((m): WorkerClient => ({ user_id: m.user_id, token: m.token, conversation_id: 0, sends: false })), false)
        const res = await fetch(`${server.url}/api/groups`, {
          method: 'POST',
          headers: { authorization: `Bearer ${owner.token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ title: `fan-out ${size}`, member_ids: receivers.map((m) => m.user_id) }),
        })
        if (res.status !== 201) throw new Error(`POST /api/groups: ${res.status} ${await res.text()}`)
        const group = ((await res.json()) as ConversationDto).conversation_id
        await sending.connect(server.url, [{ user_id: owner.user_id, token: owner.token, conversation_id: group, sends: true }], false)
        let listening!: () => void
        const ready = new Promise<void>((resolve) => (listening = resolve))
        const receivingDone = receiving.run(listen, listening)
        await ready
        // CPU over the sending, which ends with the last acknowledgement (a message is broadcast before it is acknowledged).
        const cpu0 = cpuSeconds(server.pid)
        const receiversCpu = receiving.pids.map((pid) => cpuMeter(pid))
        const t0 = performance.now()
        const sent = await sending.run(send)
        measured = { sent, cpu: cpuSeconds(server.pid) - cpu0, seconds: (performance.now() - t0) / 1000, receiversCpuPercent: receiversCpu.reduce((sum, meter) => sum + meter(), 0), received: await receivingDone }
      } finally {
        sending.close()
        receiving.close()
      }
      const { sent, received, cpu, seconds, receiversCpuPercent } = measured
      const reached = new Map(received.perMessage.map(([stamp, count, slowest]) => [stamp, { count, slowest }]))
      // Every message due, acknowledged or not: one that some member never got is infinitely late.
      const latencies = sent.stamps.map((stamp) => {
        const got = reached.get(stamp)
        return got && got.count === receivers.length ? got.slowest : Infinity
      })
      out.push({
        members: size,
        receivers: receivers.length,
        offered_msgs_per_s: sizes.groupRate,
        sent: sent.stamps.length,
        complete: latencies.filter(Number.isFinite).length,
        due_to_last_member_ms: summarize(latencies),
        server_cpu_percent: round((100 * cpu) / seconds, 0),
        server_cpu_ms_per_message: round((1000 * cpu) / Math.max(1, sent.stamps.length), 2),
        receivers_cpu_percent: round(receiversCpuPercent, 0),
      })
    }
  } finally {
    await server.stop()
  }
  return out
}

export async function runBench(sizes: Sizes, outDir: string): Promise<BenchResults> {
  const work = mkdtempSync(path.join(os.tmpdir(), 'switchboard-bench-'))
  try {
    // 1. The ceiling, measured in this run.
    log('ceiling: raw SQLite')
    const sqlite = sqliteCeiling(work, sizes.sqliteInserts)
    log('ceiling: raw Socket.IO')
    const raw = await startRawSocketServer()
    const rawWorkers = Workers.start(sizes.workers)
    const rawClients = Array.from({ length: sizes.pairs * 2 }, (_, i): WorkerClient => ({ user_id: i + 1, conversation_id: (i % sizes.pairs) + 1, sends: true }))
    await rawWorkers.connect(raw.url, rawClients, true)
    const rawRun = await rawWorkers.run({ type: 'run', mode: 'flat', ratePerClient: 0, inflight: sizes.flatInflight, durationMs: sizes.phaseMs, drainMs: 300 })
    rawWorkers.close()
    await raw.stop()
    const socketio = rawRun.receiveLatencies.length / (spanSeconds(rawRun) || sizes.phaseMs / 1000)
    const ceiling = Math.min(sqlite, socketio)

    // Seed everything the Switchboard sections need, then start the real server as its own process.
    log('seeding')
    const dataDir = path.join(work, 'switchboard')
    mkdirSync(dataDir, { recursive: true })
    const seed = await Seeder.open(dataDir)
    const users = await seed.users(sizes.pairs * 2, 'load')
    const conversations = Array.from({ length: sizes.pairs }, (_, i) => seed.conversation(users[i]!.user_id, users[i + sizes.pairs]!.user_id))
    const [fan, fanSender, historian, other, lister] = await seed.users(5, 'solo')
    const fanConversation = seed.conversation(fan!.user_id, fanSender!.user_id)
    const big = seed.conversation(historian!.user_id, other!.user_id)
    seed.messages(big, [historian!.user_id, other!.user_id], sizes.historyBig)
    const smallPartner = (await seed.users(1, 'partner'))[0]!
    const small = seed.conversation(historian!.user_id, smallPartner.user_id)
    seed.messages(small, [historian!.user_id, smallPartner.user_id], sizes.historySmall)
    const contacts = await seed.users(sizes.listConversations, 'contact')
    for (const c of contacts) seed.messages(seed.conversation(lister!.user_id, c.user_id), [c.user_id, lister!.user_id], 2)
    const bigIds = seed.db.prepare('SELECT MIN(message_id) AS lo, MAX(message_id) AS hi FROM Message WHERE conversation_id = ?').get(big) as { lo: number; hi: number }
    const smallIds = seed.db.prepare('SELECT MIN(message_id) AS lo, MAX(message_id) AS hi FROM Message WHERE conversation_id = ?').get(small) as { lo: number; hi: number }
    seed.close()

    const server = await startSwitchboard(dataDir)
    try {
      // 2. Throughput and latency at offered rates, then flat out.
      const workers = Workers.start(sizes.workers)
      const clients = pairsOf(users, conversations)
      await workers.connect(server.url, clients, true)
      const throughput: BenchResults['throughput'] = []
      const phases: (number | 'flat out')[] = [...sizes.rates, 'flat out']
      for (const offered of phases) {
        log(`Switchboard at ${offered === 'flat out' ? 'flat out' : `${offered} msg/s`}`)
        const cpu = cpuMeter(server.pid)
        const report = await workers.run(
          offered === 'flat out'
            ? { type: 'run', mode: 'flat', ratePerClient: 0, inflight: sizes.flatInflight, durationMs: sizes.phaseMs, drainMs: 500 }
            : { type: 'run', mode: 'rate', ratePerClient: offered / clients.length, inflight: 0, durationMs: sizes.phaseMs, drainMs: 500 },
        )
        // Over the time from the first send to the last delivery: a server that falls behind is not
        // credited with the rate it was offered.
        const delivered = report.receiveLatencies.length / (spanSeconds(report) || sizes.phaseMs / 1000)
        throughput.push({
          offered,
          delivered_msgs_per_s: round(delivered, 0),
          delivered_ratio: round(report.receiveLatencies.length / Math.max(1, report.sent), 3),
          ack_ms: summarize(report.ackLatencies),
          receive_ms: summarize(report.receiveLatencies),
          server_cpu_percent: round(cpu(), 0),
          server_rss_mib: round(mib(rssBytes(server.pid)), 0),
          ratio_to_ceiling: round(delivered / ceiling, 3),
        })
      }
      workers.close()

      // 3. Fan-out: one user on many sockets.
      log('fan-out')
      const fanWorkers = Workers.start(sizes.workers)
      await fanWorkers.connect(
        server.url,
        [
          { user_id: fanSender!.user_id, token: fanSender!.token, conversation_id: fanConversation, sends: true },
          ...Array.from({ length: sizes.fanoutSockets }, (): WorkerClient => ({ user_id: fan!.user_id, token: fan!.token, conversation_id: fanConversation, sends: false })),
        ],
        false,
      )
      const fanRun = await fanWorkers.run({ type: 'run', mode: 'rate', ratePerClient: sizes.fanoutRate, inflight: 0, durationMs: sizes.phaseMs, drainMs: 500 })
      fanWorkers.close()
      const complete = fanRun.perMessage.filter(([, receivers]) => receivers === sizes.fanoutSockets)
      const reach: Record<string, number> = {}
      for (const [, receivers] of fanRun.perMessage) reach[receivers] = (reach[receivers] ?? 0) + 1
      const fanout = { sockets: sizes.fanoutSockets, messages: fanRun.acked, all_delivered_ms: summarize(complete.map(([, , slowest]) => slowest)), complete: complete.length, sockets_reached: reach }

      // 4. History.
      log('history')
      const page = (conversation: number, before?: number) => `${server.url}/api/messages/${conversation}?limit=50${before ? `&before=${before}` : ''}`
      await timeGet(page(big), historian!.token, 3) // warm up
      const history = {
        messages_in_big: sizes.historyBig,
        latest_page_1m_ms: round(await timeGet(page(big), historian!.token, sizes.httpSamples)),
        deep_page_1m_ms: round(await timeGet(page(big, Math.floor((bigIds.lo + bigIds.hi) / 2)), historian!.token, sizes.httpSamples)),
        latest_page_1k_ms: round(await timeGet(page(small), historian!.token, sizes.httpSamples)),
        deep_page_1k_ms: round(await timeGet(page(small, Math.floor((smallIds.lo + smallIds.hi) / 2)), historian!.token, sizes.httpSamples)),
        list_1000_conversations_ms: round(await timeGet(`${server.url}/api/conversations/${lister!.user_id}`, lister!.token, Math.max(3, sizes.httpSamples / 5))),
        ratio_latest_1m_to_1k: 0,
      }
      history.ratio_latest_1m_to_1k = round(history.latest_page_1m_ms / history.latest_page_1k_ms)

      // 5. Idle connections.
      log(`${sizes.idleSockets} idle sockets`)
      await settle(1500)
      const rssBefore = rssBytes(server.pid)
      const idleWorkers = Workers.start(sizes.workers)
      await idleWorkers.connect(server.url, Array.from({ length: sizes.idleSockets }, (_, i): WorkerClient => ({ ...users[i % users.length]!, conversation_id: 0, sends: false })), false)
      await settle(1500)
      const rssAfter = rssBytes(server.pid)
      idleWorkers.close()
      const connections = {
        idle_sockets: sizes.idleSockets,
        rss_per_socket_kib: round((rssAfter - rssBefore) / sizes.idleSockets / 1024, 1),
        rss_before_mib: round(mib(rssBefore), 0),
        rss_after_mib: round(mib(rssAfter), 0),
      }

      // 6. The sections with servers of their own.
      const date = new Date().toISOString()
      await server.stop()
      const group_fanout = await groupFanout(sizes, work)
      const catch_up = await catchUpSection(sizes, work)
      const scale_out = await scaleOut(sizes, work)
      const search = await searchSection(sizes, work)
      const results: BenchResults = {
        date,
        machine: { cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length, memory_gib: round(os.totalmem() / 2 ** 30, 0), node: process.version, platform: `${os.platform()} ${os.release()}` },
        sizes: sizes.name,
        ceiling: { sqlite_msgs_per_s: round(sqlite, 0), socketio_msgs_per_s: round(socketio, 0), socketio_receive_ms: summarize(rawRun.receiveLatencies), ceiling_msgs_per_s: round(ceiling, 0) },
        throughput,
        fanout,
        history,
        connections,
        catch_up,
        group_fanout,
        scale_out,
        search,
      }
      writeResults(results, outDir)
      return results
    } finally {
      await server.stop()
    }
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}

const ms = (s: Summary): string => `${round(s.p50)} / ${round(s.p95)} / ${round(s.p99)}`
/** A latency that may be infinite (stored as null in the JSON): a message some member never got. */
const late = (v: number | null): string => (v === null || !Number.isFinite(v) ? '∞' : String(round(v)))

export function renderMarkdown(r: BenchResults): string {
  const sz = r.sizes === 'smoke' ? SMOKE : FULL
  const lines = [
    `# Benchmark results (${r.sizes} sizes)`,
    '',
    `Measured ${r.date} on ${r.machine.cpu}, ${r.machine.cores} cores, ${r.machine.memory_gib} GiB, Node ${r.machine.node}, ${r.machine.platform}.`,
    'Load came from separate worker processes on the same machine; the server ran as its own process.',
    '',
    '## Ceiling (same run)',
    '',
    '| what | messages/s |',
    '|---|---|',
    `| raw better-sqlite3: insert + bump, one transaction per message, same pragmas and indexes | ${r.ceiling.sqlite_msgs_per_s} |`,
    `| raw Socket.IO: send → broadcast → receive, no database (receive p50/p95/p99 ${ms(r.ceiling.socketio_receive_ms)} ms) | ${r.ceiling.socketio_msgs_per_s} |`,
    `| **ceiling** (the lower) | **${r.ceiling.ceiling_msgs_per_s}** |`,
    '',
    `## Switchboard: ${sz.pairs * 2} clients in ${sz.pairs} one-to-one conversations`,
    '',
    '| offered | stored and delivered msg/s | delivered / sent | ack ms p50/p95/p99 | send → receive ms p50/p95/p99 | server CPU % | server RSS MiB | of ceiling |',
    '|---|---|---|---|---|---|---|---|',
    ...r.throughput.map((t) => `| ${t.offered === 'flat out' ? 'flat out' : `${t.offered} msg/s`} | ${t.delivered_msgs_per_s} | ${t.delivered_ratio} | ${ms(t.ack_ms)} | ${ms(t.receive_ms)} | ${t.server_cpu_percent} | ${t.server_rss_mib} | ${t.ratio_to_ceiling} |`),
    '',
    '## Fan-out',
    '',
    `One user on ${r.fanout.sockets} sockets: ${r.fanout.messages} messages, ${r.fanout.complete} reached every socket; time until the last socket had it, p50/p95/p99: ${ms(r.fanout.all_delivered_ms)} ms.`,
    '',
    '## Group fan-out (SQLite, one node)',
    '',
    ...(r.group_fanout_measured ? [`Measured ${r.group_fanout_measured.date} on Node ${r.group_fanout_measured.node}, apart from the other sections.`, ''] : []),
    ...(r.group_fanout?.length
      ? [
          `Every member of a group on a socket of their own (in the load workers); one member sends at a fixed rate for ${sz.groupMs / 1000} s. Per message, from the time it was due on the sender's schedule (not when it went out) until the last other member had it; a message some member did not have ${GROUP_DRAIN_MS / 1000} s after the sending ended counts as ∞. CPU (percent of one core) over the sending, which ends with the last acknowledgement.`,
          '',
          '| members | receivers | offered msg/s | messages | reached every member | due → last member ms p50 / p99 (max) | server CPU % | server CPU ms per message | receiving workers CPU % |',
          '|---|---|---|---|---|---|---|---|---|',
          ...r.group_fanout.map(
            (g) =>
              `| ${g.members} | ${g.receivers} | ${g.offered_msgs_per_s} | ${g.sent} | ${g.complete} | ${late(g.due_to_last_member_ms.p50)} / ${late(g.due_to_last_member_ms.p99)} (${late(g.due_to_last_member_ms.max)}) | ${g.server_cpu_percent} | ${g.server_cpu_ms_per_message} | ${g.receivers_cpu_percent} |`,
          ),
        ]
      : ['Not measured in this run.']),
    '',
    '## History (HTTP round trip on loopback, median)',
    '',
    '| request | ms |',
    '|---|---|',
    `| latest page of ${r.history.messages_in_big.toLocaleString('en')} messages | ${r.history.latest_page_1m_ms} |`,
    `| a page in the middle of it | ${r.history.deep_page_1m_ms} |`,
    `| latest page of the small conversation | ${r.history.latest_page_1k_ms} |`,
    `| a page in the middle of it | ${r.history.deep_page_1k_ms} |`,
    `| ratio latest page big / small | ${r.history.ratio_latest_1m_to_1k} |`,
    `| conversation list of a user with ${sz.listConversations.toLocaleString('en')} conversations | ${r.history.list_1000_conversations_ms} |`,
    '',
    '## Connections',
    '',
    `${r.connections.idle_sockets} idle authenticated sockets: server RSS ${r.connections.rss_before_mib} → ${r.connections.rss_after_mib} MiB, ${r.connections.rss_per_socket_kib} KiB per socket.`,
    '',
    '## Catch-up (SQLite, one node)',
    '',
    ...renderCatchUp(r.catch_up as Parameters<typeof renderCatchUp>[0], r.catch_up_measured),
    '',
    `## Scale-out: PostgreSQL + Redis, ${sz.scalePairs * 2} clients, each pair's two clients on different nodes`,
    '',
    ...(r.scale_out_date ? [`Measured ${r.scale_out_date} (after the sections above).`, ''] : []),
    'All nodes, PostgreSQL, Redis and the load workers share the same machine and its cores, so more nodes add coordination without adding hardware: this measures the cost of crossing nodes, not the gain of more machines.',
    '',
    '| nodes | offered | delivered msg/s | delivered / sent | ack ms p50/p95/p99 | send → receive ms p50/p95/p99 | CPU % of all nodes |',
    '|---|---|---|---|---|---|---|',
    ...(r.scale_out ?? []).map((t) => `| ${t.nodes} | ${t.offered === 'flat out' ? 'flat out' : `${t.offered} msg/s`} | ${t.delivered_msgs_per_s} | ${t.delivered_ratio} | ${ms(t.ack_ms)} | ${ms(t.receive_ms)} | ${t.nodes_cpu_percent} |`),
    '',
    '## Search',
    '',
    ...renderSearch(r.search, r.search_measured),
    '',
  ]
  return lines.join('\n')
}

function writeResults(results: BenchResults, outDir: string): void {
  mkdirSync(outDir, { recursive: true })
  writeFileSync(path.join(outDir, 'results.json'), JSON.stringify(results, null, 2) + '\n')
  writeFileSync(path.join(outDir, 'results.md'), renderMarkdown(results))
}

/** The sections `--only <name>` measures alone (`--scale-out-only` is `--only scale-out`). */
const PARTS: Record<string, (results: BenchResults, sizes: Sizes, work: string) => Promise<BenchResults>> = {
  'group-fanout': async (results, sizes, work) => ({ ...results, group_fanout: await groupFanout(sizes, work), group_fanout_measured: { date: new Date().toISOString(), node: process.version } }),
  'catch-up': async (results, sizes, work) => ({ ...results, catch_up: await catchUpSection(sizes, work), catch_up_measured: { date: new Date().toISOString(), node: process.version } }),
  search: async (results, sizes, work) => ({ ...results, search: await searchSection(sizes, work), search_measured: { date: new Date().toISOString(), node: process.version } }),
  'scale-out': async (results, sizes, work) => ({ ...results, scale_out: await scaleOut(sizes, work), scale_out_date: new Date().toISOString() }),
}

async function main(args: string[]): Promise<void> {
  if (args.includes('--render')) {
    // Re-renders results.md from results.json (after a change to the table's wording).
    const json = JSON.parse(readFileSync(path.join(__dirname, 'results.json'), 'utf8')) as BenchResults
    writeFileSync(path.join(__dirname, 'results.md'), renderMarkdown(json))
    return
  }
  const sizes = args.includes('--smoke') ? SMOKE : FULL
  const outIndex = args.indexOf('--out')
  const outDir = outIndex >= 0 ? path.resolve(args[outIndex + 1]!) : path.join(__dirname)
  const onlyIndex = args.indexOf('--only')
  const only = args.includes('--scale-out-only') ? 'scale-out' : onlyIndex >= 0 ? args[onlyIndex + 1] : undefined
  if (only !== undefined) {
    // Measures one section alone and puts it, with the date it was measured, into the last full run's
    // results in --out (bench/ by default: bench/results.json), written back there; the other sections
    // stay as they were.
    const part = PARTS[only]
    if (!part) throw new Error(`--only takes one of: ${Object.keys(PARTS).join(', ')}`)
    const last = path.join(outDir, 'results.json')
    const json = JSON.parse(readFileSync(last, 'utf8')) as BenchResults
    if (json.sizes !== sizes.name) throw new Error(`${last} holds ${json.sizes} sizes; measure ${only} at the same sizes (${json.sizes === 'smoke' ? 'with' : 'without'} --smoke)`)
    const work = mkdtempSync(path.join(os.tmpdir(), 'switchboard-bench-'))
    try {
      const results = await part(json, sizes, work)
      writeResults(results, outDir)
      console.log('\n' + renderMarkdown(results))
    } finally {
      rmSync(work, { recursive: true, force: true })
    }
    return
  }
  console.log('\n' + renderMarkdown(await runBench(sizes, outDir)))
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error)
      process.exit(1)
    },
  )
}

export { FULL, SMOKE }
