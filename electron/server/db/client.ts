// The Prisma client the services use on every engine, and the selections whose rows db/mappers.ts
// turns into wire shapes. Imports no implementation, so everything may import it.
import type { Prisma, PrismaClient } from './generated/sqlite/client'

/** The PostgreSQL client exposes the same model API (both are generated from one schema). */
export type Db = PrismaClient

/** A transaction's client, as `db.$transaction(async (tx) => …)` hands it out. */
export type Tx = Parameters<Parameters<Db['$transaction']>[0]>[0]

/** The columns of a user that may leave the server (never password_hash). */
export const userSelect = { user_id: true, username: true, display_name: true } as const

export const messageInclude = {
  sender: { select: userSelect },
  attachments: { orderBy: { attachment_id: 'asc' } },
  reply_to: { select: { message_id: true, content: true, deleted_at: true, sender: { select: userSelect } } },
  reactions: { select: { emoji: true, user_id: true }, orderBy: [{ created_at: 'asc' }, { user_id: 'asc' }, { emoji: 'asc' }] },
} satisfies Prisma.MessageInclude
