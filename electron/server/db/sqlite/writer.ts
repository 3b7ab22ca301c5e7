// The hot path on SQLite: prepared statements on a connection of its own, one synchronous transaction
// per batch. Measured: Prisma spends ~4 ms of JavaScript per send around ~1.4 ms of SQL; this path
// spends tens of microseconds (bench/results.md).
import Database from 'better-sqlite3'
import type { MemberRole } from '../../../shared/dto'
import type { ClientKey, GroupTx, MemberRow, MessageWriter, NewMessage, ReadMove, StoredMessage } from '../ports'
import { sqliteTimestamp } from '../timestamps'

const BUSY_RETRY_MS = 2

const ACTIVE_MEMBER = 'SELECT 1 FROM ConversationParticipant WHERE conversation_id = ? AND user_id = ? AND removed_at IS NULL'
/** The position the next change takes (the counter moves once the row is stored). */
const NEXT_SEQ = '(SELECT COALESCE((SELECT seq FROM ChangeFeed WHERE id = 1), 0) + 1)'

export class SqliteMessageWriter implements MessageWriter {
  private readonly db: Database.Database
  private readonly find: Database.Statement<[number, string], { message_id: number }>
  private readonly store: Database.Transaction<(messages: NewMessage[], at: string) => (StoredMessage | null)[]>
  /** Stores one message; a person's only while they are a current member (the server's notices always). */
  private readonly insertOne: (m: NewMessage, at: string) => StoredMessage | null
  private readonly groupTx: GroupTx
  /** Takes the next position in the change feed. */
  private readonly advance: () => number
  private readonly position_: Database.Statement<[], { seq: number }>
  private readonly read: Database.Transaction<(move: ReadMove, at: string) => number | null>
  /** is_read for a group's messages, from its current members' read positions. */
  private readonly settle: (conversationId: number) => void
  private inGroupChange = false

  constructor(file: string) {
    this.db = new Database(file)
    // Never wait synchronously for a lock: Prisma's connection may hold one across event-loop turns,
    // and a blocking wait here would stop the very loop that must release it. Retry asynchronously.
    this.db.pragma('busy_timeout = 0')
    this.db.pragma('synchronous = NORMAL')
    this.db.pragma('foreign_keys = ON')
    this.find = this.db.prepare('SELECT message_id FROM Message WHERE sender_id = ? AND client_id = ?')
    // Stored only while the sender is a current member: a send that waited while its sender was
    // removed is refused, never stored after the removal.
    const insertMessage = this.db.prepare<[number, number, string, string, string | null, string | null, number, number]>(
      `INSERT INTO Message (conversation_id, sender_id, content, created_at, is_read, client_id, system, seq)
       SELECT ?, ?, ?, ?, 0, ?, ?, ${NEXT_SEQ} WHERE EXISTS (${ACTIVE_MEMBER})`,
    )
    const insertNotice = this.db.prepare<[number, number, string, string, string]>(
      `INSERT INTO Message (conversation_id, sender_id, content, created_at, is_read, client_id, system, seq) VALUES (?, ?, ?, ?, 0, NULL, ?, ${NEXT_SEQ})`,
    )
    const advance = this.db.prepare<[], { seq: number }>('INSERT INTO ChangeFeed (id, seq) VALUES (1, 1) ON CONFLICT (id) DO UPDATE SET seq = seq + 1 RETURNING seq')
    this.advance = () => advance.get()!.seq
    this.position_ = this.db.prepare('SELECT seq FROM ChangeFeed WHERE id = 1')
    const insertAttachment = this.db.prepare('INSERT INTO MessageAttachment (message_id, file_url, file_name, file_type, size) VALUES (?, ?, ?, ?, ?)')
    const bump = this.db.prepare('UPDATE Conversation SET updated_at = ? WHERE conversation_id = ?')
    this.insertOne = (m, at) => {
      const result = m.system
        ? insertNotice.run(m.conversation_id, m.sender_id, m.content, at, JSON.stringify(m.system))
        : insertMessage.run(m.conversation_id, m.sender_id, m.content, at, m.client_id, null, m.conversation_id, m.sender_id)
      if (result.changes === 0) return null
      const message_id = Number(result.lastInsertRowid)
      const seq = this.advance()
      const attachment_ids = m.attachments.map((a) => Number(insertAttachment.run(message_id, a.file_url, a.file_name, a.file_type, a.size).lastInsertRowid))
      bump.run(at, m.conversation_id)
      return { message_id, attachment_ids, seq }
    }
    this.store = this.db.transaction((messages: NewMessage[], at: string) => messages.map((m) => this.insertOne(m, at)))
    this.settle = this.prepareSettle()
    this.read = this.prepareRead()
    this.groupTx = this.prepareGroupTx()
  }

  existing(keys: ClientKey[]): Promise<(ClientKey & { message_id: number })[]> {
    return this.retrying(() =>
      keys.flatMap((k) => {
        const row = this.find.get(k.sender_id, k.client_id)
        return row ? [{ sender_id: k.sender_id, client_id: k.client_id, message_id: row.message_id }] : []
      }),
    )
  }

  insert(messages: NewMessage[], at: Date): Promise<(StoredMessage | null)[]> {
    const stamp = sqliteTimestamp(at)
    return this.retrying(() => this.store.immediate(messages, stamp))
  }

  /**
   * One IMMEDIATE transaction on this connection around `work`, which awaits only this GroupTx's
   * synchronous statements: nothing else runs on the connection meanwhile (the message service
   * orders group changes with its batches), and the write lock is held for microtasks, not I/O.
   */
  async changeGroup<T>(work: (tx: GroupTx) => Promise<T>): Promise<T> {
    if (this.inGroupChange) throw new Error('group changes must not overlap')
    await this.retrying(() => this.db.exec('BEGIN IMMEDIATE'))
    this.inGroupChange = true
    try {
      const result = await work(this.groupTx)
      this.db.exec('COMMIT')
      return result
    } catch (error) {
      this.db.exec('ROLLBACK')
      throw error
    } finally {
      this.inGroupChange = false
    }
  }

  markRead(move: ReadMove): Promise<number | null> {
    const stamp = sqliteTimestamp(move.at)
    return this.retrying(() => this.read.immediate(move, stamp))
  }

  async position(): Promise<number> {
    return this.position_.get()?.seq ?? 0
  }

  close(): void {
    this.db.close()
  }

  private prepareSettle(): (conversationId: number) => void {
    const lowest = this.db.prepare<[number], { user_id: number; up_to: number }>(
      'SELECT user_id, COALESCE(last_read_message_id, 0) AS up_to FROM ConversationParticipant WHERE conversation_id = ? AND removed_at IS NULL ORDER BY up_to LIMIT 2',
    )
    // Below the lowest read position every member has read, but for the messages of whoever holds
    // it: theirs are read below the second lowest (a sender need not have read their own).
    const mark = this.db.prepare<{ c: number; low: number; lowUpTo: number; nextUpTo: number }>(`
      UPDATE Message SET is_read = 1 WHERE conversation_id = @c AND is_read = 0 AND (
        (sender_id <> @low AND message_id <= @lowUpTo) OR (sender_id = @low AND message_id <= @nextUpTo))`)
    return (c) => {
      const [low, next] = lowest.all(c)
      if (low) mark.run({ c, low: low.user_id, lowUpTo: low.up_to, nextUpTo: next?.up_to ?? 0 })
    }
  }

  private prepareRead(): Database.Transaction<(move: ReadMove, at: string) => number | null> {
    const move = this.db.prepare<{ c: number; u: number; m: number }>(`
      UPDATE ConversationParticipant SET last_read_message_id = @m
      WHERE conversation_id = @c AND user_id = @u AND removed_at IS NULL AND (last_read_message_id IS NULL OR last_read_message_id < @m)`)
    const receipt = this.db.prepare<[number, number, number, string]>('INSERT INTO ReadReceipt (conversation_id, user_id, message_id, read_at) VALUES (?, ?, ?, ?)')
    const stamp = this.db.prepare<[number, number, number]>('UPDATE ConversationParticipant SET seq = ? WHERE conversation_id = ? AND user_id = ?')
    return this.db.transaction((m: ReadMove, at: string) => {
      if (move.run({ c: m.conversation_id, u: m.user_id, m: m.message_id }).changes === 0) return null
      receipt.run(m.conversation_id, m.user_id, m.message_id, at)
      this.settle(m.conversation_id)
      const seq = this.advance()
      stamp.run(seq, m.conversation_id, m.user_id)
      return seq
    })
  }

  private prepareGroupTx(): GroupTx {
    const kind = this.db.prepare<[number], { kind: string }>('SELECT kind FROM Conversation WHERE conversation_id = ?')
    const members = this.db.prepare<[number], { user_id: number; role: MemberRole; joined_at: string | number; removed_at: string | number | null }>(
      'SELECT user_id, role, joined_at, removed_at FROM ConversationParticipant WHERE conversation_id = ? ORDER BY joined_at, user_id',
    )
    const create = this.db.prepare<[string, string, string]>("INSERT INTO Conversation (kind, title, created_at, updated_at) VALUES ('group', ?, ?, ?)")
    const setTitle = this.db.prepare<[string, number]>('UPDATE Conversation SET title = ? WHERE conversation_id = ?')
    const add = this.db.prepare<{ c: number; u: number; role: MemberRole; at: string }>(`
      INSERT INTO ConversationParticipant (conversation_id, user_id, role, joined_at, last_read_message_id)
      VALUES (@c, @u, @role, @at, (SELECT MAX(message_id) FROM Message WHERE conversation_id = @c))
      ON CONFLICT (conversation_id, user_id) DO UPDATE SET
        role = excluded.role, joined_at = excluded.joined_at, last_read_message_id = excluded.last_read_message_id,
        removed_at = NULL, visible_until = NULL`)
    const setRole = this.db.prepare<[MemberRole, number, number]>('UPDATE ConversationParticipant SET role = ? WHERE conversation_id = ? AND user_id = ?')
    const remove = this.db.prepare<[string, number, number]>('UPDATE ConversationParticipant SET removed_at = ? WHERE conversation_id = ? AND user_id = ?')
    const visible = this.db.prepare<[number, number, number]>('UPDATE ConversationParticipant SET visible_until = ? WHERE conversation_id = ? AND user_id = ?')
    const touch = this.db.prepare<[number, number]>('UPDATE Conversation SET seq = ? WHERE conversation_id = ?')
    const toMember = (r: { user_id: number; role: MemberRole; joined_at: string | number; removed_at: string | number | null }): MemberRow => ({
      user_id: r.user_id,
      role: r.role,
      joined_at: new Date(r.joined_at),
      removed_at: r.removed_at === null ? null : new Date(r.removed_at),
    })
    return {
      kind: async (c) => kind.get(c)?.kind ?? null,
      members: async (c) => members.all(c).map(toMember),
      createGroup: async (title, at) => Number(create.run(title, sqliteTimestamp(at), sqliteTimestamp(at)).lastInsertRowid),
      setTitle: async (c, title) => void setTitle.run(title, c),
      addMembers: async (c, users, role, at) => {
        for (const u of users) add.run({ c, u, role, at: sqliteTimestamp(at) })
      },
      setRole: async (c, u, role) => void setRole.run(role, c, u),
      removeMember: async (c, u, at) => {
        remove.run(sqliteTimestamp(at), c, u)
        this.settle(c)
      },
      setVisibleUntil: async (c, users, messageId) => {
        for (const u of users) visible.run(messageId, c, u)
      },
      insertNotice: async (notice, at) => this.insertOne({ ...notice, system: notice.system ?? undefined }, sqliteTimestamp(at))!,
      touch: async (c) => {
        const seq = this.advance()
        touch.run(seq, c)
        return seq
      },
    }
  }

  private async retrying<T>(work: () => T): Promise<T> {
    for (;;) {
      try {
        return work()
      } catch (error) {
        if ((error as { code?: string }).code !== 'SQLITE_BUSY') throw error
        await new Promise((resolve) => setTimeout(resolve, BUSY_RETRY_MS))
      }
    }
  }
}
