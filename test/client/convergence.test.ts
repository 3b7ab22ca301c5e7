// The convergence property on one server (SQLite in `node`, PostgreSQL in `postgres`): see
// test/helpers/convergence.ts for what is generated, who watches and what must agree.
import fc from 'fast-check'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { checkScenario, emptyTally, scenarioArb } from '../helpers/convergence'
import { noLimits, startServer, type TestServer } from '../helpers/server'

const RUNS = 12
const SEED = 20_261_203

let srv: TestServer
beforeAll(async () => {
  srv = await startServer(noLimits)
})
afterAll(() => srv.close())

it(`every client ends with the database's state: online, offline for a stretch, and fresh (${RUNS} sequences, seed ${SEED})`, { timeout: 600_000 }, async () => {
  let run = 0
  const tally = emptyTally()
  await fc.assert(
    fc.asyncProperty(scenarioArb, async (scenario) => {
      run++
      await checkScenario(
        {
          urls: [srv.url],
          clientUrl: () => srv.url,
          movedReads: async (conversationIds) => {
            const rows = await srv.server.database.db.conversationParticipant.findMany({
              where: { conversation_id: { in: conversationIds }, removed_at: null, seq: { gt: 0 } },
              select: { conversation_id: true, user_id: true, last_read_message_id: true },
            })
            return new Map(rows.map((r) => [`${r.conversation_id}:${r.user_id}`, r.last_read_message_id]))
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
  console.log(`convergence on one server: ${RUNS} sequences; accepted ${JSON.stringify(tally)}`)
  // Every kind of change happened, so each was held to the property.
  for (const kind of ['send', 'edit', 'delete', 'react', 'read', 'rename', 'remove', 'add'] as const) expect(tally[kind], kind).toBeGreaterThan(0)
})
