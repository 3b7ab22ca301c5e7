// The convergence property on three nodes behind a load balancer (PostgreSQL, Redis): the ops go
// through the balancer (so over every node), Bob's clients land on different nodes, and in each
// sequence one node is SIGKILLed halfway (a new one takes its place). What is generated, who watches
// and what must agree: test/helpers/convergence.ts.
import fc from 'fast-check'
import pg from 'pg'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { quoteIdent } from '../../electron/server/db/migrate-postgres'
import { startBalancer, type Balancer } from '../helpers/balancer'
import { startCluster, POSTGRES_URL, type Cluster } from '../helpers/cluster'
import { checkScenario, emptyTally, scenarioArb } from '../helpers/convergence'

const RUNS = 8
const SEED = 20_261_204

let cluster: Cluster
let balancer: Balancer
const live = new Set<number>()
beforeAll(async () => {
  cluster = await startCluster(3)
  for (const n of cluster.nodes) live.add(n.port)
  balancer = await startBalancer(() => [...live])
}, 120_000)
afterAll(async () => {
  await balancer?.close()
  await cluster?.close()
})

it(`every client ends with the database's state with a node killed halfway (${RUNS} sequences on 3 nodes, seed ${SEED})`, { timeout: 900_000 }, async () => {
  let run = 0
  let kills = 0
  const tally = emptyTally()
  await fc.assert(
    fc.asyncProperty(scenarioArb, async (scenario) => {
      run++
      await checkScenario(
        {
          urls: [balancer.url],
          clientUrl: () => balancer.url,
          movedReads: async (conversationIds) => {
            const client = new pg.Client({ connectionString: POSTGRES_URL })
            await client.connect()
            try {
              const { rows } = await client.query<{ conversation_id: number; user_id: number; last_read_message_id: number | null }>(
                `SELECT conversation_id, user_id, last_read_message_id FROM ${quoteIdent(cluster.schema)}."ConversationParticipant"
                 WHERE conversation_id = ANY($1) AND removed_at IS NULL AND seq > 0`,
                [conversationIds],
              )
              return new Map(rows.map((r) => [`${r.conversation_id}:${r.user_id}`, r.last_read_message_id]))
            } finally {
              await client.end()
            }
          },
          afterOp: async (index, total) => {
            if (index !== Math.floor(total / 2)) return
            const victim = cluster.nodes.filter((n) => live.has(n.port))[run % 3]!
            live.delete(victim.port)
            await victim.kill()
            kills++
            live.add((await cluster.start()).port)
          },
        },
        scenario,
        `run ${run} (${scenario.ops.length} ops, offline for ${scenario.from}-${scenario.to})`,
        tally,
      )
    }),
    { seed: SEED, numRuns: RUNS, endOnFailure: true },
  )
  expect(run).toBe(RUNS)
  expect(kills).toBe(RUNS)
  console.log(`convergence on three nodes: ${RUNS} sequences, ${kills} nodes killed halfway; accepted ${JSON.stringify(tally)}`)
  for (const kind of ['send', 'edit', 'delete', 'react', 'read', 'rename'] as const) expect(tally[kind], kind).toBeGreaterThan(0)
})
