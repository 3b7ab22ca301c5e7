import { readFileSync } from 'node:fs'
import path from 'node:path'
import { expect, it } from 'vitest'
import { runBench, SMOKE } from '../../bench/run'
import { tempDir } from '../helpers/server'

// `npm run bench` at tiny sizes, so the benchmark keeps working: every section runs and reports a
// measured number (not whether it is fast: that is for the full run on a quiet machine).
it('runs every benchmark section at smoke size and writes the table and the JSON', async () => {
  const out = tempDir()
  const r = await runBench(SMOKE, out)
  expect(r.ceiling.sqlite_msgs_per_s).toBeGreaterThan(0)
  expect(r.ceiling.socketio_msgs_per_s).toBeGreaterThan(0)
  expect(r.throughput.map((t) => t.offered)).toEqual([...SMOKE.rates, 'flat out'])
  for (const t of r.throughput) {
    expect(t.delivered_msgs_per_s).toBeGreaterThan(0)
    expect(t.delivered_ratio).toBe(1) // every message sent in the window was delivered
    expect(t.receive_ms.p99).toBeGreaterThan(0)
  }
  expect(r.fanout.complete).toBe(r.fanout.messages) // every message reached every socket
  // Every group message reached every member, for each group size.
  expect(r.group_fanout.map((g) => g.members)).toEqual(SMOKE.groupMembers)
  for (const g of r.group_fanout) {
    expect(g.sent).toBeGreaterThan(0)
    expect(g.complete).toBe(g.sent)
    expect(g.due_to_last_member_ms.p99).toBeGreaterThan(0)
  }
  expect(r.history.latest_page_1m_ms).toBeGreaterThan(0)
  expect(r.history.list_1000_conversations_ms).toBeGreaterThan(0)
  expect(r.connections.idle_sockets).toBe(SMOKE.idleSockets)
  // Catch-up: every change owed came (the bench also checks each message against the database), each
  // page moved the position on, and the client ended at the feed's head.
  expect(Object.values(r.catch_up.mix).reduce((a, b) => a + b, 0)).toBe(SMOKE.catchUp)
  expect(r.catch_up.cases.map((c) => [c.missed, c.resumed_by])).toEqual([
    ['mixed changes', 'position'],
    ['plain messages', 'position'],
    ['plain messages', 'message id'],
  ])
  for (const c of r.catch_up.cases) {
    expect(c.changes).toBe(SMOKE.catchUp)
    expect(c.items.total).toBe(c.expected_items)
    expect(c.items.new_message + c.items.message_updated + c.items.message_deleted + c.items.read_state + c.items.conversation_updated).toBe(c.items.total)
    expect(c.final_position).toBe(c.head)
    expect(c.caught_up_ms.min).toBeGreaterThan(0)
    expect(c.sync_kib).toBeGreaterThan(0)
    if (c.resumed_by === 'position') {
      expect(c.pages).toBeGreaterThan(1) // pages of SMOKE.catchUpPageLimit items
      expect(c.page_positions.every((p, i) => i === 0 || p > c.page_positions[i - 1]!)).toBe(true)
      expect(c.page_positions.at(-1)).toBe(c.head)
    }
  }
  const [mixed, plain] = r.catch_up.cases
  const { rename, add_member, remove_member } = r.catch_up.mix
  expect(mixed!.positions_taken).toBe(SMOKE.catchUp + rename + add_member + remove_member) // a group change also stores a notice
  expect(mixed!.items.total).toBeLessThan(mixed!.positions_taken) // compacted
  expect(mixed!.items.message_updated + mixed!.items.message_deleted).toBeGreaterThan(0)
  expect(mixed!.items.conversation_updated).toBeGreaterThan(0)
  expect(plain!.items.new_message).toBe(SMOKE.catchUp)
  // Scale-out: 1 and 3 nodes on PostgreSQL + Redis, each at the offered rate and flat out.
  expect(r.scale_out.map((t) => [t.nodes, t.offered])).toEqual([
    [1, SMOKE.scaleRate],
    [1, 'flat out'],
    [3, SMOKE.scaleRate],
    [3, 'flat out'],
  ])
  for (const t of r.scale_out) {
    expect(t.delivered_msgs_per_s).toBeGreaterThan(0)
    expect(t.delivered_ratio).toBe(1)
  }
  // Search: both engines, every kind of query measured with results found, both index sizes, and
  // the send path with and without the index on both engines.
  expect(r.search?.engines.map((e) => e.engine)).toEqual(['SQLite', 'PostgreSQL'])
  for (const e of r.search!.engines) {
    expect(e.messages).toBe(SMOKE.searchMessages)
    expect(e.queries.length).toBeGreaterThanOrEqual(5)
    for (const q of e.queries) {
      expect(q.samples).toBe(q.examples.length * SMOKE.searchReps)
      expect(q.ms.p50).toBeGreaterThan(0)
    }
    expect(e.queries.find((q) => q.kind === 'common word')!.results_p50).toBe(20)
    expect(e.index_mib).toBeGreaterThan(0)
    expect(e.table_mib).toBeGreaterThan(0)
  }
  // The same corpus and queries: the same number of results on both engines.
  expect(r.search!.engines[1]!.queries.map((q) => q.results_p50)).toEqual(r.search!.engines[0]!.queries.map((q) => q.results_p50))
  expect(r.search!.send.map((s) => [s.engine, s.on.length, s.off.length])).toEqual([
    ['SQLite', SMOKE.searchSendRuns, SMOKE.searchSendRuns],
    ['PostgreSQL', SMOKE.searchSendRuns, SMOKE.searchSendRuns],
  ])
  for (const s of r.search!.send) expect(Math.min(...s.on, ...s.off)).toBeGreaterThan(0)
  const md = readFileSync(path.join(out, 'results.md'), 'utf8')
  expect(md).toContain('## Search')
  expect(md).toContain('## Scale-out')
  expect(md).toContain('## Catch-up')
  expect(md).toContain('## Ceiling (same run)')
  expect(JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')).sizes).toBe('smoke')
}, 240_000)
