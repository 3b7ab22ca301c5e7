import { execFileSync, spawn } from 'node:child_process'
import path from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { toDiscovered } from '../../electron/main/discovery'

// mDNS is multicast. To keep every packet on this machine, the test makes two network namespaces
// of its own, a host and a joiner, linked by a veth pair with private addresses: nothing can leave.
const id = process.pid % 100000
const HOST_NS = `sbhost${id}`
const JOIN_NS = `sbjoin${id}`
const HOST_IP = '10.77.0.1'
const JOIN_IP = '10.77.0.2'
const ROOT = path.resolve(__dirname, '../..')
const run = (cmd: string[]): string => execFileSync(cmd[0]!, cmd.slice(1), { encoding: 'utf8', cwd: ROOT, timeout: 30_000 })
const inNs = (ns: string, cmd: string[]): string[] => ['ip', 'netns', 'exec', ns, ...cmd]

beforeAll(() => {
  run(['ip', 'netns', 'add', HOST_NS])
  run(['ip', 'netns', 'add', JOIN_NS])
  run(['ip', 'link', 'add', `sbh${id}`, 'netns', HOST_NS, 'type', 'veth', 'peer', 'name', `sbj${id}`, 'netns', JOIN_NS])
  for (const [ns, dev, ip] of [[HOST_NS, `sbh${id}`, HOST_IP], [JOIN_NS, `sbj${id}`, JOIN_IP]] as const) {
    run(inNs(ns, ['ip', 'link', 'set', 'lo', 'up']))
    run(inNs(ns, ['ip', 'addr', 'add', `${ip}/24`, 'dev', dev]))
    run(inNs(ns, ['ip', 'link', 'set', dev, 'up']))
  }
})
afterAll(() => {
  for (const ns of [HOST_NS, JOIN_NS]) run(['ip', 'netns', 'del', ns])
})

it('a joiner finds the servers a host announces as _switchboard._tcp, with the host’s address', async () => {
  const probe = [process.execPath, '--import', 'tsx', 'test/desktop/fixtures/mdns-probe.ts']
  const [cmd, ...args] = inNs(HOST_NS, [...probe, 'advertise', HOST_IP])
  const advertiser = spawn(cmd!, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] })
  await new Promise<void>((resolve, reject) => {
    advertiser.stdout.on('data', (d) => String(d).includes('advertising') && resolve())
    advertiser.on('exit', (code) => reject(new Error(`advertiser exited with ${code}`)))
  })
  const out = run(inNs(JOIN_NS, [...probe, 'browse', JOIN_IP]))
  advertiser.removeAllListeners('exit')
  const stopped = new Promise((resolve) => advertiser.once('exit', resolve))
  advertiser.kill('SIGTERM')
  expect(await stopped).toBe(0)
  const found = JSON.parse(out.trim().split('\n').at(-1)!)
  // Addresses also hold the link's IPv6 link-local address, which the kernel picks.
  expect(found.map((s: { name: string; url: string }) => [s.name, s.url])).toEqual([
    ['Ada’s laptop', `http://${HOST_IP}:47300`],
    ['Office box', `http://${HOST_IP}:47301`],
  ])
  for (const server of found) expect(server.addresses[0]).toBe(HOST_IP)
})

it('prefers an IPv4 address for the URL, falls back to where the answer came from, and skips records without either', () => {
  expect(toDiscovered({ name: 'x', port: 1, host: 'x.local', addresses: ['fe80::1', '192.168.1.9'], txt: {} })).toEqual({ name: 'x', url: 'http://192.168.1.9:1', addresses: ['192.168.1.9', 'fe80::1'] })
  expect(toDiscovered({ name: 'v6', port: 2, host: 'v6.local', addresses: ['fd00::2'], txt: {} })?.url).toBe('http://[fd00::2]:2')
  expect(toDiscovered({ name: 'r', port: 4, host: 'r.local', addresses: [], txt: {}, referer: { address: '10.0.0.7', family: 'IPv4', port: 5353, size: 1 } })?.url).toBe('http://10.0.0.7:4')
  expect(toDiscovered({ name: 'none', port: 3, host: 'n.local', addresses: [], txt: {} })).toBeNull()
})
