// The load-generating processes (bench/load-worker.ts) and what the sections make of their reports.
import { fork, type ChildProcess } from 'node:child_process'
import path from 'node:path'
import type { RunReport, WorkerClient, WorkerCommand } from '../load-worker'
import type { SeededUser } from './seed'

/** The load-generating processes. */
export class Workers {
  private constructor(private readonly procs: ChildProcess[]) {}

  get pids(): number[] {
    return this.procs.map((p) => p.pid!)
  }

  static start(n: number): Workers {
    return new Workers(Array.from({ length: n }, () => fork(path.join(__dirname, '..', 'load-worker.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })))
  }

  private ask(proc: ChildProcess, command: WorkerCommand, answer: string, onStarted?: () => void): Promise<{ type: string; report?: RunReport }> {
    return new Promise((resolve, reject) => {
      const onMessage = (m: { type: string; message?: string; report?: RunReport }) => {
        if (m.type === 'error') reject(new Error(m.message))
        else if (m.type === 'started') onStarted?.()
        else if (m.type === answer) {
          proc.off('message', onMessage)
          resolve(m)
        }
      }
      proc.on('message', onMessage)
      proc.send(command)
    })
  }

  async connect(url: string, clients: WorkerClient[], join: boolean): Promise<void> {
    await Promise.all(this.procs.map((p, w) => this.ask(p, { type: 'connect', url, clients: clients.filter((_, i) => i % this.procs.length === w), join }, 'connected')))
  }

  /** Runs a phase on every worker; `started` is called once all of them count what arrives. */
  async run(command: Extract<WorkerCommand, { type: 'run' }>, started?: () => void): Promise<RunReport> {
    let starting = this.procs.length
    const reports = (await Promise.all(this.procs.map((p) => this.ask(p, command, 'report', () => --starting === 0 && started?.())))).map((m) => m.report as RunReport)
    const perMessage = new Map<number, [number, number, number]>()
    for (const r of reports) {
      for (const [sentAt, receivers, slowest] of r.perMessage) {
        const e = perMessage.get(sentAt) ?? [sentAt, 0, 0]
        e[1] += receivers
        e[2] = Math.max(e[2], slowest)
        perMessage.set(sentAt, e)
      }
    }
    return {
      sent: reports.reduce((s, r) => s + r.sent, 0),
      acked: reports.reduce((s, r) => s + r.acked, 0),
      errors: reports.reduce((s, r) => s + r.errors, 0),
      ackLatencies: reports.flatMap((r) => r.ackLatencies),
      receiveLatencies: reports.flatMap((r) => r.receiveLatencies),
      perMessage: [...perMessage.values()],
      stamps: reports.flatMap((r) => r.stamps),
    }
  }

  close(): void {
    for (const p of this.procs) p.send({ type: 'close' })
  }
}

export function pairsOf(users: SeededUser[], conversations: number[]): WorkerClient[] {
  const half = conversations.length
  return conversations.flatMap((conversation_id, i) => [
    { user_id: users[i]!.user_id, token: users[i]!.token, conversation_id, sends: true },
    { user_id: users[i + half]!.user_id, token: users[i + half]!.token, conversation_id, sends: true },
  ])
}

/** Seconds from the first message sent to the last one delivered. */
export function spanSeconds(report: RunReport): number {
  if (report.perMessage.length === 0) return 0
  const first = Math.min(...report.perMessage.map(([sentAt]) => sentAt))
  const last = Math.max(...report.perMessage.map(([sentAt, , slowest]) => sentAt + slowest))
  return (last - first) / 1000
}
