import type { Server as HttpServer } from 'node:http'
import type { Logger } from 'pino'
import { Server, type ServerOptions, type Socket } from 'socket.io'
import type { z } from 'zod'
import { rooms, type ClientToServerEvents, type ServerToClientEvents } from '../../shared/events'
import { AppError, toAck, type Ack } from '../../shared/result'
import { clientEventPayloads } from '../../shared/socket-payloads'
import type { ServerConfig } from '../config'
import { forbidden, parse, publicErrorInfo } from '../errors'
import type { Services } from '../services'
import { consume, type RateLimiters } from '../services/rate-limits'
import type { Actor } from '../services/types'

interface SocketData {
  user: Actor
  /** Conversations this socket joined, to announce user_left when it goes. */
  joined: Set<number>
}

/** How often a node checks the cluster's size. */
export const CLUSTER_WATCH_MS = 1_000

export type ChatServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>
type ChatSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>
/** A client event's payload once its contract schema has parsed it. */
type Payload<E extends keyof ClientToServerEvents> = z.output<(typeof clientEventPayloads)[E]>
// The same record, typed so that indexing it with a generic event gives that event's schema.
const payloadSchemas: { [E in keyof ClientToServerEvents]: z.ZodType<Payload<E>> } = clientEventPayloads

export interface SocketServer {
  io: ChatServer
  /** Resolves when no request to the other nodes is under way (call once closing is set). */
  clusterRequestsSettled(): Promise<void>
}

export function attachSocketServer(
  httpServer: HttpServer,
  deps: {
    services: Services
    config: ServerConfig
    limits: RateLimiters
    logger: Logger
    adapter?: ServerOptions['adapter'] | undefined
    /** Set while the server shuts down: sockets then go without presence or user_left announcements. */
    closing?: { value: boolean }
    /** How far back clients look again when a node leaves the cluster (longer than its heartbeat timeout). */
    resyncWindowMs?: number
  },
): SocketServer {
  const { services, config, limits, logger } = deps
  const io: ChatServer = new Server(httpServer, {
    serveClient: false,
    maxHttpBufferSize: config.bodyMaxBytes,
    cors: config.corsOrigins.length > 0 ? { origin: config.corsOrigins } : undefined,
    ...(deps.adapter ? { adapter: deps.adapter } : {}),
  })

  // Several nodes: when one goes away (killed, cut off), what it stored last may never have been
  // broadcast, so this node's clients look again at the last few seconds. The Redis Streams adapter
  // knows the cluster's size from the subscribers of its channel, which Redis drops with the dead
  // node's connection: a drop in that count is the signal.
  if (deps.adapter) {
    const adapter = io.of('/').adapter
    let known = 0
    const watch = setInterval(() => {
      if (deps.closing?.value) return clearInterval(watch)
      adapter.serverCount().then(
        (count) => {
          if (count < known && !deps.closing?.value) {
            logger.warn({ nodes: count, were: known }, 'a node left the cluster; clients resync')
            io.local.emit('resync', { window_ms: deps.resyncWindowMs ?? 15_000 })
          }
          known = count
        },
        (err: unknown) => logger.warn({ err }, 'cluster size'),
      )
    }, CLUSTER_WATCH_MS)
    watch.unref()
  }

  // Requests to the other nodes under way. The Redis Streams adapter publishes a request without
  // handling a refusal, so closing its Redis client under one is an unhandled rejection: shutdown
  // waits for them (each ends by the adapter's timeout at the latest).
  const clusterRequests = new Set<Promise<unknown>>()

  /**
   * Sockets in these rooms on every node (through the adapter when there are several). A node that
   * died a moment ago may not answer until the cluster forgets it: then this node's own count.
   */
  const socketsIn = async (roomNames: string[]) => {
    // Once closing, this node's own sockets: a cluster request then could outlive the Redis client.
    if (deps.closing?.value) return io.local.in(roomNames).fetchSockets()
    const request = io.in(roomNames).fetchSockets()
    clusterRequests.add(request)
    try {
      return await request
    } catch (err) {
      logger.warn({ err }, 'cluster did not answer; using this node only')
      return io.local.in(roomNames).fetchSockets()
    } finally {
      clusterRequests.delete(request)
    }
  }
  // Presence is where the sockets are: a user is online while any node holds one of their sockets.
  const onlineAmong = async (userIds: number[]): Promise<number[]> => {
    if (userIds.length === 0) return []
    const online = new Set((await socketsIn(userIds.map(rooms.user))).map((s) => s.data.user.user_id))
    return userIds.filter((id) => online.has(id))
  }

  // Every write the service layer commits is broadcast here, whichever door it came in by: to each
  // member's own room, which every socket of theirs is in from the start. (The members are read after
  // the write, so someone removed before it gets nothing of it; a conversation's room, which a socket
  // leaves on its own schedule on another node, carries only who is looking: user_joined, user_left.)
  const membersOf = (participantIds: number[]): string[] => participantIds.map(rooms.user)
  services.events.on('message_created', ({ message, participantIds }) => {
    io.to(membersOf(participantIds)).emit('new_message', message)
  })
  services.events.on('message_read', ({ message, participantIds }) => {
    io.to(membersOf(participantIds)).emit('message_read', message)
  })
  services.events.on('conversation_updated', ({ conversation, participantIds, added, removed }) => {
    const room = rooms.conversation(conversation.conversation_id)
    // Across the cluster: a removed member's sockets leave the room, an added member's join it.
    if (removed.length > 0) io.in(membersOf(removed)).socketsLeave(room)
    if (added.length > 0) io.in(membersOf(added)).socketsJoin(room)
    io.to(membersOf([...participantIds, ...removed])).emit('conversation_updated', conversation)
  })

  io.use(async (socket, next) => {
    const auth = socket.handshake.auth as { token?: unknown } | undefined
    const token = typeof auth?.token === 'string' ? auth.token : undefined
    try {
      const user = await services.accounts.authenticate(token)
      if (!user) {
        const error = new Error('unauthorized: connect with auth: { token } holding a valid token') as Error & { data?: unknown }
        error.data = { code: 'unauthorized', message: 'Sign in again: the token is missing, invalid or expired.' }
        return next(error)
      }
      socket.data.user = user
      socket.data.joined = new Set()
      next()
    } catch (error) {
      next(error as Error)
    }
  })

  const activeUsers = async (conversationId: number): Promise<number[]> => {
    const sockets = await socketsIn([rooms.conversation(conversationId)])
    return [...new Set(sockets.map((s) => s.data.user.user_id))].sort((a, b) => a - b)
  }

  const tellContacts = async (user: Actor, online: boolean): Promise<void> => {
    const contacts = await services.conversations.contactsOf(user.user_id)
    if (contacts.length > 0) io.to(contacts.map(rooms.user)).emit('presence', { user_id: user.user_id, online })
  }

  io.on('connection', (socket: ChatSocket) => {
    const user = socket.data.user
    void socket.join(rooms.user(user.user_id))
    // Said by each node for the user's first socket on it (so once with one node; with several, a
    // repeated `online: true` is harmless). Later sockets cost no query.
    if (io.of('/').adapter.rooms.get(rooms.user(user.user_id))?.size === 1) tellContacts(user, true).catch((err: unknown) => logger.warn({ err }, 'presence'))

    /** Validates the payload with the event's contract schema, runs the handler, and answers the ack with a value or an error. */
    function on<E extends keyof ClientToServerEvents, R extends object>(event: E, handler: (payload: Payload<E>) => Promise<R>): void {
      const schema = payloadSchemas[event]
      socket.on(event, (async (raw: unknown, ack: unknown) => {
        const reply = typeof ack === 'function' ? (ack as (response: Ack<R>) => void) : () => {}
        try {
          reply(toAck({ ok: true, value: await handler(parse(schema, raw, 'payload')) }))
        } catch (error) {
          if (!(error instanceof AppError)) logger.error({ err: error, event }, 'socket event failed')
          reply(toAck({ ok: false, error: publicErrorInfo(error) }))
        }
      }) as never)
    }

    const self = (userId: number): void => {
      if (userId !== user.user_id) throw forbidden('user_id must be your own user id.')
    }

    on('join_conversation', async ({ conversation_id, user_id }) => {
      self(user_id)
      await services.conversations.assertParticipant(user, conversation_id)
      await socket.join(rooms.conversation(conversation_id))
      socket.data.joined.add(conversation_id)
      const active = await activeUsers(conversation_id)
      io.to(rooms.conversation(conversation_id)).emit('user_joined', { user_id, conversation_id, activeUsers: active })
      return { activeUsers: active }
    })

    on('leave_conversation', async ({ conversation_id, user_id }) => {
      self(user_id)
      // Participants only: the answer and the user_left event name who is in the room.
      await services.conversations.assertParticipant(user, conversation_id)
      await socket.leave(rooms.conversation(conversation_id))
      socket.data.joined.delete(conversation_id)
      const active = await activeUsers(conversation_id)
      io.to(rooms.conversation(conversation_id)).emit('user_left', { user_id, conversation_id, activeUsers: active })
      return { activeUsers: active }
    })

    on('send_message', async ({ conversation_id, ...input }) =>
      services.messages.send(user, conversation_id, input),
    )

    on('mark_as_read', async ({ message_id, conversation_id }) => ({
      message: await services.messages.markRead(user, message_id, conversation_id),
    }))

    on('typing', async ({ conversation_id, is_typing }) => {
      const participantIds = await services.conversations.assertParticipant(user, conversation_id)
      await consume(limits.typing, user.user_id, 'Too many typing events')
      socket.to(membersOf(participantIds)).except(rooms.user(user.user_id)).emit('typing', { conversation_id, user_id: user.user_id, is_typing })
      return {}
    })

    on('sync', async ({ after_message_id, limit }) => services.messages.sync(user, after_message_id, limit))

    // Presence is told only about people who share a conversation with the caller.
    on('get_presence', async ({ user_ids }) => {
      const contacts = new Set(await services.conversations.contactsOf(user.user_id))
      return { online: await onlineAmong(user_ids.filter((id) => contacts.has(id))) }
    })

    socket.on('disconnect', () => {
      if (deps.closing?.value) return
      // Still connected here: nothing to say and no need to ask the cluster.
      if (!io.of('/').adapter.rooms.get(rooms.user(user.user_id))?.size) {
        onlineAmong([user.user_id])
          .then((online) => (online.length === 0 ? tellContacts(user, false) : undefined))
          .catch((err: unknown) => logger.warn({ err }, 'presence'))
      }
      for (const conversation_id of socket.data.joined) {
        activeUsers(conversation_id)
          .then((active) => {
            if (!active.includes(user.user_id)) {
              io.to(rooms.conversation(conversation_id)).emit('user_left', { user_id: user.user_id, conversation_id, activeUsers: active })
            }
          })
          .catch((err: unknown) => logger.warn({ err }, 'user_left'))
      }
    })
  })

  return {
    io,
    clusterRequestsSettled: async () => {
      while (clusterRequests.size > 0) await Promise.allSettled([...clusterRequests])
    },
  }
}
