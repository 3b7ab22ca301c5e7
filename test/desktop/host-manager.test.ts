import { describe, expect, it, vi } from 'vitest'
import type { ServerProcess, SpawnServer } from '../../electron/main/host'
import { HostManager, type HostManagerDeps } from '../../electron/main/host-manager'

/** A stand-in for the server process: it answers `ready` on the port asked for, unless that port is taken. */
function fakeServers(taken: number[] = []) {
  const started: { args: string[]; port: number; exit(code: number | null): void; stopped: boolean }[] = []
  let nextFree = 50_000
  const spawn: SpawnServer = (args) => {
    const asked = Number(args[args.indexOf('--port') + 1])
    const exitListeners: ((code: number | null) => void)[] = []
    const messageListeners: ((message: unknown) => void)[] = []
    const exit = (code: number | null) => exitListeners.forEach((l) => l(code))
    const record = { args, port: asked === 0 ? nextFree++ : asked, exit, stopped: false }
    started.push(record)
    const child: ServerProcess = {
      onMessage: (l) => void messageListeners.push(l),
      onExit: (l) => void exitListeners.push(l),
      postMessage: (m) => {
        if ((m as { type?: string }).type === 'stop') {
          record.stopped = true
          exit(0)
        }
      },
      kill: () => exit(null),
    }
    queueMicrotask(() => {
      if (taken.includes(asked)) {
        messageListeners.forEach((l) => l({ type: 'error', message: `listen EADDRINUSE: address already in use 127.0.0.1:${asked}` }))
        exit(1)
      } else messageListeners.forEach((l) => l({ type: 'ready', url: `http://127.0.0.1:${record.port}` }))
    })
    return child
  }
  return { spawn, started }
}

function manager(spawn: SpawnServer, over: Partial<HostManagerDeps> = {}) {
  const advertised: { name: string; port: number; version: string; stopped: boolean }[] = []
  const warnings: string[] = []
  const deps: HostManagerDeps = {
    spawnServer: spawn,
    dataDir: '/data/server',
    preferences: () => ({ port: 47300, name: null }),
    advertise: (server) => {
      const ad = { ...server, stopped: false }
      advertised.push(ad)
      return { stop: async () => void (ad.stopped = true) }
    },
    lanAddresses: () => ['192.168.1.20'],
    hostName: () => 'this-computer',
    version: '0.1.0',
    log: { warn: (m) => void warnings.push(m) },
    ...over,
  }
  return { hosting: new HostManager(deps), advertised, warnings }
}

describe('the host manager', () => {
  it('hosts on this computer on the usual port, with no LAN addresses and nothing announced', async () => {
    const { spawn, started } = fakeServers()
    const { hosting, advertised } = manager(spawn, { migrationsDir: '/m' })
    expect(await hosting.start(false)).toBe('http://127.0.0.1:47300')
    expect(started[0]!.args).toEqual(['--host', '127.0.0.1', '--port', '47300', '--data', '/data/server', '--migrations', '/m'])
    expect(hosting.url).toBe('http://127.0.0.1:47300')
    expect(hosting.lanUrls()).toEqual([])
    expect(advertised).toEqual([])
  })

  it('takes any free port when the usual one is taken', async () => {
    const { spawn, started } = fakeServers([47300])
    const { hosting } = manager(spawn)
    expect(await hosting.start(false)).toBe('http://127.0.0.1:50000')
    expect(started.map((s) => s.args[3])).toEqual(['47300', '0'])
  })

  it('shares on the LAN: all interfaces, announced under the chosen name, with the addresses others join', async () => {
    const { spawn, started } = fakeServers()
    const { hosting, advertised } = manager(spawn, { preferences: () => ({ port: 47301, name: 'Office' }) })
    await hosting.start(true)
    expect(started[0]!.args.slice(0, 2)).toEqual(['--host', '0.0.0.0'])
    expect(advertised).toEqual([{ name: 'Office', port: 47301, version: '0.1.0', stopped: false }])
    expect(hosting.lanUrls()).toEqual(['http://192.168.1.20:47301'])
    // Back to this computer only: the announcement and the first server stop.
    await hosting.start(false)
    expect(advertised[0]!.stopped).toBe(true)
    expect(started[0]!.stopped).toBe(true)
    expect(hosting.lanUrls()).toEqual([])
  })

  it('starts the server again when it stops by itself, and says where it runs now', async () => {
    const { spawn, started } = fakeServers()
    const { hosting, warnings } = manager(spawn)
    const restarted: string[] = []
    hosting.events.on('restarted', (url) => restarted.push(url))
    await hosting.start(false)
    started[0]!.exit(1)
    await vi.waitFor(() => expect(restarted).toEqual(['http://127.0.0.1:47300']))
    expect(started).toHaveLength(2)
    expect(warnings).toEqual(['embedded server stopped unexpectedly; restarting'])
  })

  it('does not restart a server it was asked to stop', async () => {
    const { spawn, started } = fakeServers()
    const { hosting, advertised } = manager(spawn)
    await hosting.start(true)
    await hosting.stop()
    expect(started[0]!.stopped).toBe(true)
    expect(advertised[0]!.stopped).toBe(true)
    expect(hosting.url).toBeNull()
    // A start after the stop (the sentinel): a restart, begun in the exit listener, would have spawned before it.
    await hosting.start(false)
    expect(started).toHaveLength(2)
    await hosting.close()
    expect(started[1]!.stopped).toBe(true)
  })
})
