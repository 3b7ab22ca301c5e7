import { readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { afterAll, expect, it } from 'vitest'
import { Api, pair } from '../helpers/api'
import { startServer, type TestServer } from '../helpers/server'

const servers: TestServer[] = []
afterAll(async () => {
  for (const s of servers) await s.close().catch(() => {})
})

it('keeps users, conversations, messages and tokens across a restart, without re-applying migrations', async () => {
  const first = await startServer()
  const { ada, bob, conversationId } = await pair(first.url)
  const sent = (await ada.api.post(`/api/messages/${conversationId}`, { content: 'remember me', sender_id: ada.user.user_id })).body
  expect(first.server.database.migrations.applied.length).toBeGreaterThan(0)
  const secret = readFileSync(path.join(first.dataDir, 'jwt-secret'), 'utf8')
  expect(statSync(path.join(first.dataDir, 'jwt-secret')).mode & 0o777).toBe(0o600)
  await first.close({ keepData: true })

  const second = await startServer({ dataDir: first.dataDir })
  servers.push(second)
  expect(second.server.database.migrations.applied).toEqual([])
  expect(second.server.database.migrations.alreadyApplied).toEqual(first.server.database.migrations.applied)
  expect(readFileSync(path.join(first.dataDir, 'jwt-secret'), 'utf8')).toBe(secret)
  // The old token still works: the secret was kept.
  const api = new Api(second.url, bob.token)
  const history = (await api.get(`/api/messages/${conversationId}`)).body
  expect(history).toEqual([sent])
  const login = await new Api(second.url).post('/api/auth/login', { username: ada.user.username, password: 'correct horse battery' })
  expect(login.status).toBe(200)
})
