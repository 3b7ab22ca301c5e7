import type { AddressInfo } from 'node:net'
import cors from '@fastify/cors'
import helmet from '@fastify/helmet'
import multipart from '@fastify/multipart'
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify'
import pino, { type Logger } from 'pino'
import { loadOrCreateSecret, createTokenService } from './auth/tokens'
import { defaultConfig, type ServerConfig } from './config'
import { openPostgres, openSqlite, type Database } from './db/database'
import { requireAuth } from './http/auth'
import { installErrorHandlers } from './http/errors'
import { recordRoutes, type RouteEntry } from './http/route-list'
import { chatRoutes } from './http/routes/chat'
import { groupRoutes } from './http/routes/groups'
import { fileRoutes } from './http/routes/files'
import { publicRoutes } from './http/routes/public'
import { webClientRoutes } from './http/routes/web-client'
import { actionRoutes } from './http/routes/actions'
import { searchRoutes } from './http/routes/search'
import type { Tx } from './db/client'
import { attachSocketServer, type ChatServer } from './realtime/socket-server'
import { createServices, type Services } from './services'
import { cspDirectives } from '../shared/csp'
import { connectRedis } from './realtime/redis'
import { memoryRateLimiters, type RateLimiters } from './services/rate-limits'

/** No remote content: everything the web client needs comes from this origin. */
export interface CreateServerOptions {
  config?: Partial<ServerConfig>
  /** An open database; by default the data folder's SQLite file, migrated at start. */
  database?: Database
  logger?: Logger
  limits?: RateLimiters
}

export interface SwitchboardServer {
  config: ServerConfig
  services: Services
  database: Database
  http: FastifyInstance
  /** Every HTTP route, as registered (GET routes come with their HEAD twins). */
  routes: readonly RouteEntry[]
  io: ChatServer
  logger: Logger
  /** Starts listening; resolves with the base URL (`http://host:port`). */
  listen(): Promise<string>
  /** The base URL once listening. */
  readonly url: string
  /** Refuses new writes, finishes those under way, disconnects everyone, closes the database. */
  close(): Promise<void>
}

/** Builds a whole server from its dependencies; the CLI, the desktop app and the tests call this. */
export async function createServer(options: CreateServerOptions = {}): Promise<SwitchboardServer> {
  const config = defaultConfig(options.config)
  const logger = options.logger ?? pino({ level: config.logLevel, base: { service: 'switchboard' } })
  const database =
    options.database ??
    (config.databaseUrl
      ? await openPostgres({ url: config.databaseUrl, migrationsDir: config.migrationsDir, searchIndex: config.searchIndex })
      : await openSqlite({ dataDir: config.dataDir, migrationsDir: config.migrationsDir, searchIndex: config.searchIndex }))
  if (database.migrations.applied.length > 0) logger.info({ applied: database.migrations.applied }, 'database migrated')
  if (database.migrations.search === 'rebuilt') logger.info('search index rebuilt (it was turned off before)')
  if (database.migrations.search === 'marked stale') logger.warn('search index turned off: searches answer 503 until a start with it on rebuilds it')
  const tokens = createTokenService(loadOrCreateSecret(config.dataDir), config.tokenTtl)
  // Several nodes: Redis carries the socket traffic between them and holds the shared rate limits.
  const redis = config.redisUrl ? await connectRedis(config.redisUrl, config, logger) : null
  const limits = options.limits ?? redis?.limits ?? memoryRateLimiters(config)
  // A catch-up page reads in one snapshot: REPEATABLE READ on PostgreSQL (READ COMMITTED, its default,
  // sees each statement's own moment); a SQLite transaction reads one moment already.
  // (The Db type is SQLite's client, whose only level is Serializable; PostgreSQL's client takes this one.)
  const transaction = database.db.$transaction.bind(database.db) as unknown as <T>(work: (tx: Tx) => Promise<T>, options?: { isolationLevel: 'RepeatableRead' }) => Promise<T>
  const snapshot = <T>(work: (tx: Tx) => Promise<T>): Promise<T> => transaction(work, database.engine === 'postgres' ? { isolationLevel: 'RepeatableRead' } : undefined)
  const services = createServices({ db: database.db, writer: database.writer, inbox: database.inbox, search: database.search, config, tokens, limits, snapshot })

  const http: FastifyInstance = Fastify({ loggerInstance: logger as FastifyBaseLogger, bodyLimit: config.bodyMaxBytes, trustProxy: false,
    // Refusals by the framework itself (a path parameter over the router's limit, say) answer in our shape too.
    frameworkErrors: (error: FastifyError, _request: FastifyRequest, reply: FastifyReply) => {
      void reply.status(error.statusCode && error.statusCode < 500 ? error.statusCode : 400).send({ error: { code: 'bad_request', message: error.message } })
    },
    // One line per request drowns the log of a busy chat server; debug level brings them back.
    logController: new LogController({ disableRequestLogging: config.logLevel !== 'debug' }),
  })
  const routes = recordRoutes(http)
  installErrorHandlers(http)
  await http.register(helmet, {
    crossOriginResourcePolicy: { policy: 'same-origin' },
    // A LAN server usually speaks plain HTTP: HSTS and upgrade-insecure-requests would lock browsers out.
    strictTransportSecurity: false,
    contentSecurityPolicy: { useDefaults: false, directives: cspDirectives() },
  })
  if (config.corsOrigins.length > 0) await http.register(cors, { origin: config.corsOrigins })
  await http.register(multipart, { limits: { fileSize: config.uploadMaxBytes, files: 1, fields: 10, parts: 11 } })
  publicRoutes(http, services)
  await http.register(async (scope) => {
    requireAuth(scope, services)
    chatRoutes(scope, services)
    groupRoutes(scope, services)
    actionRoutes(scope, services)
    searchRoutes(scope, services)
    fileRoutes(scope, services, config, limits)
  })
  await webClientRoutes(http, config.webRoot)
  await http.ready()
  const closingFlag = { value: false }
  const sockets = attachSocketServer(http.server, {
    services,
    config,
    limits,
    logger,
    adapter: redis?.adapter,
    closing: closingFlag,
    resyncWindowMs: 15_000,
    feedPosition: () => database.writer.position(),
  })
  const io = sockets.io

  let url = ''
  let closing: Promise<void> | undefined
  return {
    config,
    services,
    database,
    http,
    routes,
    io,
    logger,
    get url() {
      return url
    },
    async listen() {
      await http.listen({ host: config.host, port: config.port })
      const { port } = http.server.address() as AddressInfo
      const host = config.host.includes(':') ? `[${config.host}]` : config.host
      url = `http://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${port}`
      return url
    },
    close() {
      closing ??= (async () => {
        await services.writes.drain()
        closingFlag.value = true
        // This node's sockets only: io.disconnectSockets would go through the adapter and
        // disconnect every client of the cluster.
        io.local.disconnectSockets(true)
        io.engine.close()
        sockets.stopFeed()
        if (redis) {
          // Lets requests to the other nodes finish, tells them this one is gone, stops reading the
          // stream, then lets Redis go.
          await sockets.clusterRequestsSettled()
          await io.of('/').adapter.close()
          await redis.close()
        }
        // Writes are done: no open connection (a keep-alive one, a download) may hold the close.
        http.server.closeAllConnections()
        await http.close()
        await database.close()
      })()
      return closing
    },
  }
}
