// The hot path on SQLite: prepared statements on a connection of its own, one synchronous transaction
// per batch. Measured: Prisma spends ~4 ms of JavaScript per send around ~1.4 ms of SQL; this path
// spends tens of microseconds (bench/results.md).
import Database from 'better-sqlite3'
import type { MemberRole } from '../../../shared/dto'
import type { ClientKey, DeleteOutcome, EditOutcome, GroupTx, MemberRow, MessageWriter, NewMessage, ReactOutcome, ReadMove, StoredMessage } from '../ports'
import { SerialQueue } from '../../lifecycle/serial'
import { indexText, isSearchable } from '../../../shared/search-text'
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
  private readonly editTx: Database.Transaction<(messageId: number, content: string, at: string, maxEdits: number) => EditOutcome>
  private readonly removeTx: Database.Transaction<(messageId: number, at: string) => DeleteOutcome>
  private readonly reactTx: Database.Transaction<(messageId: number, userId: number, emoji: string, on: boolean, at: string) => ReactOutcome>
  /** Puts a message's text in the search index (electron/shared/search-text.ts), or takes it out (null). */
  private readonly index: (messageId: number, content: string | null) => void
  /** is_read for a group's messages, from its current members' read positions. */
  private readonly settle: (conversationId: number) => void
  private inGroupChange = false
  /**
   * One write at a time on this connection: a group change holds its transaction open across awaits
   * (a name looked up on the way), and a read receipt or an edit starting its own transaction then
   * would find one open.
   */
  private readonly turns = new SerialQueue()

  constructor(file: string, options: { searchIndex?: boolean } = {}) {
    this.db = new Database(file)
    // Never wait synchronously for a lock: Prisma's connection may hold one across event-loop turns,
    // and a blocking wait here would stop the very loop that must release it. Retry asynchronously.
    this.db.pragma('busy_timeout = 0')
    this.db.pragma('synchronous = NORMAL')
    this.db.pragma('foreign_keys = ON')
    this.find = this.db.prepare('SELECT message_id FROM Message WHERE sender_id = ? AND client_id = ?')
    // Stored only while the sender is a current member: a send that waited while its sender was
    // removed is refused, never stored after the removal.
    const insertMessage = this.db.prepare<[number, number, string, string, string | null, number | null, number, number]>(
      `INSERT INTO Message (conversation_id, sender_id, content, created_at, is_read, client_id, reply_to_id, seq)
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
    const unindex = this.db.prepare<[number]>('DELETE FROM MessageSearch WHERE rowid = ?')
    const addToIndex = this.db.prepare<[number, string]>('INSERT INTO MessageSearch (rowid, text) VALUES (?, ?)')
    // Without the index (ServerConfig.searchIndex off) nothing is written to it; the next start with it rebuilds it.
    const indexing = options.searchIndex ?? true
    this.index = (messageId, content) => {
      if (!indexing) return
      unindex.run(messageId)
      if (content !== null && isSearchable(content, false)) addToIndex.run(messageId, indexText(content))
    }
    this.insertOne = (m, at) => {
      const result = m.system
        ? insertNotice.run(m.conversation_id, m.sender_id, m.content, at, JSON.stringify(m.system))
        : insertMessage.run(m.conversation_id, m.sender_id, m.content, at, m.client_id, m.reply_to_id ?? null, m.conversation_id, m.sender_id)
      if (result.changes === 0) return null
      const message_id = Number(result.lastInsertRowid)
      const seq = this.advance()
      if (indexing && isSearchable(m.content, m.system !== undefined)) toIndex.push([message_id, indexText(m.content)])
      const attachment_ids = m.attachments.map((a) => Number(insertAttachment.run(message_id, a.file_url, a.file_name, a.file_type, a.size).lastInsertRowid))
      bump.run(at, m.conversation_id)
      return { message_id, attachment_ids, seq }
    }
    // The batch's index rows go in last, after every other statement of the transaction: FTS5 writes
    // what it holds as a new segment whenever another statement opens a savepoint, so interleaved
    // they cost a segment per message (measured: 5x slower), together one per batch.
    const toIndex: [number, string][] = []
    const indexBatch = (): void => {
      for (const [id, text] of toIndex) addToIndex.run(id, text)
      toIndex.length = 0
    }
    this.store = this.db.transaction((messages: NewMessage[], at: string) => {
      toIndex.length = 0
      const stored = messages.map((m) => this.insertOne(m, at))
      indexBatch()
      return stored
    })
    this.settle = this.prepareSettle()
    this.read = this.prepareRead()
    ;[this.editTx, this.removeTx, this.reactTx] = this.prepareActions()
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
    return this.turns.run(() => this.retrying(() => this.store.immediate(messages, stamp)))
  }

  /**
   * One IMMEDIATE transaction on this connection around `work`, which awaits only this GroupTx's
   * synchronous statements: nothing else runs on the connection meanwhile (the message service
   * orders group changes with its batches), and the write lock is held for microtasks, not I/O.
   */
  changeGroup<T>(work: (tx: GroupTx) => Promise<T>): Promise<T> {
    return this.turns.run(() => this.groupChange(work))
  }

  private async groupChange<T>(work: (tx: GroupTx) => Promise<T>): Promise<T> {
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
    return this.turns.run(() => this.retrying(() => this.read.immediate(move, stamp)))
  }

  edit(e: { message_id: number; content: string; at: Date; maxEdits: number }): Promise<EditOutcome> {
    const stamp = sqliteTimestamp(e.at)
    return this.turns.run(() => this.retrying(() => this.editTx.immediate(e.message_id, e.content, stamp, e.maxEdits)))
  }

  remove(messageId: number, at: Date): Promise<DeleteOutcome> {
    const stamp = sqliteTimestamp(at)
    return this.turns.run(() => this.retrying(() => this.removeTx.immediate(messageId, stamp)))
  }

  react(r: { message_id: number; user_id: number; emoji: string; on: boolean; at: Date }): Promise<ReactOutcome> {
    const stamp = sqliteTimestamp(r.at)
    return this.turns.run(() => this.retrying(() => this.reactTx.immediate(r.message_id, r.user_id, r.emoji, r.on, stamp)))
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

  private prepareActions() {
    const state = this.db.prepare<[number], { content: string; created_at: string | number; edited_at: string | number | null; deleted_at: string | number | null }>(
      'SELECT content, created_at, edited_at, deleted_at FROM Message WHERE message_id = ?',
    )
    const versions = this.db.prepare<[number], { n: number }>('SELECT COUNT(*) AS n FROM MessageVersion WHERE message_id = ?')
    const keep = this.db.prepare<[number, string, string]>('INSERT INTO MessageVersion (message_id, content, written_at) VALUES (?, ?, ?)')
    const rewrite = this.db.prepare<[string, string, number, number]>('UPDATE Message SET content = ?, edited_at = ?, seq = ? WHERE message_id = ?')
    const files = this.db.prepare<[number], { file_url: string }>('SELECT file_url FROM MessageAttachment WHERE message_id = ? ORDER BY attachment_id')
    const clear = ['MessageAttachment', 'MessageVersion', 'Reaction'].map((table) => this.db.prepare<[number]>(`DELETE FROM ${table} WHERE message_id = ?`))
    const tombstone = this.db.prepare<[string, number, number]>("UPDATE Message SET content = '', edited_at = NULL, deleted_at = ?, seq = ? WHERE message_id = ?")
    const addReaction = this.db.prepare<[number, number, string, string]>('INSERT OR IGNORE INTO Reaction (message_id, user_id, emoji, created_at) VALUES (?, ?, ?, ?)')
    const dropReaction = this.db.prepare<[number, number, string]>('DELETE FROM Reaction WHERE message_id = ? AND user_id = ? AND emoji = ?')
    const stamp = this.db.prepare<[number, number]>('UPDATE Message SET seq = ? WHERE message_id = ?')
    const edit = this.db.transaction((messageId: number, content: string, at: string, maxEdits: number): EditOutcome => {
      const m = state.get(messageId)
      if (!m || m.deleted_at !== null) return 'deleted'
      if (m.content === content) return 'unchanged'
      if (versions.get(messageId)!.n >= maxEdits) return 'too_many'
      keep.run(messageId, m.content, sqliteTimestamp(new Date(m.edited_at ?? m.created_at)))
      const seq = this.advance()
      rewrite.run(content, at, seq, messageId)
      this.index(messageId, content)
      return { seq }
    })
    const remove = this.db.transaction((messageId: number, at: string): DeleteOutcome => {
      const m = state.get(messageId)
      if (!m || m.deleted_at !== null) return 'already'
      const file_urls = files.all(messageId).map((f) => f.file_url)
      for (const statement of clear) statement.run(messageId)
      const seq = this.advance()
      tombstone.run(at, seq, messageId)
      this.index(messageId, null)
      return { seq, file_urls }
    })
    const react = this.db.transaction((messageId: number, userId: number, emoji: string, on: boolean, at: string): ReactOutcome => {
      const m = state.get(messageId)
      if (!m || m.deleted_at !== null) return 'deleted'
      const changed = on ? addReaction.run(messageId, userId, emoji, at).changes : dropReaction.run(messageId, userId, emoji).changes
      if (changed === 0) return 'unchanged'
      const seq = this.advance()
      stamp.run(seq, messageId)
      return { seq }
    })
    return [edit, remove, react] as const
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
    const touchMember = this.db.prepare<[number, number, number]>('UPDATE ConversationParticipant SET seq = ? WHERE conversation_id = ? AND user_id = ?')
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
      touch: async (c, removed) => {
        const seq = this.advance()
        touch.run(seq, c)
        for (const u of removed) touchMember.run(seq, c, u)
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
