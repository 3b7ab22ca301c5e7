import { expect, it } from 'vitest'
import { Seeder } from '../../bench/lib/seed'
import { PrismaInboxReader } from '../../electron/server/db/prisma/inbox'
import type { ConversationDto } from '../../electron/shared/dto'
import { Api } from '../helpers/api'
import { startServer, tempDir } from '../helpers/server'

it('lists an inbox of 1,000 conversations (more ids than SQLite binds in one query)', async () => {
  const dataDir = tempDir()
  const seed = await Seeder.open(dataDir)
  const [me] = await seed.users(1, 'me')
  const others = await seed.users(1000, 'other')
  for (const other of others) seed.messages(seed.conversation(me!.user_id, other.user_id), [other.user_id, me!.user_id], 3)
  seed.close()
  const srv = await startServer({ dataDir })
  try {
    const res = await new Api(srv.url, me!.token).get<ConversationDto[]>(`/api/conversations/${me!.user_id}`)
    expect(res.status).toBe(200)
    expect(res.body).toHaveLength(1000)
    for (const c of res.body) {
      expect(c.participants).toHaveLength(2)
      expect(c.messages).toHaveLength(1)
      expect(c.unread_count).toBe(2) // other, me, other: two from the other side, unread
    }
    // SQLite's raw inbox reader and the Prisma reader (other databases) agree exactly, past Prisma's chunk of ids.
    const viaPrisma = await new PrismaInboxReader(srv.server.database.db).list(me!.user_id)
    expect(JSON.stringify(viaPrisma)).toBe(JSON.stringify(res.body))
  } finally {
    await srv.close()
  }
})
