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
import { FeedOrder, type FeedEntry } from './feed-order'

interface SocketData {
  user: Actor
  /** Conversations this socket joined, to announce user_left when it goes. */
  joined: Set<number>
}

/** How often a node checks the cluster's size. */
export const CLUSTER_WATCH_MS = 1_000

/** What nodes tell each other (besides what the adapter carries for broadcasts): the changes each commits. */
interface NodeEvents {
  feed(entries: FeedEntry[]): void
}

export type ChatServer = Server<ClientToServerEvents, ServerToClientEvents, NodeEvents, SocketData>
type ChatSocket = Socket<ClientToServerEvents, ServerToClientEvents, NodeEvents, SocketData>
/** A client event's payload once its contract schema has parsed it. */
type Payload<E extends keyof ClientToServerEvents> = z.output<(typeof clientEventPayloads)[E]>
// The same record, typed so that indexing it with a generic event gives that event's schema.
const payloadSchemas: { [E in keyof ClientToServerEvents]: z.ZodType<Payload<E>> } = clientEventPayloads

export interface SocketServer {
  io: ChatServer
  /** Resolves when no request to the other nodes is under way (call once closing is set). */
  clusterRequestsSettled(): Promise<void>
  /** Stops delivering the change feed (closing). */
  stopFeed(): void
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
    /** The last position of the change feed committed before this node listens. */
    feedPosition: () => Promise<number>
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

  // Every write the service layer commits is delivered from here, whichever door it came in by, in
  // the order of the change feed (feed-order.ts): this node's own commits at once, the other nodes'
  // as the adapter brings them; each node tells only its own sockets. Delivery goes to each member's
  // own room, which every socket of theirs is in from the start. (The members are read after the
  // write, so someone removed before it gets nothing of it; a conversation's room carries only who is
  // looking: user_joined, user_left.)
  const membersOf = (participantIds: number[]): string[] => participantIds.map(rooms.user)
  const deliver = (entry: FeedEntry): void => {
    const local = io.local
    const to = local.to(membersOf(entry.to))
    const at = { seq: entry.seq }
    switch (entry.event) {
      case 'conversation_updated': {
        const room = rooms.conversation(entry.payload.conversation_id)
        // A removed member's sockets leave the room, an added member's join it.
        if (entry.removed.length > 0) local.in(membersOf(entry.removed)).socketsLeave(room)
        if (entry.added.length > 0) local.in(membersOf(entry.added)).socketsJoin(room)
        return void to.emit('conversation_updated', entry.payload, at)
      }
      case 'new_message':
        return void to.emit('new_message', entry.payload, at)
      case 'message_read':
        return void to.emit('message_read', entry.payload, at)
      case 'message_updated':
        return void to.emit('message_updated', entry.payload, at)
      case 'message_deleted':
        return void to.emit('message_deleted', entry.payload, at)
      case 'reaction_updated':
        return void to.emit('reaction_updated', entry.payload, at)
    }
  }
  const feed = new FeedOrder(
    deliver,
    (from, to) => {
      logger.warn({ from, to }, 'changes never heard of; this node’s clients catch up')
      io.local.emit('resync', { window_ms: deps.resyncWindowMs ?? 15_000, after_seq: from - 1 })
    },
    config.feedGapMs,
  )
  // This node's commits go to the others in one message per turn of the event loop.
  let outgoing: FeedEntry[] = []
  const announce = (entry: FeedEntry): void => {
    feed.add([entry])
    if (!deps.adapter) return
    if (outgoing.length === 0) {
      queueMicrotask(() => {
        const batch = outgoing
        outgoing = []
        io.serverSideEmit('feed', batch)
      })
    }
    outgoing.push(entry)
  }
  io.on('feed', (entries) => feed.add(entries))
  services.events.on('message_created', ({ seq, message, participantIds }) => announce({ seq, event: 'new_message', payload: message, to: participantIds }))
  services.events.on('message_read', ({ seq, message, participantIds }) => announce({ seq, event: 'message_read', payload: message, to: participantIds }))
  services.events.on('conversation_updated', ({ seq, conversation, participantIds, added, removed }) =>
    announce({ seq, event: 'conversation_updated', payload: conversation, to: [...participantIds, ...removed], added, removed }),
  )
  services.events.on('message_updated', ({ seq, message, participantIds }) => announce({ seq, event: 'message_updated', payload: message, to: participantIds }))
  services.events.on('message_deleted', ({ seq, message, participantIds }) => announce({ seq, event: 'message_deleted', payload: message, to: participantIds }))
  services.events.on('reaction_updated', ({ seq, reaction, participantIds }) => announce({ seq, event: 'reaction_updated', payload: reaction, to: participantIds }))
  // Where the feed stood once this node listens: what committed before is not this node's to tell.
  deps.feedPosition().then(
    (position) => feed.start(position),
    (err: unknown) => logger.error({ err }, 'feed position'),
  )

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

    on('sync', async ({ after_message_id, after_seq, limit }) =>
      after_seq === undefined ? services.messages.sync(user, after_message_id!, limit) : services.changes.since(user, after_seq, limit),
    )

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
    stopFeed: () => feed.close(),
    clusterRequestsSettled: async () => {
      while (clusterRequests.size > 0) await Promise.allSettled([...clusterRequests])
    },
  }
}
