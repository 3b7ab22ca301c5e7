// Several server processes on one PostgreSQL schema and one Redis, as a scale-out deployment runs:
// each node is the real CLI entry in a child process of its own (so a test can SIGKILL one).
import { spawn, type ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import path from 'node:path'
import { SOURCE_POSTGRES_MIGRATIONS_DIR } from '../../electron/server/config'
import { afterAll, beforeAll } from 'vitest'
import { dropPostgresSchema, tempDir } from './server'
import { closeAllSockets } from './sockets'

const ROOT = path.resolve(__dirname, '../..')
/** The run's PostgreSQL and Redis (test/helpers/services-setup.ts starts them). */
function service(name: 'SWITCHBOARD_DEV_POSTGRES' | 'SWITCHBOARD_DEV_REDIS'): string {
  const url = process.env[name]
  if (!url) throw new Error(`${name} is not set: run this test through vitest's node, postgres or scale project, whose set-up starts the servers`)
  return url
}
export const POSTGRES_URL = service('SWITCHBOARD_DEV_POSTGRES')
export const REDIS_URL = service('SWITCHBOARD_DEV_REDIS')

import { freePort } from './services'

export { freePort }

export interface Node {
  url: string
  port: number
  process: ChildProcess
  /** SIGKILL: no goodbye to the cluster, no drained writes. */
  kill(): Promise<void>
  stop(): Promise<void>
}

export interface Cluster {
  nodes: Node[]
  schema: string
  dataDir: string
  env: Record<string, string>
  start(): Promise<Node>
  close(): Promise<void>
}

/** `count` nodes sharing a fresh schema, a Redis stream and key prefix of their own, and one data folder (JWT secret, files). */
export async function startCluster(count: number, extraEnv: Record<string, string> = {}): Promise<Cluster> {
  const id = randomUUID().replaceAll('-', '').slice(0, 12)
  const schema = `c_${id}`
  const databaseUrl = new URL(POSTGRES_URL)
  databaseUrl.searchParams.set('schema', schema)
  const dataDir = tempDir('switchboard-cluster-')
  const env: Record<string, string> = {
    DATABASE_URL: databaseUrl.toString(),
    REDIS_URL,
    SWITCHBOARD_REDIS_PREFIX: `sbtest-${id}`,
    SWITCHBOARD_DATA_DIR: dataDir,
    SWITCHBOARD_MIGRATIONS_DIR: SOURCE_POSTGRES_MIGRATIONS_DIR,
    SWITCHBOARD_LOG_LEVEL: 'warn',
    SWITCHBOARD_SEND_RATE: '100000/1',
    SWITCHBOARD_REGISTER_RATE: '100000/1',
    ...extraEnv,
  }
  const nodes: Node[] = []
  const start = async (): Promise<Node> => {
    const port = await freePort()
    const child = spawn(process.execPath, ['--import', 'tsx', 'electron/server/cli.ts', '--host', '127.0.0.1', '--port', String(port)], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    const log = createWriteStream(path.join(dataDir, `node-${port}.log`))
    // Logs (pino writes JSON lines to stdout) and errors, kept per node in the shared data folder.
    child.stderr!.on('data', (d) => {
      output += d
      log.write(d)
    })
    child.stdout!.on('data', (d) => log.write(d))
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (d) => String(d).includes('listening on') && resolve())
      child.once('exit', (code) => reject(new Error(`node exited with ${code}: ${output}`)))
    })
    child.removeAllListeners('exit')
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
    const node: Node = {
      url: `http://127.0.0.1:${port}`,
      port,
      process: child,
      kill: async () => {
        child.kill('SIGKILL')
        await exited
      },
      stop: async () => {
        child.kill('SIGTERM')
        await exited
      },
    }
    nodes.push(node)
    return node
  }
  // The first node migrates; the others start together after it (they would wait on the lock anyway).
  await start()
  await Promise.all(Array.from({ length: count - 1 }, () => start()))
  return {
    nodes,
    schema,
    dataDir,
    env,
    start,
    close: async () => {
      await Promise.all(nodes.map((n) => (n.process.exitCode === null && n.process.signalCode === null ? n.stop() : undefined)))
      await dropPostgresSchema(schema, POSTGRES_URL)
    },
  }
}

/**
 * A cluster of `size` nodes for a whole test file: started before its tests, closed after them with
 * every socket the file opened. `current()` is the cluster once started.
 */
export function clusterForFile(size: number): { current(): Cluster; url(node: number): string } {
  let cluster: Cluster | undefined
  beforeAll(async () => {
    cluster = await startCluster(size)
  }, 120_000)
  afterAll(async () => {
    closeAllSockets()
    await cluster?.close()
  })
  const current = (): Cluster => {
    if (!cluster) throw new Error('the cluster has not started')
    return cluster
  }
  return { current, url: (node) => current().nodes[node]!.url }
}
