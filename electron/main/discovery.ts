// LAN discovery over mDNS/DNS-SD: a host announces `_switchboard._tcp`, a joiner lists what answers.
// Plain Node (bonjour-service), so it is tested without Electron.
import { Bonjour, type Service } from 'bonjour-service'
import type { DiscoveredServer } from '../shared/messenger-api'

export const SERVICE_TYPE = 'switchboard'

/** multicast-dns options, e.g. `{ interface: '127.0.0.1' }` to keep traffic on one interface. */
export type MdnsOptions = Record<string, unknown>

const isIPv4 = (address: string): boolean => /^\d{1,3}(\.\d{1,3}){3}$/.test(address)

/** A service record as the app shows it: IPv4 first (what people type), one URL per server. */
export function toDiscovered(service: Pick<Service, 'name' | 'port' | 'addresses' | 'host' | 'txt' | 'referer'>): DiscoveredServer | null {
  // Some responders send no address records; the address the answer came from is the host's.
  const announced = service.addresses?.length ? service.addresses : service.referer ? [service.referer.address] : []
  const addresses = [...announced].sort((a, b) => Number(isIPv4(b)) - Number(isIPv4(a)))
  const first = addresses[0]
  if (!first || !service.port) return null
  const host = isIPv4(first) ? first : `[${first}]`
  return { name: service.name, url: `http://${host}:${service.port}`, addresses }
}

export interface Advertisement {
  stop(): Promise<void>
}

export function advertise(server: { name: string; port: number; version: string }, mdns: MdnsOptions = {}): Advertisement {
  const bonjour = new Bonjour(mdns as never)
  bonjour.publish({ name: server.name, type: SERVICE_TYPE, port: server.port, txt: { version: server.version, api: '/api' } })
  return {
    stop: () =>
      new Promise((resolve) => {
        bonjour.unpublishAll(() => bonjour.destroy(() => resolve()))
      }),
  }
}

/** Listens for `timeoutMs` and returns every Switchboard server that answered. */
export function browse(timeoutMs = 1500, mdns: MdnsOptions = {}): Promise<DiscoveredServer[]> {
  const bonjour = new Bonjour(mdns as never)
  const found = new Map<string, DiscoveredServer>()
  const browser = bonjour.find({ type: SERVICE_TYPE }, (service) => {
    const server = toDiscovered(service)
    if (server) found.set(server.url, server)
  })
  return new Promise((resolve) => {
    setTimeout(() => {
      browser.stop()
      bonjour.destroy()
      resolve([...found.values()].sort((a, b) => a.name.localeCompare(b.name)))
    }, timeoutMs)
  })
}
