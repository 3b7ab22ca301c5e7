import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { existsSync, rmSync } from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, beforeAll, expect, it } from 'vitest'
import { sqliteFile } from '../../electron/server/db/database'
import { Api, pair } from '../helpers/api'
import { tempDir } from '../helpers/server'

const ROOT = path.resolve(__dirname, '../..')
const children: ChildProcess[] = []

// `npm run serve` builds the web client first when it is missing or stale: do that once here, so the
// servers below start quickly and never build at the same time.
beforeAll(() => {
  execFileSync(process.execPath, [path.join(ROOT, 'scripts/web-build.mjs')], { cwd: ROOT, stdio: 'pipe', timeout: 180_000 })
}, 180_000)
afterEach(() => {
  // Each server runs in its own process group: a failed test must not leave one behind.
  for (const c of children.splice(0)) {
    try {
      process.kill(-c.pid!, 'SIGKILL')
    } catch {
      // already gone
    }
  }
})

/** Starts the CLI as users do and resolves with the URL it prints. */
function serve(args: string[], env: Record<string, string> = {}): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const child = spawn('npm', ['run', '--silent', 'serve', '--', ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
  children.push(child)
  let output = ''
  child.stdout!.on('data', (d) => (output += d))
  child.stderr!.on('data', (d) => (output += d))
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL printed:\n${output}`)), 45_000)
    child.stdout!.on('data', () => {
      const match = /listening on (http:\/\/\S+)/.exec(output)
      if (match) {
        clearTimeout(timer)
        resolve({ child, url: match[1]!, output: () => output })
      }
    })
    child.on('exit', (code) => reject(new Error(`exited with ${code}:\n${output}`)))
  })
}

const exited = (child: ChildProcess): Promise<number | null> =>
  child.exitCode !== null ? Promise.resolve(child.exitCode) : new Promise((resolve) => child.once('exit', (code) => resolve(code)))

const refusesConnections = (url: string): Promise<boolean> => fetch(`${url}/api/health`).then(() => false, () => true)

it('serves with --host --port --data, answers health, and stops cleanly on SIGTERM', async () => {
  const data = tempDir()
  const { child, url, output } = await serve(['--host', '127.0.0.1', '--port', '0', '--data', data])
  expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
  expect((await new Api(url).get('/api/health')).status).toBe(200)
  // The inbox is served as the web client at /.
  const page = await fetch(`${url}/`)
  expect(page.status).toBe(200)
  expect(await page.text()).toContain('<title>Switchboard</title>')
  const { ada, conversationId } = await pair(url)
  await ada.api.post(`/api/messages/${conversationId}`, { content: 'kept', sender_id: ada.user.user_id })
  child.kill('SIGTERM') // to npm itself, as a supervisor would: it hands the signal to the server
  expect(await exited(child)).toBe(0)
  expect(output()).toMatch(/"level":30.*shutting down/)
  expect(await refusesConnections(url)).toBe(true)
  // The database was closed properly: no WAL left to replay, and it checks out.
  expect(existsSync(sqliteFile(data) + '-wal')).toBe(false)
  const db = new Database(sqliteFile(data), { readonly: true })
  expect(db.pragma('integrity_check', { simple: true })).toBe('ok')
  expect((db.prepare('SELECT content FROM Message').all() as { content: string }[]).map((r) => r.content)).toEqual(['kept'])
  db.close()
  rmSync(data, { recursive: true, force: true })
})

it('takes SWITCHBOARD_HOST, SWITCHBOARD_PORT and SWITCHBOARD_DATA_DIR, and stops on SIGINT', async () => {
  const data = tempDir()
  const { child, url } = await serve([], { SWITCHBOARD_HOST: '127.0.0.1', SWITCHBOARD_PORT: '0', SWITCHBOARD_DATA_DIR: data })
  expect((await new Api(url).get('/api/health')).status).toBe(200)
  expect(existsSync(sqliteFile(data))).toBe(true)
  process.kill(-child.pid!, 'SIGINT') // Ctrl+C in a terminal signals the whole process group
  expect(await exited(child)).toBe(0)
  expect(await refusesConnections(url)).toBe(true)
  rmSync(data, { recursive: true, force: true })
})

it('refuses a bad port with a clear message and exit code 1', async () => {
  await expect(serve(['--port', 'eighty'])).rejects.toThrow(/exited with 1[\s\S]*Invalid port "eighty"/)
})
