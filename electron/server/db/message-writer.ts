import type { Db } from './database'

/** A message to store, with its attachments (already resolved to the sender's own uploads). */
export interface NewMessage {
  conversation_id: number
  sender_id: number
  content: string
  client_id: string | null
  attachments: { file_url: string; file_name: string; file_type: string; size: number }[]
}

export interface StoredMessage {
  message_id: number
  attachment_ids: number[]
}

/**
 * The hot path of sending: one transaction per batch. `existing` finds client_ids already stored
 * (retries); `insert` stores the batch, bumps the conversations, and returns the new ids in order.
 */
export interface MessageWriter {
  existing(keys: { sender_id: number; client_id: string }[]): Promise<{ sender_id: number; client_id: string; message_id: number }[]>
  insert(messages: NewMessage[], at: Date): Promise<StoredMessage[]>
}

/** Through Prisma: works on every database Prisma drives (the PostgreSQL scale-out uses it). */
export class PrismaMessageWriter implements MessageWriter {
  constructor(private readonly db: Db) {}

  async existing(keys: { sender_id: number; client_id: string }[]) {
    if (keys.length === 0) return []
    const rows = await this.db.message.findMany({
      where: { sender_id: { in: [...new Set(keys.map((k) => k.sender_id))] }, client_id: { in: keys.map((k) => k.client_id) } },
      select: { message_id: true, sender_id: true, client_id: true },
    })
    return rows.map((r) => ({ sender_id: r.sender_id, client_id: r.client_id as string, message_id: r.message_id }))
  }

  /** Runs first in each insert's transaction. */
  protected async beforeInsert(_tx: Parameters<Parameters<Db['$transaction']>[0]>[0]): Promise<void> {}

  insert(messages: NewMessage[], at: Date): Promise<StoredMessage[]> {
    return this.db.$transaction(async (tx) => {
      await this.beforeInsert(tx)
      const created = await tx.message.createManyAndReturn({
        data: messages.map((m) => ({ conversation_id: m.conversation_id, sender_id: m.sender_id, content: m.content, client_id: m.client_id, created_at: at })),
        select: { message_id: true },
      })
      // Ids grow with insertion order, so sorted ids line up with the rows as given.
      const ids = created.map((r) => r.message_id).sort((a, b) => a - b)
      const attachmentRows = messages.flatMap((m, i) => m.attachments.map((a) => ({ ...a, message_id: ids[i]! })))
      const attachments = attachmentRows.length ? await tx.messageAttachment.createManyAndReturn({ data: attachmentRows, select: { attachment_id: true, message_id: true } }) : []
      await tx.conversation.updateMany({ where: { conversation_id: { in: [...new Set(messages.map((m) => m.conversation_id))] } }, data: { updated_at: at } })
      return ids.map((message_id) => ({
        message_id,
        attachment_ids: attachments.filter((a) => a.message_id === message_id).map((a) => a.attachment_id).sort((a, b) => a - b),
      }))
    })
  }
}

/**
 * PostgreSQL hands out ids from a sequence when a row is inserted, but transactions on several nodes
 * commit in any order: id 11 could become visible before id 10, and a client catching up "after 11"
 * would never see 10. One transaction-scoped advisory lock makes message inserts commit in id order
 * across every node (the batches stay large, so the lock is taken once per event-loop turn per node).
 */
export class PostgresMessageWriter extends PrismaMessageWriter {
  static readonly LOCK_KEY = 0x5357_4244 // "SWBD"

  protected override async beforeInsert(tx: Parameters<Parameters<Db['$transaction']>[0]>[0]): Promise<void> {
    await tx.$queryRawUnsafe(`SELECT pg_advisory_xact_lock(${PostgresMessageWriter.LOCK_KEY})::text AS locked`)
  }
}
