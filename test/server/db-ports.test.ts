// One contract for every implementation of the database ports (electron/server/db/ports.ts): SQLite's
// prepared statements, and Prisma on the same SQLite file (and on PostgreSQL in the `postgres`
// project). Each is held to concrete answers on a fixture with the awkward cases (attachments, an
// empty conversation, read and unread from both sides, equal timestamps, both ends of the history, a
// user with no conversations), and every answer must match SQLite's byte for byte.
import { rmSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SOURCE_MIGRATIONS_DIR } from '../../electron/server/config'
import type { Db } from '../../electron/server/db/client'
import { openPostgres, openSqlite, type Database } from '../../electron/server/db/database'
import type { DatabasePorts, NewAttachment, StoredMessage } from '../../electron/server/db/ports'
import { PrismaInboxReader } from '../../electron/server/db/prisma/inbox'
import { PrismaMessageWriter } from '../../electron/server/db/prisma/writer'
import type { ConversationDto, MessageDto, SystemEventDto } from '../../electron/shared/dto'
import { databaseConfig, dropPostgresSchema, postgresSchemaFor, tempDir, TEST_POSTGRES } from '../helpers/server'

type Engine = 'sqlite' | 'postgres'

interface Implementation {
  name: string
  engine: Engine
  ports(database: Database): DatabasePorts
}

const ownPorts = (database: Database): DatabasePorts => ({ writer: database.writer, inbox: database.inbox, search: database.search })
const prismaPorts = (database: Database): DatabasePorts => ({ writer: new PrismaMessageWriter(database.db), inbox: new PrismaInboxReader(database.db), search: database.search })

/** The reference: what the desktop app and every single-machine server run. */
const SQLITE: Implementation = { name: "SQLite's prepared statements", engine: 'sqlite', ports: ownPorts }
const others: Implementation[] = [
  { name: 'Prisma on the same SQLite file', engine: 'sqlite', ports: prismaPorts },
  // What openPostgres chooses: Prisma, with the advisory-locked writer.
  ...(TEST_POSTGRES ? [{ name: 'Prisma on PostgreSQL', engine: 'postgres' as const, ports: ownPorts }] : []),
]
const implementations = [SQLITE, ...others]

// ---- the fixture ----

const T0 = Date.UTC(2026, 0, 5, 9, 0, 0)
const at = (seconds: number): Date => new Date(T0 + seconds * 1000)
const iso = (seconds: number): string => at(seconds).toISOString()

const USERS = { ada: 'Ada Lovelace', bob: 'bob', cy: 'Cy Twombly', dee: 'Dee Dee', eve: 'Eve (no conversations)' }
type UserKey = keyof typeof USERS
/** Created in this order; `quiet` is the activity time of a conversation without messages. */
const CONVERSATIONS: { key: string; people: UserKey[]; quiet?: number }[] = [
  { key: 'adaBob', people: ['ada', 'bob'] },
  { key: 'adaCy', people: ['ada', 'cy'], quiet: 3 },
  { key: 'bobCy', people: ['bob', 'cy'] },
  { key: 'adaDee', people: ['ada', 'dee'] },
  { key: 'group', people: ['dee', 'cy', 'bob', 'ada'] },
]
type ConversationKey = 'adaBob' | 'adaCy' | 'bobCy' | 'adaDee' | 'group'
/** Inserted in this order, so ids interleave across conversations; `at` in seconds after T0. */
const MESSAGES: { in: ConversationKey; from: UserKey; at: number; files?: number; client?: string }[] = [
  { in: 'adaBob', from: 'ada', at: 0 }, // #1
  { in: 'adaBob', from: 'bob', at: 1, files: 2 }, // #2
  { in: 'bobCy', from: 'bob', at: 1 }, // #3
  { in: 'adaBob', from: 'ada', at: 2 }, // #4: #4, #5 and #7 share a timestamp
  { in: 'adaBob', from: 'ada', at: 2 }, // #5
  { in: 'group', from: 'cy', at: 2 }, // #6
  { in: 'adaBob', from: 'bob', at: 2, files: 3 }, // #7
  { in: 'adaDee', from: 'dee', at: 3 }, // #8
  { in: 'adaBob', from: 'bob', at: 3 }, // #9
  { in: 'bobCy', from: 'cy', at: 4, files: 1 }, // #10
  { in: 'adaBob', from: 'ada', at: 4 }, // #11
  { in: 'adaDee', from: 'ada', at: 5 }, // #12: adaDee and adaBob end at the same time
  { in: 'adaBob', from: 'bob', at: 5 }, // #13
  { in: 'adaBob', from: 'ada', at: 5, client: 'ada-14' }, // #14
  { in: 'bobCy', from: 'bob', at: 6 }, // #15
  { in: 'group', from: 'dee', at: 7 }, // #16
  { in: 'group', from: 'ada', at: 8, files: 2 }, // #17
]
/** [conversation, reader, read up to message #n]: as markRead does it. */
const READS: [ConversationKey, UserKey, number][] = [
  ['adaBob', 'bob', 11],
  ['adaBob', 'ada', 7],
  ['bobCy', 'cy', 3],
  ['adaDee', 'ada', 8],
  ['group', 'dee', 6],
]
const content = (n: number, from: UserKey): string => `#${n} from ${from}: “quoted”, <b>not bold</b> & ✓ 🙂`
const attachment = (n: number, k: number): NewAttachment => ({
  file_url: `/api/files/f${n}-${k}`,
  file_name: `file ${k} of #${n}.${k % 2 ? 'png' : 'txt'}`,
  file_type: k % 2 ? 'image/png' : 'text/plain; charset=utf-8',
  size: 1000 * k + n,
})

interface Fixture {
  user: Record<UserKey, number>
  conversation: Record<ConversationKey, number>
  /** The id of fixture message #n. */
  message(n: number): number
  /** The ids of fixture message #n's attachments, in order. */
  attachments(n: number): number[]
  lastMessageId: number
  lastAttachmentId: number
}

/** Written through Prisma, which drives both engines the same way. */
async function writeFixture(db: Db): Promise<Fixture> {
  const user = {} as Record<UserKey, number>
  for (const [key, display_name] of Object.entries(USERS) as [UserKey, string][]) {
    user[key] = (await db.user.create({ data: { username: key, display_name, password_hash: 'not-a-hash', created_at: at(-3600) } })).user_id
  }
  const lastAt = (key: ConversationKey): number => Math.max(...MESSAGES.filter((m) => m.in === key).map((m) => m.at))
  const conversation = {} as Record<ConversationKey, number>
  for (const [i, c] of CONVERSATIONS.entries()) {
    const key = c.key as ConversationKey
    const created = await db.conversation.create({
      data: {
        direct_key: c.people.length === 2 ? `${key}-direct` : null,
        created_at: at(-600 + i),
        updated_at: at(c.quiet ?? lastAt(key)),
        participants: { create: c.people.map((p) => ({ user_id: user[p], joined_at: at(-600 + i) })) },
      },
    })
    conversation[key] = created.conversation_id
  }
  const ids: number[] = []
  const files: number[][] = []
  for (const [i, m] of MESSAGES.entries()) {
    const n = i + 1
    const row = await db.message.create({
      data: {
        conversation_id: conversation[m.in],
        sender_id: user[m.from],
        content: content(n, m.from),
        created_at: at(m.at),
        client_id: m.client ?? null,
        attachments: { create: Array.from({ length: m.files ?? 0 }, (_, k) => attachment(n, k + 1)) },
      },
      include: { attachments: { orderBy: { attachment_id: 'asc' } } },
    })
    ids[n] = row.message_id
    files[n] = row.attachments.map((a) => a.attachment_id)
  }
  for (const [key, reader, upTo] of READS) {
    const where = { conversation_id: conversation[key], message_id: { lte: ids[upTo]! }, sender_id: { not: user[reader] } }
    await db.message.updateMany({ where, data: { is_read: true } })
    await db.conversationParticipant.update({ where: { conversation_id_user_id: { conversation_id: conversation[key], user_id: user[reader] } }, data: { last_read_message_id: ids[upTo]! } })
  }
  return {
    user,
    conversation,
    message: (n) => ids[n]!,
    attachments: (n) => files[n]!,
    lastMessageId: ids[MESSAGES.length]!,
    lastAttachmentId: Math.max(...files.flat()),
  }
}

interface Opened {
  database: Database
  fixture: Fixture
  close(): Promise<void>
}

/** A fresh database of the engine (a SQLite file, or a PostgreSQL schema of its own) holding the fixture. */
async function openFixture(engine: Engine): Promise<Opened> {
  const dataDir = tempDir()
  const postgres = engine === 'postgres' ? databaseConfig(dataDir) : null
  const database = postgres
    ? await openPostgres({ url: postgres.databaseUrl!, migrationsDir: postgres.migrationsDir! })
    : await openSqlite({ dataDir, migrationsDir: SOURCE_MIGRATIONS_DIR })
  const fixture = await writeFixture(database.db)
  return {
    database,
    fixture,
    async close() {
      await database.close()
      if (postgres) await dropPostgresSchema(postgresSchemaFor(dataDir))
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

// One fixture per engine for the reads: the SQLite implementations read the very same file.
const shared = new Map<Engine, Promise<Opened>>()
const fixtureOf = (engine: Engine): Promise<Opened> => {
  if (!shared.has(engine)) shared.set(engine, openFixture(engine))
  return shared.get(engine)!
}
afterAll(async () => {
  for (const opened of shared.values()) await (await opened).close()
})

const ids = (messages: MessageDto[]): number[] => messages.map((m) => m.message_id)

// ---- the questions every implementation answers alike ----

interface Question {
  name: string
  ask(ports: DatabasePorts): Promise<unknown>
}

function questions(f: Fixture): Question[] {
  const list: Question[] = (Object.keys(USERS) as UserKey[]).map((u) => ({ name: `list(${u})`, ask: (p) => p.inbox.list(f.user[u]) }))
  list.push({ name: 'list(a user id that does not exist)', ask: (p) => p.inbox.list(f.user.eve + 1000) })
  // Every conversation, paged from the newest end, below every message id (its own and other
  // conversations'), below the first and above the last, with limits of 1, 3 and more than all.
  const befores = [undefined, 0, 1, ...MESSAGES.map((_, i) => f.message(i + 1)), f.lastMessageId + 1]
  for (const c of CONVERSATIONS.map((x) => x.key as ConversationKey)) {
    for (const before of befores) {
      for (const limit of [1, 3, 50]) list.push({ name: `page(${c}, ${before}, ${limit})`, ask: (p) => p.inbox.page(f.conversation[c], before, limit) })
    }
  }
  list.push({ name: 'page(a conversation that does not exist)', ask: (p) => p.inbox.page(f.conversation.group + 1000, undefined, 50) })
  return list
}

// ---- the writes every implementation makes alike ----

const T1 = at(60)
const T2 = at(120)

/** Batches through the writer on a fresh fixture, then what the readers see of them. */
async function writeTranscript(impl: Implementation) {
  const opened = await openFixture(impl.engine)
  try {
    const { fixture: f } = opened
    const { writer, inbox } = impl.ports(opened.database)
    const first = await writer.insert(
      [
        { conversation_id: f.conversation.adaBob, sender_id: f.user.ada, content: 'new from ada ✓', client_id: 'new-1', attachments: [attachment(100, 1), attachment(100, 2)] },
        { conversation_id: f.conversation.bobCy, sender_id: f.user.cy, content: 'new from cy', client_id: null, attachments: [] },
        // The same client_id from another sender is another message.
        { conversation_id: f.conversation.adaBob, sender_id: f.user.bob, content: 'new from bob', client_id: 'new-1', attachments: [attachment(101, 1), attachment(101, 2), attachment(101, 3)] },
      ],
      T1,
    )
    const second = await writer.insert([{ conversation_id: f.conversation.group, sender_id: f.user.dee, content: 'retry me', client_id: 'dee-1', attachments: [attachment(102, 1)] }], T2)
    // A batch holding a client_id already stored is refused whole: its fresh message is not stored either.
    const refused = await writer
      .insert(
        [
          { conversation_id: f.conversation.adaDee, sender_id: f.user.dee, content: 'never stored', client_id: 'dee-2', attachments: [attachment(103, 1)] },
          { conversation_id: f.conversation.group, sender_id: f.user.dee, content: 'retry me', client_id: 'dee-1', attachments: [] },
        ],
        at(180),
      )
      .then(
        () => 'stored',
        () => 'refused',
      )
    const existing = await writer.existing([
      { sender_id: f.user.ada, client_id: 'new-1' },
      { sender_id: f.user.bob, client_id: 'ada-14' }, // bob never used it, though ada did
      { sender_id: f.user.ada, client_id: 'ada-14' },
      { sender_id: f.user.dee, client_id: 'dee-1' },
      { sender_id: f.user.dee, client_id: 'dee-2' },
      { sender_id: f.user.cy, client_id: 'never' },
      { sender_id: f.user.bob, client_id: 'new-1' },
    ])
    return {
      f,
      first,
      second,
      refused,
      existing,
      existingOfNothing: await writer.existing([]),
      adaBob: await inbox.page(f.conversation.adaBob, undefined, 4),
      adaDee: await inbox.page(f.conversation.adaDee, undefined, 50),
      bobCy: await inbox.page(f.conversation.bobCy, undefined, 2),
      group: await inbox.page(f.conversation.group, undefined, 1),
      bob: await inbox.list(f.user.bob),
      dee: await inbox.list(f.user.dee),
    }
  } finally {
    await opened.close()
  }
}
type Transcript = Awaited<ReturnType<typeof writeTranscript>>
const transcripts = new Map<string, Promise<Transcript>>()
const transcriptOf = (impl: Implementation): Promise<Transcript> => {
  if (!transcripts.has(impl.name)) transcripts.set(impl.name, writeTranscript(impl))
  return transcripts.get(impl.name)!
}
/** The transcript without the fixture handles (those are inputs, not answers). */
const answers = ({ f: _f, ...rest }: Transcript) => rest

// ---- a group's life, through the writer's group transactions ----

const T3 = at(240)
const T4 = at(300)
const T5 = at(360)

const notice = (conversation_id: number, sender_id: number, content: string, system: SystemEventDto) => ({ conversation_id, sender_id, content, client_id: null, attachments: [], system })

/**
 * A group made, written to, one member removed (whose send that waited is then refused), renamed,
 * a role changed, someone added, and a change that fails half-way (rolled back whole); with what each
 * member's inbox and the history say at each step.
 */
async function groupTranscript(impl: Implementation) {
  const opened = await openFixture(impl.engine)
  try {
    const { fixture: f } = opened
    const { writer, inbox } = impl.ports(opened.database)
    const made = await writer.changeGroup(async (tx) => {
      const id = await tx.createGroup('Team', T3)
      await tx.addMembers(id, [f.user.ada], 'owner', T3)
      await tx.addMembers(id, [f.user.bob, f.user.cy], 'member', T3)
      await tx.addMembers(id, [], 'member', T3)
      const created = await tx.insertNotice(notice(id, f.user.ada, 'Ada created the group “Team”', { type: 'created', actor_id: f.user.ada, user_ids: [f.user.bob, f.user.cy], title: 'Team' }), T3)
      return { id, created, kind: await tx.kind(id), none: await tx.kind(id + 1000), members: await tx.members(id) }
    })
    const g = made.id
    const sent = await writer.insert(
      [
        { conversation_id: g, sender_id: f.user.bob, content: 'hello team', client_id: 'g-1', attachments: [attachment(200, 1)] },
        { conversation_id: g, sender_id: f.user.cy, content: 'hi from cy', client_id: null, attachments: [] },
        // Not a member: refused, and nothing of it stored.
        { conversation_id: g, sender_id: f.user.dee, content: 'not mine to send', client_id: 'dee-g', attachments: [attachment(201, 1)] },
      ],
      T3,
    )
    const removal = await writer.changeGroup(async (tx) => {
      const removed = await tx.insertNotice(notice(g, f.user.ada, 'Ada removed Cy', { type: 'removed', actor_id: f.user.ada, user_ids: [f.user.cy] }), T4)
      await tx.removeMember(g, f.user.cy, T4)
      await tx.setVisibleUntil(g, [f.user.cy], removed.message_id)
      return { removed, members: await tx.members(g) }
    })
    // Cy's send that waited through the removal is refused; bob's in the same batch is stored.
    const afterRemoval = await writer.insert(
      [
        { conversation_id: g, sender_id: f.user.cy, content: 'too late', client_id: 'cy-late', attachments: [] },
        { conversation_id: g, sender_id: f.user.bob, content: 'after cy left', client_id: null, attachments: [] },
      ],
      T4,
    )
    await writer.changeGroup(async (tx) => {
      await tx.setTitle(g, 'Team room')
      await tx.setRole(g, f.user.bob, 'admin')
      return tx.insertNotice(notice(g, f.user.ada, 'Ada renamed the group to “Team room”', { type: 'renamed', actor_id: f.user.ada, user_ids: [], title: 'Team room' }), T4)
    })
    const cyView = { list: await inbox.list(f.user.cy), one: await inbox.one(f.user.cy, g), history: await inbox.page(g, removal.removed.message_id + 1, 50) }
    const rolledBack = await writer
      .changeGroup(async (tx) => {
        await tx.setTitle(g, 'never')
        await tx.addMembers(g, [f.user.eve], 'member', T5)
        await tx.touch(g, [])
        throw new Error('half-way')
      })
      .then(
        () => 'committed',
        (error: Error) => error.message,
      )
    const added = await writer.changeGroup(async (tx) => {
      await tx.addMembers(g, [f.user.dee], 'member', T5)
      return tx.insertNotice(notice(g, f.user.bob, 'Bob added Dee', { type: 'added', actor_id: f.user.bob, user_ids: [f.user.dee] }), T5)
    })
    return {
      f,
      made,
      sent,
      removal,
      afterRemoval,
      cyView,
      rolledBack,
      added,
      ada: await inbox.one(f.user.ada, g),
      bob: await inbox.one(f.user.bob, g),
      dee: await inbox.one(f.user.dee, g),
      eve: await inbox.one(f.user.eve, g),
      outsider: await inbox.one(f.user.ada, f.conversation.bobCy),
      history: await inbox.page(g, undefined, 50),
      members: await writer.changeGroup((tx) => tx.members(g)),
      // Cy brought back: current again, as if joining now.
      cyBack: {
        members: await writer.changeGroup(async (tx) => {
          await tx.addMembers(g, [f.user.cy], 'admin', at(420))
          return tx.members(g)
        }),
        cy: await inbox.one(f.user.cy, g),
      },
    }
  } finally {
    await opened.close()
  }
}
/**
 * Read positions and the change feed in a group of three: reads that move (and one that does not),
 * `is_read` once every other current member has read a message, a member who never reads removed
 * (what only they held back becomes read), a removed member's read refused, a group change's
 * position; and every position taken, in order, without a hole.
 */
async function readTranscript(impl: Implementation) {
  const opened = await openFixture(impl.engine)
  try {
    const { fixture: f, database } = opened
    const { writer } = impl.ports(database)
    const g = await writer.changeGroup(async (tx) => {
      const id = await tx.createGroup('Readers', T3)
      await tx.addMembers(id, [f.user.ada], 'owner', T3)
      await tx.addMembers(id, [f.user.bob, f.user.cy], 'member', T3)
      return id
    })
    const [one, two, three] = (await writer.insert(
      [
        { conversation_id: g, sender_id: f.user.ada, content: 'one', client_id: null, attachments: [] },
        { conversation_id: g, sender_id: f.user.bob, content: 'two', client_id: null, attachments: [] },
        { conversation_id: g, sender_id: f.user.cy, content: 'three', client_id: null, attachments: [] },
      ],
      T3,
    )) as { message_id: number; seq: number }[]
    const isRead = async () =>
      (await database.db.message.findMany({ where: { conversation_id: g }, orderBy: { message_id: 'asc' }, select: { content: true, is_read: true } })).map((m) => [m.content, m.is_read])
    const read = (user: number, message: number, seconds: number) => writer.markRead({ conversation_id: g, user_id: user, message_id: message, at: at(seconds) })
    const steps: Record<string, unknown> = {}
    steps.bobReadsOne = await read(f.user.bob, one!.message_id, 400)
    steps.afterBob = await isRead() // one: cy has not read it
    steps.bobAgain = await read(f.user.bob, one!.message_id, 401) // no move: null, no position
    steps.cyReadsTwo = await read(f.user.cy, two!.message_id, 402)
    steps.afterCy = await isRead() // one: bob and cy have; two: ada has not
    steps.touched = await writer.changeGroup((tx) => tx.touch(g, []))
    // Ada, who never read, removed: "two" is then read by every other current member (cy).
    await writer.changeGroup((tx) => tx.removeMember(g, f.user.ada, T4))
    steps.afterAdaRemoved = await isRead()
    steps.adaReadsRemoved = await read(f.user.ada, three!.message_id, 403) // removed: refused, null
    steps.bobReadsThree = await read(f.user.bob, three!.message_id, 404)
    steps.afterAll = await isRead()
    const members = await database.db.conversationParticipant.findMany({ where: { conversation_id: g }, orderBy: { user_id: 'asc' }, select: { user_id: true, last_read_message_id: true, seq: true } })
    const receipts = await database.db.readReceipt.findMany({ where: { conversation_id: g }, orderBy: { receipt_id: 'asc' }, select: { user_id: true, message_id: true, read_at: true } })
    const conversationSeq = (await database.db.conversation.findUniqueOrThrow({ where: { conversation_id: g }, select: { seq: true } })).seq
    return { f, g, one, two, three, steps, members, receipts, conversationSeq, position: await writer.position() }
  } finally {
    await opened.close()
  }
}
/**
 * What people do to messages, through the writer, read back through the inbox: a reply (and the quote
 * once its original is edited, then deleted), edits up to the limit, reactions from two people (one
 * taken back, one repeated), a deletion with its attachments, and what each step refused.
 */
async function actionsTranscript(impl: Implementation) {
  const opened = await openFixture(impl.engine)
  try {
    const { fixture: f } = opened
    const { writer, inbox } = impl.ports(opened.database)
    const c = f.conversation.adaBob
    const [original] = (await writer.insert([{ conversation_id: c, sender_id: f.user.ada, content: 'the original', client_id: null, attachments: [attachment(300, 1), attachment(300, 2)] }], T3)) as StoredMessage[]
    const [reply] = (await writer.insert([{ conversation_id: c, sender_id: f.user.bob, content: 'a reply', client_id: null, attachments: [], reply_to_id: original!.message_id }], T3)) as StoredMessage[]
    const o = original!.message_id
    const steps: Record<string, unknown> = {}
    steps.edit1 = await writer.edit({ message_id: o, content: 'the original, edited', at: T4, maxEdits: 2 })
    steps.same = await writer.edit({ message_id: o, content: 'the original, edited', at: T4, maxEdits: 2 })
    steps.edit2 = await writer.edit({ message_id: o, content: 'edited twice', at: T5, maxEdits: 2 })
    steps.edit3 = await writer.edit({ message_id: o, content: 'one too many', at: T5, maxEdits: 2 })
    steps.bobLikes = await writer.react({ message_id: o, user_id: f.user.bob, emoji: '👍', on: true, at: T4 })
    steps.adaLikes = await writer.react({ message_id: o, user_id: f.user.ada, emoji: '👍', on: true, at: T5 })
    steps.adaHearts = await writer.react({ message_id: o, user_id: f.user.ada, emoji: '❤️', on: true, at: T5 })
    steps.bobAgain = await writer.react({ message_id: o, user_id: f.user.bob, emoji: '👍', on: true, at: T5 })
    steps.bobTakesBack = await writer.react({ message_id: o, user_id: f.user.bob, emoji: '👍', on: false, at: T5 })
    steps.bobNothing = await writer.react({ message_id: o, user_id: f.user.bob, emoji: '🎉', on: false, at: T5 })
    steps.beforeDeletion = await inbox.page(c, undefined, 2)
    steps.list = (await inbox.list(f.user.ada)).find((x) => x.conversation_id === c)
    steps.deleted = await writer.remove(o, at(400))
    steps.deletedAgain = await writer.remove(o, at(401))
    steps.editDeleted = await writer.edit({ message_id: o, content: 'no', at: at(402), maxEdits: 20 })
    steps.reactDeleted = await writer.react({ message_id: o, user_id: f.user.bob, emoji: '👍', on: true, at: at(402) })
    steps.afterDeletion = await inbox.page(c, undefined, 2)
    steps.after = await inbox.after(c, o - 1, 5)
    steps.afterNothing = await inbox.after(c, reply!.message_id, 5)
    const versions = await opened.database.db.messageVersion.count({ where: { message_id: o } })
    const reactions = await opened.database.db.reaction.count({ where: { message_id: o } })
    const attachments = await opened.database.db.messageAttachment.count({ where: { message_id: o } })
    return { f, o, reply: reply!.message_id, steps, leftOver: { versions, reactions, attachments }, position: await writer.position() }
  } finally {
    await opened.close()
  }
}
const actionsTranscripts = new Map<string, ReturnType<typeof actionsTranscript>>()
const actionsTranscriptOf = (impl: Implementation): ReturnType<typeof actionsTranscript> => {
  if (!actionsTranscripts.has(impl.name)) actionsTranscripts.set(impl.name, actionsTranscript(impl))
  return actionsTranscripts.get(impl.name)!
}

const readTranscripts = new Map<string, ReturnType<typeof readTranscript>>()
const readTranscriptOf = (impl: Implementation): ReturnType<typeof readTranscript> => {
  if (!readTranscripts.has(impl.name)) readTranscripts.set(impl.name, readTranscript(impl))
  return readTranscripts.get(impl.name)!
}

type GroupTranscript = Awaited<ReturnType<typeof groupTranscript>>
const groupTranscripts = new Map<string, Promise<GroupTranscript>>()
const groupTranscriptOf = (impl: Implementation): Promise<GroupTranscript> => {
  if (!groupTranscripts.has(impl.name)) groupTranscripts.set(impl.name, groupTranscript(impl))
  return groupTranscripts.get(impl.name)!
}

// ---- the contract ----

describe.each(implementations)('$name', (impl) => {
  let f: Fixture
  let inbox: DatabasePorts['inbox']
  beforeAll(async () => {
    const opened = await fixtureOf(impl.engine)
    f = opened.fixture
    inbox = impl.ports(opened.database).inbox
  })

  it('lists a user’s conversations newest first (ties: higher id first), with participants, the latest message and unread counts', async () => {
    const list = await inbox.list(f.user.ada)
    expect(list.map((c) => c.conversation_id)).toEqual([f.conversation.group, f.conversation.adaDee, f.conversation.adaBob, f.conversation.adaCy])
    expect(list.map((c) => c.updated_at)).toEqual([iso(8), iso(5), iso(5), iso(3)])
    expect(list.map((c) => c.created_at)).toEqual([iso(-596), iso(-597), iso(-600), iso(-599)])
    expect(list.map((c) => c.messages.map((m) => m.message_id))).toEqual([[f.message(17)], [f.message(12)], [f.message(14)], []])
    expect(list.map((c) => c.unread_count)).toEqual([1, 0, 2, 0])
    // Participants ascending by id, whatever order they joined in.
    const joined = { role: 'member', joined_at: '2026-01-05T08:50:04.000Z' }
    expect(list[0]!.participants).toEqual([
      { user_id: f.user.ada, username: 'ada', display_name: 'Ada Lovelace', ...joined },
      { user_id: f.user.bob, username: 'bob', display_name: 'bob', ...joined },
      { user_id: f.user.cy, username: 'cy', display_name: 'Cy Twombly', ...joined },
      { user_id: f.user.dee, username: 'dee', display_name: 'Dee Dee', ...joined },
    ])
    expect(list[0]!.messages[0]!.attachments.map((a) => a.attachment_id)).toEqual(f.attachments(17))
    expect(list[2]!.messages[0]).toMatchObject({ client_id: 'ada-14', is_read: false, sender_id: f.user.ada, attachments: [] })

    const bob = await inbox.list(f.user.bob)
    expect(bob.map((c) => [c.conversation_id, c.unread_count])).toEqual([
      [f.conversation.group, 2],
      [f.conversation.bobCy, 1],
      [f.conversation.adaBob, 1],
    ])
    expect((await inbox.list(f.user.dee)).map((c) => [c.conversation_id, c.unread_count])).toEqual([
      [f.conversation.group, 1],
      [f.conversation.adaDee, 1],
    ])
  })

  it('lists nothing for a user without conversations, or one that does not exist', async () => {
    expect(await inbox.list(f.user.eve)).toEqual([])
    expect(await inbox.list(f.user.eve + 1000)).toEqual([])
  })

  it('pages history ascending from the newest end, through the middle, to the oldest end', async () => {
    const c = f.conversation.adaBob
    const m = f.message
    expect(ids(await inbox.page(c, undefined, 4))).toEqual([m(9), m(11), m(13), m(14)])
    // Below an id of this conversation, and below one of another conversation (#10 is bobCy's).
    expect(ids(await inbox.page(c, m(9), 3))).toEqual([m(4), m(5), m(7)])
    expect(ids(await inbox.page(c, m(10), 3))).toEqual([m(5), m(7), m(9)])
    // The oldest end: a limit larger than what is left, then nothing below the first message.
    expect(ids(await inbox.page(c, m(4), 50))).toEqual([m(1), m(2)])
    expect(await inbox.page(c, m(1), 50)).toEqual([])
    expect(ids(await inbox.page(c, undefined, 50))).toEqual([1, 2, 4, 5, 7, 9, 11, 13, 14].map(m))
    expect(await inbox.page(f.conversation.adaCy, undefined, 50)).toEqual([])
  })

  it('gives each message its sender, its attachments in order, its read state and its exact time', async () => {
    const [two] = await inbox.page(f.conversation.adaBob, f.message(4), 1)
    expect(two).toEqual({
      message_id: f.message(2),
      conversation_id: f.conversation.adaBob,
      sender_id: f.user.bob,
      content: '#2 from bob: “quoted”, <b>not bold</b> & ✓ 🙂',
      created_at: '2026-01-05T09:00:01.000Z',
      is_read: true,
      client_id: null,
      sender: { user_id: f.user.bob, username: 'bob', display_name: 'bob' },
      attachments: f.attachments(2).map((attachment_id, k) => ({ attachment_id, message_id: f.message(2), ...attachment(2, k + 1) })),
      system: null,
      reply_to: null,
      edited_at: null,
      deleted_at: null,
      reactions: [],
    })
    // Equal timestamps keep id order; read up to #11 from bob's side, #7 from ada's.
    const middle = await inbox.page(f.conversation.adaBob, f.message(13), 5)
    expect(middle.map((x) => [x.message_id, x.created_at, x.is_read])).toEqual([
      [f.message(4), iso(2), true],
      [f.message(5), iso(2), true],
      [f.message(7), iso(2), true],
      [f.message(9), iso(3), false],
      [f.message(11), iso(4), true],
    ])
    expect(middle[2]!.attachments.map((a) => [a.attachment_id, a.file_name])).toEqual(f.attachments(7).map((id, k) => [id, attachment(7, k + 1).file_name]))
  })

  it('stores batches with their attachments, bumps the conversations, finds client_ids on retries, and refuses a repeated one whole', async () => {
    const t = await transcriptOf(impl)
    const { f: w } = t
    const next = w.lastMessageId
    const file = w.lastAttachmentId
    // Each stored message takes the next position in the change feed (the fixture's were written around it).
    expect(t.first).toEqual([
      { message_id: next + 1, attachment_ids: [file + 1, file + 2], seq: 1 },
      { message_id: next + 2, attachment_ids: [], seq: 2 },
      { message_id: next + 3, attachment_ids: [file + 3, file + 4, file + 5], seq: 3 },
    ])
    expect(t.second).toEqual([{ message_id: next + 4, attachment_ids: [file + 6], seq: 4 }])
    expect(t.refused).toBe('refused')
    expect(t.adaDee.map((m) => m.content)).not.toContain('never stored')
    expect(t.existing).toEqual([
      { sender_id: w.user.ada, client_id: 'new-1', message_id: next + 1 },
      { sender_id: w.user.ada, client_id: 'ada-14', message_id: w.message(14) },
      { sender_id: w.user.dee, client_id: 'dee-1', message_id: next + 4 },
      { sender_id: w.user.bob, client_id: 'new-1', message_id: next + 3 },
    ])
    expect(t.existingOfNothing).toEqual([])
    // Read back: stored at the batch's time, unread, attachments as given.
    expect(ids(t.adaBob)).toEqual([w.message(13), w.message(14), next + 1, next + 3])
    expect(t.adaBob[2]).toEqual({
      message_id: next + 1,
      conversation_id: w.conversation.adaBob,
      sender_id: w.user.ada,
      content: 'new from ada ✓',
      created_at: T1.toISOString(),
      is_read: false,
      client_id: 'new-1',
      sender: { user_id: w.user.ada, username: 'ada', display_name: 'Ada Lovelace' },
      attachments: [
        { attachment_id: file + 1, message_id: next + 1, ...attachment(100, 1) },
        { attachment_id: file + 2, message_id: next + 1, ...attachment(100, 2) },
      ],
      system: null,
      reply_to: null,
      edited_at: null,
      deleted_at: null,
      reactions: [],
    })
    expect(t.adaBob[3]!.attachments.map((a) => a.attachment_id)).toEqual([file + 3, file + 4, file + 5])
    expect(ids(t.bobCy)).toEqual([w.message(15), next + 2])
    // Both bumped to T1 (a tie, so the higher id first), the group to T2.
    expect(t.bob.map((c) => [c.conversation_id, c.updated_at, c.unread_count])).toEqual([
      [w.conversation.group, T2.toISOString(), 3],
      [w.conversation.bobCy, T1.toISOString(), 2],
      [w.conversation.adaBob, T1.toISOString(), 2],
    ])
    expect(t.dee.map((c) => [c.conversation_id, c.updated_at])).toEqual([
      [w.conversation.group, T2.toISOString()],
      [w.conversation.adaDee, iso(5)],
    ])
  })
})

describe.each(implementations)('$name: a group’s life', (impl) => {
  it('makes a group, refuses a removed or outside sender inside the insert, keeps a removed member’s view at their removal, and rolls a failed change back whole', async () => {
    const t = await groupTranscriptOf(impl)
    const { f, made } = t
    const g = made.id
    const first = f.lastMessageId
    expect(made.kind).toBe('group')
    expect(made.none).toBeNull()
    expect(made.created).toEqual({ message_id: first + 1, attachment_ids: [], seq: 1 })
    expect(made.members.map((m) => [m.user_id, m.role, m.joined_at.toISOString(), m.removed_at])).toEqual([
      [f.user.ada, 'owner', T3.toISOString(), null],
      [f.user.bob, 'member', T3.toISOString(), null],
      [f.user.cy, 'member', T3.toISOString(), null],
    ])
    // A refused send takes no position: the feed has no hole.
    expect(t.sent.map((s) => (s ? [s.message_id, s.seq] : null))).toEqual([[first + 2, 2], [first + 3, 3], null])
    expect(t.removal.removed).toEqual({ message_id: first + 4, attachment_ids: [], seq: 4 })
    expect(t.removal.members.find((m) => m.user_id === f.user.cy)!.removed_at!.toISOString()).toBe(T4.toISOString())
    expect(t.afterRemoval.map((s) => (s ? [s.message_id, s.seq] : null))).toEqual([null, [first + 5, 5]])
    // Cy, removed: the group stays in their list as it was at the notice of their removal, without them among its members.
    const cyGroup = t.cyView.list.find((c) => c.conversation_id === g)!
    expect(cyGroup).toEqual(t.cyView.one)
    expect(cyGroup.messages.map((m) => [m.message_id, m.content, m.system?.type])).toEqual([[first + 4, 'Ada removed Cy', 'removed']])
    expect(cyGroup.participants.map((p) => [p.user_id, p.role])).toEqual([
      [f.user.ada, 'owner'],
      [f.user.bob, 'admin'],
    ])
    expect(cyGroup.unread_count).toBe(1) // bob's "hello team"; never the notices, never what came after
    expect(t.cyView.history.map((m) => m.message_id)).toEqual([first + 1, first + 2, first + 3, first + 4])
    expect(t.rolledBack).toBe('half-way')
    // The rolled-back change took no position either.
    expect(t.added).toEqual({ message_id: first + 7, attachment_ids: [], seq: 7 })
    // The others' view: title, kind, roles, the latest notice, unread without notices (ada: bob's two and cy's one).
    expect(t.ada).toMatchObject({ conversation_id: g, kind: 'group', title: 'Team room', unread_count: 3, muted: false, updated_at: T5.toISOString() })
    expect(t.ada!.participants.map((p) => [p.user_id, p.role])).toEqual([
      [f.user.ada, 'owner'],
      [f.user.bob, 'admin'],
      [f.user.dee, 'member'],
    ])
    expect(t.ada!.messages[0]).toMatchObject({ message_id: first + 7, content: 'Bob added Dee', sender_id: f.user.bob, client_id: null, system: { type: 'added', actor_id: f.user.bob, user_ids: [f.user.dee] } })
    expect(t.bob!.unread_count).toBe(1) // cy's "hi from cy"
    expect(t.dee!.unread_count).toBe(0) // joined after everything so far
    expect(t.eve).toBeNull()
    expect(t.outsider).toBeNull()
    expect(t.history.map((m) => [m.message_id, m.sender_id, m.system?.type ?? null])).toEqual([
      [first + 1, f.user.ada, 'created'],
      [first + 2, f.user.bob, null],
      [first + 3, f.user.cy, null],
      [first + 4, f.user.ada, 'removed'],
      [first + 5, f.user.bob, null],
      [first + 6, f.user.ada, 'renamed'],
      [first + 7, f.user.bob, 'added'],
    ])
    expect(t.history[1]!.attachments.map((a) => a.file_url)).toEqual([attachment(200, 1).file_url])
    expect(t.members.map((m) => [m.user_id, m.removed_at === null])).toEqual([
      [f.user.ada, true],
      [f.user.bob, true],
      [f.user.cy, false],
      [f.user.dee, true],
    ])
    expect(t.cyBack.members.map((m) => [m.user_id, m.role, m.joined_at.toISOString(), m.removed_at])).toEqual([
      [f.user.ada, 'owner', T3.toISOString(), null],
      [f.user.bob, 'admin', T3.toISOString(), null],
      [f.user.dee, 'member', T5.toISOString(), null],
      [f.user.cy, 'admin', at(420).toISOString(), null],
    ])
    expect(t.cyBack.cy).toMatchObject({ title: 'Team room', unread_count: 0 })
    expect(t.cyBack.cy!.messages[0]!.message_id).toBe(first + 7)
  })
})

describe.each(implementations)('$name: read positions and the change feed', (impl) => {
  it('moves read positions up only, settles is_read on reads and on a removal, refuses a removed reader, and takes every position in order without a hole', async () => {
    const t = await readTranscriptOf(impl)
    const { f } = t
    expect([t.one!.seq, t.two!.seq, t.three!.seq]).toEqual([1, 2, 3])
    expect(t.steps.bobReadsOne).toBe(4)
    expect(t.steps.afterBob).toEqual([['one', false], ['two', false], ['three', false]])
    expect(t.steps.bobAgain).toBeNull()
    expect(t.steps.cyReadsTwo).toBe(5)
    expect(t.steps.afterCy).toEqual([['one', true], ['two', false], ['three', false]])
    expect(t.steps.touched).toBe(6)
    expect(t.steps.afterAdaRemoved).toEqual([['one', true], ['two', true], ['three', false]])
    expect(t.steps.adaReadsRemoved).toBeNull()
    expect(t.steps.bobReadsThree).toBe(7)
    expect(t.steps.afterAll).toEqual([['one', true], ['two', true], ['three', true]])
    // Each member's row holds the position of their last move; the group's, its last change.
    expect(t.members.map((m) => [m.user_id, m.last_read_message_id, m.seq])).toEqual([
      [f.user.ada, null, 0],
      [f.user.bob, t.three!.message_id, 7],
      [f.user.cy, t.two!.message_id, 5],
    ])
    expect(t.receipts.map((r) => [r.user_id, r.message_id, r.read_at.toISOString()])).toEqual([
      [f.user.bob, t.one!.message_id, iso(400)],
      [f.user.cy, t.two!.message_id, iso(402)],
      [f.user.bob, t.three!.message_id, iso(404)],
    ])
    expect(t.conversationSeq).toBe(6)
    expect(t.position).toBe(7)
  })
})

describe.each(implementations)('$name: message actions', (impl) => {
  it('edits keeping versions up to the limit, reacts once per person and emoji, deletes to a tombstone, and reads replies and reactions back', async () => {
    const t = await actionsTranscriptOf(impl)
    const { f, o, steps } = t
    // Positions: the two inserts took 1 and 2; each change that did something the next one.
    expect(steps.edit1).toEqual({ seq: 3 })
    expect(steps.same).toBe('unchanged')
    expect(steps.edit2).toEqual({ seq: 4 })
    expect(steps.edit3).toBe('too_many')
    expect([steps.bobLikes, steps.adaLikes, steps.adaHearts, steps.bobAgain, steps.bobTakesBack, steps.bobNothing]).toEqual([{ seq: 5 }, { seq: 6 }, { seq: 7 }, 'unchanged', { seq: 8 }, 'unchanged'])
    const [before, reply] = steps.beforeDeletion as MessageDto[]
    expect(before).toMatchObject({ message_id: o, content: 'edited twice', edited_at: T5.toISOString(), deleted_at: null })
    // Bob's 👍 (the first) was taken back; ada's two came at the same time: by emoji then.
    expect(before!.reactions).toEqual([
      { emoji: '❤️', count: 1, user_ids: [f.user.ada] },
      { emoji: '👍', count: 1, user_ids: [f.user.ada] },
    ])
    expect(before!.attachments).toHaveLength(2)
    expect(reply!.reply_to).toEqual({ message_id: o, sender: { user_id: f.user.ada, username: 'ada', display_name: 'Ada Lovelace' }, excerpt: 'edited twice', deleted: false })
    expect((steps.list as ConversationDto).messages[0]).toEqual(reply)
    expect(steps.deleted).toEqual({ seq: 9, file_urls: [attachment(300, 1).file_url, attachment(300, 2).file_url] })
    expect([steps.deletedAgain, steps.editDeleted, steps.reactDeleted]).toEqual(['already', 'deleted', 'deleted'])
    const [tombstone, replyAfter] = steps.afterDeletion as MessageDto[]
    expect(tombstone).toMatchObject({ message_id: o, content: '', attachments: [], reactions: [], edited_at: null, deleted_at: at(400).toISOString() })
    expect(replyAfter!.reply_to).toMatchObject({ message_id: o, excerpt: 'deleted message', deleted: true })
    expect(steps.after).toEqual(steps.afterDeletion)
    expect(steps.afterNothing).toEqual([])
    expect(t.leftOver).toEqual({ versions: 0, reactions: 0, attachments: 0 })
    expect(t.position).toBe(9)
  })
})

describe.each(others)('$name, against SQLite’s prepared statements', (impl) => {
  it('answers every read byte for byte alike', async () => {
    const [mine, reference] = await Promise.all([fixtureOf(impl.engine), fixtureOf(SQLITE.engine)])
    const ports = impl.ports(mine.database)
    const referencePorts = SQLITE.ports(reference.database)
    const asked = questions(reference.fixture)
    // Same fixture, same ids: ask each engine its own questions, compare in order.
    const own = questions(mine.fixture)
    expect(own.map((q) => q.name)).toEqual(asked.map((q) => q.name))
    for (const [i, q] of asked.entries()) {
      expect(JSON.stringify(await own[i]!.ask(ports)), q.name).toBe(JSON.stringify(await q.ask(referencePorts)))
    }
    expect(asked.length).toBeGreaterThan(300)
  })

  it('writes, and reads its writes back, byte for byte alike', async () => {
    const [mine, reference] = await Promise.all([transcriptOf(impl), transcriptOf(SQLITE)])
    expect(JSON.stringify(answers(mine))).toBe(JSON.stringify(answers(reference)))
  })

  it('acts on messages and reads the results byte for byte alike', async () => {
    const [mine, reference] = await Promise.all([actionsTranscriptOf(impl), actionsTranscriptOf(SQLITE)])
    const { f: _mine, ...own } = mine
    const { f: _reference, ...expected } = reference
    expect(JSON.stringify(own)).toBe(JSON.stringify(expected))
  })

  it('moves read positions and takes positions byte for byte alike', async () => {
    const [mine, reference] = await Promise.all([readTranscriptOf(impl), readTranscriptOf(SQLITE)])
    const { f: _mine, ...own } = mine
    const { f: _reference, ...expected } = reference
    expect(JSON.stringify(own)).toBe(JSON.stringify(expected))
  })

  it('lives a group’s life byte for byte alike', async () => {
    const [mine, reference] = await Promise.all([groupTranscriptOf(impl), groupTranscriptOf(SQLITE)])
    const { f: _mine, ...own } = mine
    const { f: _reference, ...expected } = reference
    expect(JSON.stringify(own)).toBe(JSON.stringify(expected))
  })
})
