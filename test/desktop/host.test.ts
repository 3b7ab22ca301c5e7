import { afterEach, expect, it } from 'vitest'
import { serverArgs, startEmbeddedServer, type EmbeddedServer } from '../../electron/main/host'
import { Api, pair } from '../helpers/api'
import { forkServer } from '../helpers/fork-server'
import { tempDir } from '../helpers/server'

const running: EmbeddedServer[] = []
afterEach(async () => {
  for (const s of running.splice(0)) await s.stop(2000)
})

it('starts the embedded server in its own process on loopback, and stops it gracefully with the data kept', async () => {
  const dataDir = tempDir()
  const server = await startEmbeddedServer(forkServer, { dataDir, lan: false, port: 0 })
  running.push(server)
  expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
  const { ada, conversationId } = await pair(server.url)
  await ada.api.post(`/api/messages/${conversationId}`, { content: 'hosted', sender_id: ada.user.user_id })
  const exits: (number | null)[] = []
  server.onExit((code) => exits.push(code))
  await server.stop()
  expect(exits).toEqual([0])
  await expect(fetch(`${server.url}/api/health`)).rejects.toThrow()

  const again = await startEmbeddedServer(forkServer, { dataDir, lan: false, port: server.port })
  running.push(again)
  expect(again.url).toBe(server.url)
  const history = await new Api(again.url, ada.token).get(`/api/messages/${conversationId}`)
  expect(history.body.map((m: { content: string }) => m.content)).toEqual(['hosted'])
})

it('binds all interfaces only when shared on the LAN', () => {
  expect(serverArgs({ dataDir: '/d', lan: false, port: 47300 })).toEqual(['--host', '127.0.0.1', '--port', '47300', '--data', '/d'])
  expect(serverArgs({ dataDir: '/d', lan: true, port: 0, migrationsDir: '/m' })).toEqual(['--host', '0.0.0.0', '--port', '0', '--data', '/d', '--migrations', '/m'])
})

it('reports a server that cannot start, with its reason', async () => {
  const blocker = await startEmbeddedServer(forkServer, { dataDir: tempDir(), lan: false, port: 0 })
  running.push(blocker)
  await expect(startEmbeddedServer(forkServer, { dataDir: tempDir(), lan: false, port: blocker.port })).rejects.toThrow(/could not start: .*EADDRINUSE/)
})
