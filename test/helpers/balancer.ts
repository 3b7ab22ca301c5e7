// A plain TCP load balancer for the scale-out tests: round-robin over the nodes, skipping any that
// refuses the connection. WebSocket traffic passes through untouched; no sticky sessions. With one
// node it is a proxy whose connections a test can make go silent, as a sleeping laptop's do.
import net from 'node:net'

export interface Balancer {
  url: string
  /** How many connections each port has been given. */
  counts: Map<number, number>
  /** How many connections to `port` are open now. */
  openTo(port: number): number
  /**
   * The open connections go silent: nothing passes either way and nothing is closed, so neither end
   * notices until its heartbeat times out. New connections work as before.
   */
  freeze(): void
  close(): Promise<void>
}

export async function startBalancer(ports: () => number[]): Promise<Balancer> {
  let turn = 0
  const counts = new Map<number, number>()
  const open = new Set<net.Socket>()
  const pairs = new Set<{ client: net.Socket; upstream: net.Socket; port: number }>()
  const server = net.createServer((client) => {
    open.add(client)
    client.on('close', () => open.delete(client))
    client.on('error', () => client.destroy())
    const targets = ports()
    const attempt = (tries: number): void => {
      if (tries >= targets.length) return void client.destroy()
      const port = targets[turn++ % targets.length]!
      const upstream = net.connect(port, '127.0.0.1')
      let connected = false
      open.add(upstream)
      upstream.once('connect', () => {
        connected = true
        counts.set(port, (counts.get(port) ?? 0) + 1)
        const pair = { client, upstream, port }
        pairs.add(pair)
        upstream.once('close', () => pairs.delete(pair))
        client.pipe(upstream).pipe(client)
      })
      // Refused (a node that is down): try the next one.
      upstream.on('error', () => {
        if (!connected) attempt(tries + 1)
      })
      upstream.on('close', () => {
        open.delete(upstream)
        if (connected) client.destroy()
      })
      client.on('close', () => upstream.destroy())
    }
    attempt(0)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    counts,
    openTo: (target) => [...pairs].filter((p) => p.port === target).length,
    freeze: () => {
      for (const { client, upstream } of pairs) {
        client.unpipe(upstream)
        upstream.unpipe(client)
        client.pause()
        upstream.pause()
      }
    },
    close: async () => {
      for (const s of open) s.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
