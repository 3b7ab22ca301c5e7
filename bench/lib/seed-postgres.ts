// Fills a PostgreSQL schema directly for the scale-out benchmark, like Seeder does for SQLite.
import pg from 'pg'
import { hashPassword } from '../../electron/server/auth/passwords'
import { createTokenService, loadOrCreateSecret } from '../../electron/server/auth/tokens'
import { quoteIdent } from '../../electron/server/db/migrate-postgres'
import { directKey } from '../../electron/server/services/conversations'
import type { SeededUser } from './seed'

/** `pairs` one-to-one conversations between 2 × pairs users, with tokens signed by the cluster's secret. */
export async function seedPostgresPairs(connectionString: string, schema: string, dataDir: string, pairs: number): Promise<{ users: SeededUser[]; conversations: number[] }> {
  const client = new pg.Client({ connectionString })
  await client.connect()
  try {
    await client.query(`SET search_path TO ${quoteIdent(schema)}`)
    const hash = await hashPassword('benchmark-password')
    const names = Array.from({ length: pairs * 2 }, (_, i) => `load${i}`)
    const { rows } = await client.query<{ user_id: number }>(
      `INSERT INTO "User" (username, display_name, password_hash) SELECT n, n, $2 FROM unnest($1::text[]) WITH ORDINALITY AS t(n, i) ORDER BY i RETURNING user_id`,
      [names, hash],
    )
    const ids = rows.map((r) => r.user_id)
    const conversations: number[] = []
    for (let i = 0; i < pairs; i++) {
      const [a, b] = [ids[i]!, ids[i + pairs]!]
      const { rows: c } = await client.query<{ conversation_id: number }>(`INSERT INTO "Conversation" (direct_key, updated_at) VALUES ($1, now()) RETURNING conversation_id`, [directKey(a, b)])
      const id = c[0]!.conversation_id
      await client.query(`INSERT INTO "ConversationParticipant" (conversation_id, user_id) VALUES ($1, $2), ($1, $3)`, [id, a, b])
      conversations.push(id)
    }
    const tokens = createTokenService(loadOrCreateSecret(dataDir), '1d')
    return { users: await Promise.all(ids.map(async (user_id) => ({ user_id, token: await tokens.sign(user_id) }))), conversations }
  } finally {
    await client.end()
  }
}
