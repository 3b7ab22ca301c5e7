// Several nodes, one chat: the Socket.IO adapter on Redis Streams carries broadcasts, room
// membership queries (presence, activeUsers) and typing between nodes, and the rate limits count in
// Redis so a user cannot multiply them by spreading over nodes.
//
// Why the Streams adapter rather than the classic Pub/Sub one: Pub/Sub drops whatever is published
// while a node's subscription is down, so a short Redis outage loses broadcasts; the Streams adapter
// reads from where it stopped when the connection returns (bounded by maxLen).
import { createAdapter } from '@socket.io/redis-streams-adapter'
import type { Logger } from 'pino'
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract } from 'rate-limiter-flexible'
import { createClient } from 'redis'
import type { RateLimit, ServerConfig } from '../config'
import type { RateLimiters } from '../services/rate-limits'

export interface RedisLink {
  adapter: ReturnType<typeof createAdapter>
  limits: RateLimiters
  close(): Promise<void>
}

export async function connectRedis(url: string, config: ServerConfig, logger: Logger): Promise<RedisLink> {
  const client = createClient({ url, socket: { reconnectStrategy: (retries) => Math.min(100 * 2 ** retries, 2_000) } })
  client.on('error', (err: unknown) => logger.warn({ err }, 'redis'))
  await client.connect()
  const limiter = (limit: RateLimit, keyPrefix: string): RateLimiterAbstract =>
    new RateLimiterRedis({
      storeClient: client,
      useRedisPackage: true,
      points: limit.points,
      duration: limit.windowSeconds,
      keyPrefix: `${config.redisPrefix}:${keyPrefix}`,
      // While Redis is away, each node counts on its own rather than refusing everyone.
      insuranceLimiter: new RateLimiterMemory({ points: limit.points, duration: limit.windowSeconds }),
    })
  return {
    adapter: createAdapter(client, { streamName: config.redisPrefix, channelPrefix: config.redisPrefix, sessionKeyPrefix: `${config.redisPrefix}:session:`, maxLen: 100_000, blockTimeInMs: 1_000 }),
    limits: {
      send: limiter(config.sendRate, 'send'),
      loginFailures: limiter(config.loginFailures, 'login'),
      loginFailuresPerAddress: limiter(config.loginFailuresPerAddress, 'login-address'),
      register: limiter(config.registerRate, 'register'),
      typing: limiter(config.typingRate, 'typing'),
      upload: limiter(config.uploadRate, 'upload'),
      groups: limiter(config.groupRate, 'groups'),
      search: limiter(config.searchRate, 'search'),
    },
    close: async () => {
      await client.quit().catch(() => client.destroy())
    },
  }
}
