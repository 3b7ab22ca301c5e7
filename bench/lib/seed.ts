// Fills a data folder directly (raw SQLite, one transaction), the way an import would: the benchmarks
// measure the server, not account creation.
import Database from 'better-sqlite3'
import { hashPassword } from '../../electron/server/auth/passwords'
import { createTokenService, loadOrCreateSecret } from '../../electron/server/auth/tokens'
import { SOURCE_MIGRATIONS_DIR } from '../../electron/server/config'
import { sqliteFile } from '../../electron/server/db/database'
import { migrateSqlite } from '../../electron/server/db/migrate-sqlite'
import { sqliteTimestamp } from '../../electron/server/db/timestamps'
import { directKey } from '../../electron/server/services/conversations'

export interface SeededUser {
  user_id: number
  token: string
}

export class Seeder {
  readonly db: Database.Database
  private hash = ''

  private constructor(readonly dataDir: string) {
    migrateSqlite(sqliteFile(dataDir), SOURCE_MIGRATIONS_DIR)
    this.db = new Database(sqliteFile(dataDir))
    this.db.pragma('journal_mode = WAL')
    this.db.pragma('synchronous = NORMAL')
  }

  static async open(dataDir: string): Promise<Seeder> {
    const seeder = new Seeder(dataDir)
    seeder.hash = await hashPassword('benchmark-password')
    return seeder
  }

  async users(n: number, prefix: string): Promise<SeededUser[]> {
    const insert = this.db.prepare('INSERT INTO User (username, display_name, password_hash, created_at) VALUES (?, ?, ?, ?)')
    const ids = this.db.transaction(() => Array.from({ length: n }, (_, i) => Number(insert.run(`${prefix}${i}`, `${prefix} ${i}`, this.hash, sqliteTimestamp()).lastInsertRowid)))()
    const tokens = createTokenService(loadOrCreateSecret(this.dataDir), '1d')
    return Promise.all(ids.map(async (user_id) => ({ user_id, token: await tokens.sign(user_id) })))
  }

  conversation(a: number, b: number): number {
    return this.db.transaction(() => {
      const id = Number(this.db.prepare('INSERT INTO Conversation (direct_key, created_at, updated_at) VALUES (?, ?, ?)').run(directKey(a, b), sqliteTimestamp(), sqliteTimestamp()).lastInsertRowid)
      const join = this.db.prepare('INSERT INTO ConversationParticipant (conversation_id, user_id, joined_at) VALUES (?, ?, ?)')
      join.run(id, a, sqliteTimestamp())
      join.run(id, b, sqliteTimestamp())
      return id
    })()
  }

  /** `count` messages alternating between the two senders, in one transaction. */
  messages(conversationId: number, senders: [number, number], count: number, start = Date.now() - count): void {
    const insert = this.db.prepare('INSERT INTO Message (conversation_id, sender_id, content, created_at, is_read) VALUES (?, ?, ?, ?, 0)')
    this.db.transaction(() => {
      for (let i = 0; i < count; i++) insert.run(conversationId, senders[i % 2], `history message ${i} with some ordinary length to it`, sqliteTimestamp(new Date(start + i)))
      this.db.prepare('UPDATE Conversation SET updated_at = ? WHERE conversation_id = ?').run(sqliteTimestamp(new Date(start + count)), conversationId)
    })()
  }

  close(): void {
    this.db.close()
  }
}
