// Developer tool: profiles the server under steady load. `node --import tsx bench/profile.ts <msg/s>`
// writes a CPU profile to /tmp/prof and prints the functions that used the most CPU.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { fork } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Seeder } from './lib/seed'
import { startProcess } from './lib/server-process'
import type { RunReport, WorkerClient } from './load-worker'

async function main(): Promise<void> {
  const rate = Number(process.argv[2] ?? 250)
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sb-prof-'))
  const seed = await Seeder.open(dir)
  const users = await seed.users(200, 'u')
  const convs = Array.from({ length: 100 }, (_, i) => seed.conversation(users[i]!.user_id, users[i + 100]!.user_id))
  const bigRows = Number(process.argv[3] ?? 0)
  if (bigRows) seed.messages(seed.conversation(users[0]!.user_id, users[199]!.user_id), [users[0]!.user_id, users[199]!.user_id], bigRows)
  seed.close()
  const server = await startProcess('electron/server/cli.ts', ['--host', '127.0.0.1', '--port', '0', '--data', dir], { SWITCHBOARD_SEND_RATE: '100000000/1' }, ['--cpu-prof', '--cpu-prof-dir=/tmp/prof'])
  const worker = fork(path.join(__dirname, 'load-worker.ts'), [], { execArgv: ['--import', 'tsx'] })
  const clients: WorkerClient[] = convs.flatMap((c, i) => [
    { user_id: users[i]!.user_id, token: users[i]!.token, conversation_id: c, sends: true },
    { user_id: users[i + 100]!.user_id, token: users[i + 100]!.token, conversation_id: c, sends: true },
  ])
  const ask = (cmd: unknown, type: string) =>
    new Promise<{ type: string; report?: RunReport }>((resolve) => {
      worker.once('message', (m: { type: string; report?: RunReport }) => m.type === type && resolve(m))
      worker.send(cmd as never)
    })
  await ask({ type: 'connect', url: server.url, clients, join: true }, 'connected')
  const report = (await ask({ type: 'run', mode: 'rate', ratePerClient: rate / 200, inflight: 0, durationMs: 5000, drainMs: 500 }, 'report')).report!
  console.log('acked', report.acked)
  worker.send({ type: 'close' })
  await server.stop()
  // tsx's module hooks run on a thread of their own and write a profile too: take the busiest.
  const file = readdirSync('/tmp/prof').map((f) => path.join('/tmp/prof', f)).sort((a, b) => statSync(b).size - statSync(a).size)[0]!
  const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[]; samples: number[] }
  const counts = new Map<number, number>()
  for (const s of profile.samples) counts.set(s, (counts.get(s) ?? 0) + 1)
  const byFn = new Map<string, number>()
  for (const n of profile.nodes) {
    const key = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/node_modules/').pop()}:${n.callFrame.lineNumber}`
    byFn.set(key, (byFn.get(key) ?? 0) + (counts.get(n.id) ?? 0))
  }
  const total = profile.samples.length
  for (const [fn, c] of [...byFn.entries()].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(((100 * c) / total).toFixed(1).padStart(5), fn)
}
main().then(() => process.exit(0))
