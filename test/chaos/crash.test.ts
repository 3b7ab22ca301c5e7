import { spawn, type ChildProcess } from 'node:child_process'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, expect, it } from 'vitest'
import { Seeder } from '../../bench/lib/seed'
import { ChatClient } from '../../electron/client/chat-client'
import { sqliteFile } from '../../electron/server/db/database'
import type { MessageDto } from '../../electron/shared/dto'
import { seededRandom, testSeed } from '../helpers/random'
import { tempDir } from '../helpers/server'
import { freePort } from '../helpers/services'
import { sleep } from '../helpers/sockets'
import { until } from '../helpers/wait'

const ROOT = path.resolve(__dirname, '../..')
const PAIRS = 25
const KILLS = 3
const SEED = testSeed()

let child: ChildProcess | null = null
function start(dataDir: string, port: number): Promise<void> {
  child = spawn(process.execPath, ['--import', 'tsx', 'electron/server/cli.ts', '--host', '127.0.0.1', '--port', String(port), '--data', dataDir], {
    cwd: ROOT,
    env: { ...process.env, SWITCHBOARD_LOG_LEVEL: 'warn', SWITCHBOARD_SEND_RATE: '100000/1' },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const proc = child
  return new Promise((resolve, reject) => {
    proc.stdout!.on('data', (d) => String(d).includes('listening on') && resolve())
    proc.once('exit', (code) => reject(new Error(`server exited with ${code}`)))
  })
}
function kill(): Promise<void> {
  const proc = child!
  return new Promise((resolve) => {
    proc.removeAllListeners('exit')
    proc.once('exit', () => resolve())
    proc.kill('SIGKILL')
  })
}
afterAll(() => {
  child?.kill('SIGKILL')
})

it(`loses and duplicates nothing when the server is SIGKILLed under load three times (seed ${SEED}: SWITCHBOARD_SEED replays it)`, async () => {
  const random = seededRandom(SEED)
  const dataDir = tempDir()
  const seed = await Seeder.open(dataDir)
  const users = await seed.users(PAIRS * 2, 'chaos')
  const conversations = Array.from({ length: PAIRS }, (_, i) => seed.conversation(users[i]!.user_id, users[i + PAIRS]!.user_id))
  seed.close()
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  await start(dataDir, port)

  const clients = await Promise.all(
    users.map((u, i) =>
      ChatClient.open({ url, token: u.token, user: { user_id: u.user_id, username: `chaos${i}`, display_name: `chaos ${i}` }, reconnectDelayMs: 50, reconnectDelayMaxMs: 400, ackTimeoutMs: 2000, sleepCheckMs: 0 }),
    ),
  )
  // Listeners only record (an assertion thrown in one would not reach the test); the test asserts below.
  const acks: { client_id: string; message_id: number; restarts: number }[] = []
  let restarts = 0
  const received = clients.map(() => [] as MessageDto[])
  const queued: string[][] = clients.map(() => [])
  clients.forEach((c, i) => {
    c.on('sent', ({ client_id, message }) => void acks.push({ client_id, message_id: message.message_id, restarts }))
    c.on('new_message', (m) => m.sender_id !== c.user.user_id && received[i]!.push(m))
    c.connect()
  })

  // About 1,000 messages/s in all: 50 clients, each sending every 50 ms (the pace of the load, not a wait).
  let sending = true
  const senders = clients.map(async (c, i) => {
    const conversation = conversations[i % PAIRS]!
    let n = 0
    while (sending) {
      queued[i]!.push((await c.send(conversation, `${i}:${n++}`)).client_id)
      await sleep(50)
    }
  })
  const queuedCount = (): number => queued.reduce((n, q) => n + q.length, 0)
  const outboxes = (): number => clients.reduce((n, c) => n + c.outbox.length, 0)

  const integrity: string[] = []
  const lastIdAtKill: number[] = []
  const waitingWhileDown: number[] = []
  for (let k = 0; k < KILLS; k++) {
    // The kill comes after a seeded number of acknowledged messages: the server is under load.
    const ackedBefore = acks.length
    const killAfter = random.int(200, 1500)
    await until(`${killAfter} acknowledgements before kill ${k + 1}`, () => acks.length >= ackedBefore + killAfter, { timeoutMs: 30_000 })
    await kill()
    const db = new Database(sqliteFile(dataDir))
    integrity.push(db.pragma('integrity_check', { simple: true }) as string)
    lastIdAtKill.push((db.prepare('SELECT MAX(message_id) AS id FROM Message').get() as { id: number }).id)
    db.close()
    // Down while a seeded number of sends are made: they wait in the outboxes and go out after the restart.
    const queuedAtKill = queuedCount()
    const downFor = random.int(100, 400)
    await until(`${downFor} sends while the server is down`, () => queuedCount() >= queuedAtKill + downFor)
    waitingWhileDown.push(outboxes())
    await start(dataDir, port)
    restarts++
  }
  // Traffic flows again after the last restart before the senders stop.
  const ackedAtRestart = acks.length
  await until('traffic after the last restart', () => acks.length >= ackedAtRestart + 500, { timeoutMs: 30_000 })
  sending = false
  await Promise.all(senders)

  // Every outbox drains, and every recipient has everything its peer sent.
  const sentTo = (i: number): number => queued[(i + PAIRS) % (PAIRS * 2)]!.length
  const state = (): string => `${outboxes()} still in outboxes; received ${received.reduce((n, r) => n + r.length, 0)} of ${queuedCount()}`
  await until('every message delivered', () => outboxes() === 0 && received.every((r, i) => r.length >= sentTo(i)), { timeoutMs: 60_000, state })
  // A last message from each client, after everything: once a recipient has it, a duplicate of
  // anything earlier would have arrived before it.
  const lasts = await Promise.all(clients.map(async (c, i) => (await c.send(conversations[i % PAIRS]!, `end of ${i}`)).client_id))
  await until('every last message', () => received.every((r, i) => r.some((m) => m.content === `end of ${(i + PAIRS) % (PAIRS * 2)}`)), { timeoutMs: 30_000, state })

  const db = new Database(sqliteFile(dataDir), { readonly: true })
  const rows = db.prepare('SELECT message_id, client_id FROM Message ORDER BY message_id').all() as { message_id: number; client_id: string }[]
  db.close()
  const allQueued = [...queued.flat(), ...lasts]
  const stored = new Map<string, number[]>()
  for (const r of rows) stored.set(r.client_id, [...(stored.get(r.client_id) ?? []), r.message_id])
  // Sends stored before a kill whose acknowledgement died with the server: their resend after the
  // restart was answered with the stored message (the retried-send path).
  const retried = acks.filter((a) => a.restarts > 0 && a.message_id <= lastIdAtKill[a.restarts - 1]!).length

  console.log(
    `crash test (seed ${SEED}): ${KILLS} SIGKILLs, ${allQueued.length} messages queued, ${acks.length} acknowledged (${retried} after a resend across a kill), ${rows.length} stored, waiting in outboxes while down: ${waitingWhileDown.join('/')}, integrity ${integrity.join('/')}`,
  )
  expect(integrity).toEqual(Array(KILLS).fill('ok'))
  for (const waiting of waitingWhileDown) expect(waiting).toBeGreaterThan(0)
  // Every acknowledgement of a client_id (a retried send included) names the one message stored for it.
  for (const ack of acks) expect(stored.get(ack.client_id), ack.client_id).toEqual([ack.message_id])
  // Each queued message (acknowledged or resent by its outbox) is stored exactly once, and nothing else.
  expect(rows).toHaveLength(allQueued.length)
  for (const clientId of allQueued) expect(stored.get(clientId), clientId).toHaveLength(1)
  // Each recipient got each message of its peer once, in the order it was sent, then the last one.
  received.forEach((list, i) => {
    const peer = (i + PAIRS) % (PAIRS * 2)
    expect(list.map((m) => m.content)).toEqual([...queued[peer]!.map((_, n) => `${peer}:${n}`), `end of ${peer}`])
  })
  await Promise.all(clients.map((c) => c.close()))
}, 180_000)
