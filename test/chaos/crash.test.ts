import { spawn, type ChildProcess } from 'node:child_process'
import { createServer as netServer } from 'node:net'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, expect, it } from 'vitest'
import { Seeder } from '../../bench/lib/seed'
import { ChatClient } from '../../electron/client/chat-client'
import { sqliteFile } from '../../electron/server/db/database'
import type { MessageDto } from '../../electron/shared/dto'
import { tempDir } from '../helpers/server'
import { sleep } from '../helpers/sockets'

const ROOT = path.resolve(__dirname, '../..')
const PAIRS = 25
const KILLS = 3

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = netServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number }
      s.close(() => resolve(port))
    })
  })
}

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

it('loses and duplicates nothing when the server is SIGKILLed under load three times', async () => {
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
  const acked = new Map<string, number>() // client_id → message_id the server acknowledged
  const received = clients.map(() => [] as MessageDto[])
  const queued: string[][] = clients.map(() => [])
  clients.forEach((c, i) => {
    c.on('sent', ({ client_id, message }) => {
      expect(acked.has(client_id) ? acked.get(client_id) : message.message_id).toBe(message.message_id)
      acked.set(client_id, message.message_id)
    })
    c.on('message', (m) => m.sender_id !== c.user.user_id && received[i]!.push(m))
    c.connect()
  })

  // About 1,000 messages/s in all: 50 clients, each sending every 50 ms.
  let sending = true
  const senders = clients.map(async (c, i) => {
    const conversation = conversations[i % PAIRS]!
    let n = 0
    while (sending) {
      queued[i]!.push((await c.send(conversation, `${i}:${n++}`)).client_id)
      await sleep(50)
    }
  })

  const integrity: string[] = []
  const waitingWhileDown: number[] = []
  for (let k = 0; k < KILLS; k++) {
    await sleep(800 + Math.random() * 1200)
    await kill()
    const db = new Database(sqliteFile(dataDir))
    integrity.push(db.pragma('integrity_check', { simple: true }) as string)
    db.close()
    await sleep(200 + Math.random() * 300)
    // Sends made while the server is dead wait in the outboxes; they go out after the restart.
    waitingWhileDown.push(clients.reduce((n, c) => n + c.outbox.length, 0))
    await start(dataDir, port)
  }
  await sleep(1000)
  sending = false
  await Promise.all(senders)

  // Every outbox drains, and every recipient has everything its peer sent.
  const deadline = Date.now() + 60_000
  const sentTo = (i: number): number => queued[(i + PAIRS) % (PAIRS * 2)]!.length
  while (clients.some((c) => c.outbox.length > 0) || received.some((r, i) => r.length < sentTo(i))) {
    if (Date.now() > deadline) throw new Error('not everything arrived')
    await sleep(100)
  }
  await sleep(500)

  const db = new Database(sqliteFile(dataDir), { readonly: true })
  const rows = db.prepare("SELECT message_id, sender_id, client_id, content FROM Message WHERE content LIKE '%:%' ORDER BY message_id").all() as { message_id: number; sender_id: number; client_id: string; content: string }[]
  db.close()
  const allQueued = queued.flat()
  const byClientId = new Map<string, number>()
  for (const r of rows) byClientId.set(r.client_id, (byClientId.get(r.client_id) ?? 0) + 1)

  console.log(`crash test: ${KILLS} SIGKILLs, ${allQueued.length} messages queued, ${acked.size} acknowledged, ${rows.length} stored, waiting in outboxes while down: ${waitingWhileDown.join('/')}, integrity ${integrity.join('/')}`)
  expect(integrity).toEqual(Array(KILLS).fill('ok'))
  for (const waiting of waitingWhileDown) expect(waiting).toBeGreaterThan(0)
  // Each acknowledged message is stored, once, under the id the ack named.
  for (const [clientId, messageId] of acked) {
    expect(byClientId.get(clientId)).toBe(1)
    expect(rows.find((r) => r.client_id === clientId)!.message_id).toBe(messageId)
  }
  // Each queued message (acknowledged or resent by its outbox) is stored exactly once.
  expect(rows).toHaveLength(allQueued.length)
  for (const clientId of allQueued) expect(byClientId.get(clientId)).toBe(1)
  // Each recipient got each message of its peer once, in the order it was sent.
  received.forEach((list, i) => {
    const peer = (i + PAIRS) % (PAIRS * 2)
    expect(list.map((m) => m.content)).toEqual(queued[peer]!.map((_, n) => `${peer}:${n}`))
  })
  await Promise.all(clients.map((c) => c.close()))
}, 120_000)
