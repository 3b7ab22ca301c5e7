import type { MemberRole } from '../../../shared/dto'
import type { Db, Tx } from '../client'
import { indexText, isSearchable } from '../../../shared/search-text'
import { quoteIdent } from '../migrate-postgres'
import type { ClientKey, DeleteOutcome, EditOutcome, GroupTx, MessageWriter, NewMessage, ReactOutcome, ReadMove, StoredMessage } from '../ports'

/** How long a group change's transaction may take (Prisma's interactive transactions default to 5 s). */
const GROUP_CHANGE_TIMEOUT_MS = 60_000

/**
 * Takes the next `count` positions in the change feed; returns the last. The update holds the row
 * until commit, so a later transaction's positions wait for this one's.
 */
async function advance(tx: Tx, count: number): Promise<number> {
  const row = await tx.changeFeed.upsert({ where: { id: 1 }, create: { id: 1, seq: count }, update: { seq: { increment: count } }, select: { seq: true } })
  return row.seq
}

/**
 * is_read for a conversation's messages from its current members' read positions: below the lowest
 * every member has read, but for the messages of whoever holds it, read below the second lowest (a
 * sender need not have read their own).
 */
async function settle(tx: Tx, conversationId: number): Promise<void> {
  const [low, next] = await tx.conversationParticipant.findMany({
    where: { conversation_id: conversationId, removed_at: null },
    select: { user_id: true, last_read_message_id: true },
    orderBy: [{ last_read_message_id: { sort: 'asc', nulls: 'first' } }],
    take: 2,
  })
  if (!low) return
  await tx.message.updateMany({
    where: {
      conversation_id: conversationId,
      is_read: false,
      OR: [
        { sender_id: { not: low.user_id }, message_id: { lte: low.last_read_message_id ?? 0 } },
        { sender_id: low.user_id, message_id: { lte: next?.last_read_message_id ?? 0 } },
      ],
    },
    data: { is_read: true },
  })
}

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

  /** Runs first in each writing transaction. */
  protected async beforeWrite(_tx: Tx): Promise<void> {}

  /** Puts an edited message's text in the search index, or takes a deleted one out (null); an engine with an index says how. */
  protected async reindex(_tx: Tx, _messageId: number, _content: string | null): Promise<void> {}

  insert(messages: NewMessage[], at: Date): Promise<(StoredMessage | null)[]> {
    return this.db.$transaction(async (tx) => {
      await this.beforeWrite(tx)
      return this.storeMessages(tx, messages, at)
    })
  }

  /**
   * Stores the messages whose sender is a current member (the server's notices always), in order,
   * each with the next position in the change feed; null for a refused one. A send that waited while
   * its sender was removed is refused (the removal takes the same lock, so the check is not stale).
   */
  protected async storeMessages(tx: Tx, messages: NewMessage[], at: Date): Promise<(StoredMessage | null)[]> {
    const pairs = [...new Set(messages.map((m) => `${m.conversation_id}|${m.sender_id}`))].map((k) => k.split('|').map(Number) as [number, number])
    const active = await tx.conversationParticipant.findMany({
      where: { removed_at: null, OR: pairs.map(([conversation_id, user_id]) => ({ conversation_id, user_id })) },
      select: { conversation_id: true, user_id: true },
    })
    const members = new Set(active.map((a) => `${a.conversation_id}|${a.user_id}`))
    const accepted = messages.filter((m) => m.system || members.has(`${m.conversation_id}|${m.sender_id}`))
    const stored = await this.store(tx, accepted, at)
    const byMessage = new Map(accepted.map((m, i) => [m, stored[i]!]))
    return messages.map((m) => byMessage.get(m) ?? null)
  }

  /** Stores each message's attachments; ids in the order given, per message. */
  protected async storeAttachments(tx: Tx, messages: NewMessage[], ids: number[]): Promise<number[][]> {
    const rows = messages.flatMap((m, i) => m.attachments.map((a) => ({ ...a, message_id: ids[i]! })))
    const created = rows.length ? await tx.messageAttachment.createManyAndReturn({ data: rows, select: { attachment_id: true, message_id: true } }) : []
    return ids.map((message_id) => created.filter((a) => a.message_id === message_id).map((a) => a.attachment_id).sort((a, b) => a - b))
  }

  changeGroup<T>(work: (tx: GroupTx) => Promise<T>): Promise<T> {
    return this.db.$transaction(
      async (tx) => {
        await this.beforeWrite(tx)
        return work(this.groupTx(tx))
      },
      // A group made with its 1,000 members is some 2,000 statements (2.7 s on PostgreSQL on an idle
      // test machine): Prisma's default of 5 s would roll it back, a 500, on a busy one.
      { timeout: GROUP_CHANGE_TIMEOUT_MS },
    )
  }

  async markRead(move: ReadMove): Promise<number | null> {
    return this.db.$transaction(async (tx) => {
      await this.beforeWrite(tx)
      const where = { conversation_id: move.conversation_id }
      const moved = await tx.conversationParticipant.updateMany({
        where: { ...where, user_id: move.user_id, removed_at: null, OR: [{ last_read_message_id: null }, { last_read_message_id: { lt: move.message_id } }] },
        data: { last_read_message_id: move.message_id },
      })
      if (moved.count === 0) return null
      await tx.readReceipt.create({ data: { ...where, user_id: move.user_id, message_id: move.message_id, read_at: move.at } })
      await settle(tx, move.conversation_id)
      const seq = await advance(tx, 1)
      await tx.conversationParticipant.update({ where: { conversation_id_user_id: { ...where, user_id: move.user_id } }, data: { seq } })
      return seq
    })
  }

  edit(e: { message_id: number; content: string; at: Date; maxEdits: number }): Promise<EditOutcome> {
    return this.db.$transaction(async (tx) => {
      await this.beforeWrite(tx)
      const m = await tx.message.findUnique({ where: { message_id: e.message_id }, select: { content: true, created_at: true, edited_at: true, deleted_at: true } })
      if (!m || m.deleted_at !== null) return 'deleted'
      if (m.content === e.content) return 'unchanged'
      if ((await tx.messageVersion.count({ where: { message_id: e.message_id } })) >= e.maxEdits) return 'too_many'
      await tx.messageVersion.create({ data: { message_id: e.message_id, content: m.content, written_at: m.edited_at ?? m.created_at } })
      const seq = await advance(tx, 1)
      await tx.message.update({ where: { message_id: e.message_id }, data: { content: e.content, edited_at: e.at, seq } })
      await this.reindex(tx, e.message_id, e.content)
      return { seq }
    })
  }

  remove(messageId: number, at: Date): Promise<DeleteOutcome> {
    return this.db.$transaction(async (tx) => {
      await this.beforeWrite(tx)
      const m = await tx.message.findUnique({ where: { message_id: messageId }, select: { deleted_at: true } })
      if (!m || m.deleted_at !== null) return 'already'
      const where = { message_id: messageId }
      const files = await tx.messageAttachment.findMany({ where, select: { file_url: true }, orderBy: { attachment_id: 'asc' } })
      await tx.messageAttachment.deleteMany({ where })
      await tx.messageVersion.deleteMany({ where })
      await tx.reaction.deleteMany({ where })
      const seq = await advance(tx, 1)
      await tx.message.update({ where, data: { content: '', edited_at: null, deleted_at: at, seq } })
      await this.reindex(tx, messageId, null)
      return { seq, file_urls: files.map((f) => f.file_url) }
    })
  }

  react(r: { message_id: number; user_id: number; emoji: string; on: boolean; at: Date }): Promise<ReactOutcome> {
    return this.db.$transaction(async (tx) => {
      await this.beforeWrite(tx)
      const m = await tx.message.findUnique({ where: { message_id: r.message_id }, select: { deleted_at: true } })
      if (!m || m.deleted_at !== null) return 'deleted'
      const key = { message_id: r.message_id, user_id: r.user_id, emoji: r.emoji }
      const there = (await tx.reaction.findUnique({ where: { message_id_user_id_emoji: key }, select: { emoji: true } })) !== null
      if (there === r.on) return 'unchanged'
      if (r.on) await tx.reaction.create({ data: { ...key, created_at: r.at } })
      else await tx.reaction.delete({ where: { message_id_user_id_emoji: key } })
      const seq = await advance(tx, 1)
      await tx.message.update({ where: { message_id: r.message_id }, data: { seq } })
      return { seq }
    })
  }

  async position(): Promise<number> {
    return (await this.db.changeFeed.findUnique({ where: { id: 1 }, select: { seq: true } }))?.seq ?? 0
  }

  private async store(tx: Tx, messages: NewMessage[], at: Date): Promise<StoredMessage[]> {
    if (messages.length === 0) return []
    const last = await advance(tx, messages.length)
    const first = last - messages.length + 1
    const created = await tx.message.createManyAndReturn({
      data: messages.map((m, i) => ({
        seq: first + i,
        conversation_id: m.conversation_id,
        sender_id: m.sender_id,
        content: m.content,
        client_id: m.client_id,
        created_at: at,
        system: m.system ? JSON.stringify(m.system) : null,
        reply_to_id: m.reply_to_id ?? null,
      })),
      select: { message_id: true },
    })
    // Ids grow with insertion order, so sorted ids line up with the rows as given.
    const ids = created.map((r) => r.message_id).sort((a, b) => a - b)
    const attachment_ids = await this.storeAttachments(tx, messages, ids)
    await tx.conversation.updateMany({ where: { conversation_id: { in: [...new Set(messages.map((m) => m.conversation_id))] } }, data: { updated_at: at } })
    return ids.map((message_id, i) => ({ message_id, attachment_ids: attachment_ids[i]!, seq: first + i }))
  }

  private groupTx(tx: Tx): GroupTx {
    const member = (conversation_id: number, user_id: number) => ({ conversation_id_user_id: { conversation_id, user_id } })
    return {
      kind: async (c) => (await tx.conversation.findUnique({ where: { conversation_id: c }, select: { kind: true } }))?.kind ?? null,
      members: async (c) =>
        (
          await tx.conversationParticipant.findMany({
            where: { conversation_id: c },
            select: { user_id: true, role: true, joined_at: true, removed_at: true },
            orderBy: [{ joined_at: 'asc' }, { user_id: 'asc' }],
          })
        ).map((r) => ({ ...r, role: r.role as MemberRole })),
      createGroup: async (title, at) =>
        (await tx.conversation.create({ data: { kind: 'group', title, created_at: at, updated_at: at }, select: { conversation_id: true } })).conversation_id,
      setTitle: async (c, title) => void (await tx.conversation.update({ where: { conversation_id: c }, data: { title } })),
      // In a few statements whatever the number: a thousand upserts took seconds on PostgreSQL.
      addMembers: async (c, users, role, at) => {
        if (users.length === 0) return
        const last = (await tx.message.aggregate({ where: { conversation_id: c }, _max: { message_id: true } }))._max.message_id
        const fields = { role, joined_at: at, last_read_message_id: last, removed_at: null, visible_until: null }
        const back = new Set((await tx.conversationParticipant.findMany({ where: { conversation_id: c, user_id: { in: users } }, select: { user_id: true } })).map((r) => r.user_id))
        if (back.size > 0) await tx.conversationParticipant.updateMany({ where: { conversation_id: c, user_id: { in: [...back] } }, data: fields })
        const fresh = users.filter((u) => !back.has(u))
        if (fresh.length > 0) await tx.conversationParticipant.createMany({ data: fresh.map((u) => ({ conversation_id: c, user_id: u, ...fields })) })
      },
      setRole: async (c, u, role) => void (await tx.conversationParticipant.update({ where: member(c, u), data: { role } })),
      removeMember: async (c, u, at) => {
        await tx.conversationParticipant.update({ where: member(c, u), data: { removed_at: at } })
        await settle(tx, c)
      },
      setVisibleUntil: async (c, users, messageId) =>
        void (await tx.conversationParticipant.updateMany({ where: { conversation_id: c, user_id: { in: users } }, data: { visible_until: messageId } })),
      insertNotice: async (notice, at) => (await this.storeMessages(tx, [notice], at))[0]!,
      touch: async (c, removed) => {
        const seq = await advance(tx, 1)
        await tx.conversation.update({ where: { conversation_id: c }, data: { seq } })
        if (removed.length > 0) await tx.conversationParticipant.updateMany({ where: { conversation_id: c, user_id: { in: removed } }, data: { seq } })
        return seq
      },
    }
  }
}

/**
 * PostgreSQL hands out ids from a sequence when a row is inserted, but transactions on several nodes
 * commit in any order: id 11 could become visible before id 10, and a client catching up "after 11"
 * would never see 10. One transaction-scoped advisory lock makes message inserts commit in id order
 * across every node (the batches stay large, so the lock is taken once per event-loop turn per node).
 * Group changes take it too, so a removal and a send from the removed member never overlap.
 *
 * Every statement inside the lock is a round trip every node waits for, so a batch of messages is
 * stored in one statement: the membership check, the change feed's positions, the rows and the
 * conversations' updated_at (attachments, when there are any, in a second).
 */
export class PostgresMessageWriter extends PrismaMessageWriter {
  static readonly LOCK_KEY = 0x5357_4244 // "SWBD"
  private readonly storeSql: string
  private readonly indexSql: string
  private readonly unindexSql: string

  private readonly indexing: boolean

  constructor(db: Db, schema = 'public', options: { searchIndex?: boolean } = {}) {
    super(db)
    this.indexing = options.searchIndex ?? true
    const t = (table: string) => `${quoteIdent(schema)}.${quoteIdent(table)}`
    this.indexSql = `INSERT INTO ${t('MessageSearch')} (message_id, text) VALUES ($1, $2)`
    this.unindexSql = `DELETE FROM ${t('MessageSearch')} WHERE message_id = $1`
    // A message's id comes from the sequence as its row leaves the ORDER BY, so ids rise with positions.
    this.storeSql = `
      WITH given AS (
        SELECT * FROM unnest($1::int[], $2::int[], $3::text[], $4::text[], $5::text[], $6::int[], $8::text[])
          WITH ORDINALITY AS g(conversation_id, sender_id, content, client_id, system, reply_to_id, search, ord)
      ), accepted AS (
        SELECT g.*, row_number() OVER (ORDER BY g.ord)::int AS n FROM given g
        WHERE g.system IS NOT NULL OR EXISTS (
          SELECT 1 FROM ${t('ConversationParticipant')} p
          WHERE p.conversation_id = g.conversation_id AND p.user_id = g.sender_id AND p.removed_at IS NULL)
      ), total AS (
        SELECT count(*)::int AS n FROM accepted
      ), feed AS (
        INSERT INTO ${t('ChangeFeed')} AS f (id, seq) SELECT 1, n FROM total WHERE n > 0
        ON CONFLICT (id) DO UPDATE SET seq = f.seq + EXCLUDED.seq RETURNING f.seq - (SELECT n FROM total) AS before
      ), stored AS (
        INSERT INTO ${t('Message')} (conversation_id, sender_id, content, client_id, system, reply_to_id, created_at, seq)
        SELECT a.conversation_id, a.sender_id, a.content, a.client_id, a.system, a.reply_to_id, $7::timestamp(3), feed.before + a.n
        FROM accepted a CROSS JOIN feed ORDER BY a.n
        RETURNING message_id, conversation_id, seq
      ), bumped AS (
        UPDATE ${t('Conversation')} SET updated_at = $7::timestamp(3) WHERE conversation_id IN (SELECT conversation_id FROM stored)
      ), searched AS (
        INSERT INTO ${t('MessageSearch')} (message_id, text)
        SELECT s.message_id, a.search FROM stored s CROSS JOIN feed JOIN accepted a ON a.n = s.seq - feed.before WHERE a.search IS NOT NULL
      )
      SELECT s.message_id, s.seq, a.ord::int AS ord FROM stored s CROSS JOIN feed JOIN accepted a ON a.n = s.seq - feed.before ORDER BY s.seq`
  }

  protected override async beforeWrite(tx: Tx): Promise<void> {
    await tx.$queryRawUnsafe(`SELECT pg_advisory_xact_lock(${PostgresMessageWriter.LOCK_KEY})::text AS locked`)
  }

  protected override async reindex(tx: Tx, messageId: number, content: string | null): Promise<void> {
    if (!this.indexing) return
    await tx.$executeRawUnsafe(this.unindexSql, messageId)
    if (content !== null && isSearchable(content, false)) await tx.$executeRawUnsafe(this.indexSql, messageId, indexText(content))
  }

  protected override async storeMessages(tx: Tx, messages: NewMessage[], at: Date): Promise<(StoredMessage | null)[]> {
    if (messages.length === 0) return []
    const rows = await tx.$queryRawUnsafe<{ message_id: number; seq: number; ord: number }[]>(
      this.storeSql,
      messages.map((m) => m.conversation_id),
      messages.map((m) => m.sender_id),
      messages.map((m) => m.content),
      messages.map((m) => m.client_id),
      messages.map((m) => (m.system ? JSON.stringify(m.system) : null)),
      messages.map((m) => m.reply_to_id ?? null),
      at.toISOString(),
      messages.map((m) => (this.indexing && isSearchable(m.content, m.system !== undefined) ? indexText(m.content) : null)),
    )
    const stored = rows.map((r) => messages[r.ord - 1]!)
    const attachment_ids = await this.storeAttachments(tx, stored, rows.map((r) => r.message_id))
    const byMessage = new Map(stored.map((m, i) => [m, { message_id: rows[i]!.message_id, attachment_ids: attachment_ids[i]!, seq: rows[i]!.seq }]))
    return messages.map((m) => byMessage.get(m) ?? null)
  }
}
