// A load generator process: connects its share of the clients, then sends at an offered rate (open
// loop) or flat out (each client keeps `inflight` messages outstanding), and reports what it measured.
import { io, type Socket } from 'socket.io-client'
import { nowMs } from './lib/stats'

export interface WorkerClient {
  user_id: number
  token?: string
  conversation_id: number
  /** Whether this client sends (fan-out receivers only listen). */
  sends: boolean
  /** The node this client talks to, when there are several (else the command's url). */
  url?: string
}

export type WorkerCommand =
  | { type: 'connect'; url: string; clients: WorkerClient[]; join: boolean }
  | {
      type: 'run'
      mode: 'rate' | 'flat'
      ratePerClient: number
      inflight: number
      durationMs: number
      drainMs: number
      /**
       * What a message's stamp (and so its latencies) counts from: when it went out (the default), or,
       * at an offered rate, when the schedule said it was due, so a sender that fell behind (a late
       * timer, a busy event loop) adds its lateness to the latency instead of hiding it.
       */
      stamp?: 'sent' | 'scheduled'
      /** Text each message carries after its stamp, in turn (the search section's realistic messages); none by default. */
      texts?: string[]
    }
  | { type: 'close' }

export interface RunReport {
  sent: number
  acked: number
  errors: number
  ackLatencies: number[]
  receiveLatencies: number[]
  /** Per message (by its stamp): how many of this worker's sockets got it, and the slowest of them. */
  perMessage: [sentAt: number, receivers: number, slowest: number][]
  /** The stamp of every message this worker's clients sent (acknowledged or not). */
  stamps: number[]
}

const sockets: { client: WorkerClient; socket: Socket }[] = []
let report: RunReport = fresh()
let sendId = 0

function fresh(): RunReport {
  return { sent: 0, acked: 0, errors: 0, ackLatencies: [], receiveLatencies: [], perMessage: [], stamps: [] }
}
const perMessage = new Map<number, [number, number, number]>()
const reply = (message: unknown): void => void process.send!(message)

async function connect(url: string, clients: WorkerClient[], join: boolean): Promise<void> {
  await Promise.all(
    clients.map(
      (client) =>
        new Promise<void>((resolve, reject) => {
          const socket = io(client.url ?? url, { auth: client.token ? { token: client.token } : {}, transports: ['websocket'], reconnection: false, forceNew: true })
          socket.on('new_message', (m: { sender_id: number; content: string }) => {
            if (m.sender_id === client.user_id || !m.content.startsWith('t:')) return
            const sentAt = Number(m.content.slice(2).split(' ', 1)[0])
            const latency = nowMs() - sentAt
            report.receiveLatencies.push(latency)
            const entry = perMessage.get(sentAt) ?? [sentAt, 0, 0]
            entry[1]++
            entry[2] = Math.max(entry[2], latency)
            perMessage.set(sentAt, entry)
          })
          socket.once('connect', () => {
            sockets.push({ client, socket })
            if (!join) return resolve()
            socket.emit('join_conversation', { conversation_id: client.conversation_id, user_id: client.user_id }, () => resolve())
          })
          socket.once('connect_error', reject)
        }),
    ),
  )
}

let texts: string[] = []
function sendOne(client: WorkerClient, socket: Socket, stamp = nowMs()): Promise<void> {
  const sentAt = stamp
  const text = texts.length ? ` ${texts[sendId % texts.length]}` : ''
  report.sent++
  report.stamps.push(sentAt)
  return new Promise((resolve) => {
    socket
      .timeout(30_000)
      .emit('send_message', { conversation_id: client.conversation_id, content: `t:${sentAt}${text}`, sender_id: client.user_id, client_id: `b${process.pid}-${++sendId}` }, (err: unknown, ack: { ok: boolean }) => {
        if (err || !ack?.ok) report.errors++
        else {
          report.acked++
          report.ackLatencies.push(nowMs() - sentAt)
        }
        resolve()
      })
  })
}

async function run(command: Extract<WorkerCommand, { type: 'run' }>): Promise<RunReport> {
  report = fresh()
  perMessage.clear()
  texts = command.texts ?? []
  // From here on what arrives counts: whoever waits for this may start sending.
  reply({ type: 'started' })
  const senders = sockets.filter((s) => s.client.sends)
  const end = performance.now() + command.durationMs
  const pending: Promise<void>[] = []
  if (command.mode === 'rate') {
    const interval = 1000 / command.ratePerClient
    await Promise.all(
      senders.map(async ({ client, socket }) => {
        // Spread the clients over the interval, then keep the schedule whatever the answers do.
        let next = performance.now() + Math.random() * interval
        while (next < end) {
          const wait = next - performance.now()
          if (wait > 0) await new Promise((r) => setTimeout(r, wait))
          pending.push(sendOne(client, socket, command.stamp === 'scheduled' ? performance.timeOrigin + next : undefined))
          next += interval
        }
      }),
    )
  } else {
    await Promise.all(
      senders.map(async ({ client, socket }) => {
        const lane = async (): Promise<void> => {
          while (performance.now() < end) await sendOne(client, socket)
        }
        await Promise.all(Array.from({ length: command.inflight }, lane))
      }),
    )
  }
  // Workers that only listen must listen for the whole phase too.
  await new Promise((r) => setTimeout(r, Math.max(0, end - performance.now())))
  await Promise.race([Promise.all(pending), new Promise((r) => setTimeout(r, 30_000))])
  await new Promise((r) => setTimeout(r, command.drainMs))
  report.perMessage = [...perMessage.values()]
  return report
}

process.on('message', (command: WorkerCommand) => {
  if (command.type === 'connect') connect(command.url, command.clients, command.join).then(() => reply({ type: 'connected' }), (e: Error) => reply({ type: 'error', message: e.message }))
  if (command.type === 'run') void run(command).then((r) => reply({ type: 'report', report: r }))
  if (command.type === 'close') {
    for (const { socket } of sockets) socket.disconnect()
    process.exit(0)
  }
})
