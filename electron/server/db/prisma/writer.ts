import type { Db, Tx } from '../client'
import type { ClientKey, MessageWriter, NewMessage, StoredMessage } from '../ports'

/** Through Prisma: works on every database Prisma drives (the PostgreSQL scale-out uses it). */
export class PrismaMessageWriter implements MessageWriter {
  constructor(private readonly db: Db) {}

  async existing(keys: ClientKey[]): Promise<(ClientKey & { message_id: number })[]> {
    if (keys.length === 0) return []
    const rows = await this.db.message.findMany({
      where: { sender_id: { in: [...new Set(keys.map((k) => k.sender_id))] }, client_id: { in: keys.map((k) => k.client_id) } },
      select: { message_id: true, sender_id: true, client_id: true },
    })
    // The query matches every sender with every client_id asked: keep the pairs asked, in their order.
    const found = new Map(rows.map((r) => [`${r.sender_id}|${r.client_id}`, r.message_id]))
    return keys.flatMap((k) => {
      const message_id = found.get(`${k.sender_id}|${k.client_id}`)
      return message_id === undefined ? [] : [{ sender_id: k.sender_id, client_id: k.client_id, message_id }]
    })
  }

  /** Runs first in each insert's transaction. */
  protected async beforeInsert(_tx: Tx): Promise<void> {}

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

  protected override async beforeInsert(tx: Tx): Promise<void> {
    await tx.$queryRawUnsafe(`SELECT pg_advisory_xact_lock(${PostgresMessageWriter.LOCK_KEY})::text AS locked`)
  }
}
