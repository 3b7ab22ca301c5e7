// The search section: a corpus of realistic messages (bench/lib/corpus.ts) loaded into SQLite and into
// PostgreSQL with its index (the text the writers store: indexText), a server on each, and searches
// through GET /api/search on loopback, one after another, by kind of query; the sizes of the index
// and of the messages table; and the send path flat out with the index on and off, alternating.
import { mkdirSync } from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import pg from 'pg'
import { hashPassword } from '../electron/server/auth/passwords'
import { createTokenService, loadOrCreateSecret } from '../electron/server/auth/tokens'
import { SOURCE_MIGRATIONS_DIR, SOURCE_POSTGRES_MIGRATIONS_DIR } from '../electron/server/config'
import { postgresTarget, sqliteFile } from '../electron/server/db/database'
import { migratePostgres, quoteIdent } from '../electron/server/db/migrate-postgres'
import { migrateSqlite } from '../electron/server/db/migrate-sqlite'
import { sqliteTimestamp } from '../electron/server/db/timestamps'
import type { SearchPageDto } from '../electron/shared/dto'
import { indexText, isSearchable } from '../electron/shared/search-text'
import { startTestServices, type TestServices } from '../test/helpers/services'
import { Corpus } from './lib/corpus'
import { Seeder } from './lib/seed'
import { seedPostgresPairs } from './lib/seed-postgres'
import { startProcess, type ServerProcess } from './lib/server-process'
import { summarize, type Summary } from './lib/stats'
import { pairsOf, spanSeconds, Workers } from './lib/workers'

export interface SearchSizes {
  searchMessages: number
  searchConversations: number
  /** Distinct queries per kind, each timed `searchReps` times after one untimed run. */
  searchQueries: number
  searchReps: number
  /** The send path with and without the index: pairs, time per run, runs of each. */
  searchSendPairs: number
  searchSendMs: number
  searchSendRuns: number
  workers: number
  flatInflight: number
}

export interface SearchQueryKind {
  kind: string
  examples: string[]
  samples: number
  /** Results on the first page (of 20), median over the queries. */
  results_p50: number
  ms: Summary
}

export interface SearchEngine {
  engine: 'SQLite' | 'PostgreSQL'
  messages: number
  /** Bulk load of the messages and their index text, in one process (not through the server). */
  load_s: number
  index_mib: number
  table_mib: number
  table_indexes_mib: number
  queries: SearchQueryKind[]
}

export interface SendWithIndex {
  engine: 'SQLite' | 'PostgreSQL'
  /** Delivered msg/s of each run, in the order run (on and off alternate, on first). */
  on: number[]
  off: number[]
  /** Median with the index over median without. */
  ratio: number
}

export interface SearchResults {
  engines: SearchEngine[]
  send: SendWithIndex[]
  corpus: { seed: number; searcher_conversations: number; conversations: number; people: number }
}

const SEED = 20261203
const PEOPLE = 50
const PAGE = 20
const log = (line: string): void => console.log(`[bench] ${line}`)
const round = (n: number, digits = 2): number => Number(n.toFixed(digits))
const mib = (bytes: number): number => round(bytes / 1024 / 1024, 1)

/** Who is in which conversation: the searcher (person 0) in every other one, three more people in each. */
function members(conversations: number): number[][] {
  return Array.from({ length: conversations }, (_, c) => {
    const people = new Set<number>(c % 2 === 0 ? [0] : [])
    for (let k = 1; people.size < (c % 2 === 0 ? 4 : 3); k++) people.add(1 + ((c * 7 + k * 13) % (PEOPLE - 1)))
    return [...people]
  })
}

interface Loaded {
  /** What each kind of query asks, with a filter where it has one. */
  queries: { kind: string; q: string; conversation?: number }[]
}

/** The queries, chosen from what the corpus holds (the same for both engines). */
function queriesFor(corpus: Corpus, searcherConversation: number, n: number): Loaded['queries'] {
  const tail = [...corpus.tailCounts.entries()]
  const rare = tail.filter(([, count]) => count >= 1 && count <= 10).map(([w]) => w).sort().slice(0, n)
  const middling = [...new Set(tail.filter(([w, count]) => count >= 100 && count <= 2_000 && w.length >= 7).map(([w]) => w.slice(2, 6)))].sort().slice(0, n)
  const common = Corpus.english.slice(0, n)
  const twoLetters = ['wo', 'ti', 'ma', 'br', 'pl', 'st', 'gr', 'sh', 'do', 'ca'].slice(0, n)
  const chinese = Corpus.chinese.slice(5, 5 + n)
  return [
    ...common.map((q) => ({ kind: 'common word', q })),
    ...rare.map((q) => ({ kind: 'rare word', q })),
    ...middling.map((q) => ({ kind: 'substring (4 letters inside a word)', q })),
    ...twoLetters.map((q) => ({ kind: 'two letters (word start)', q })),
    ...chinese.map((q) => ({ kind: 'Chinese word (2 characters)', q })),
    ...common.map((q, i) => ({ kind: 'common word in one conversation', q, conversation: searcherConversation + 2 * i })),
  ]
}

/** Loads the corpus into a migrated SQLite database: people, conversations, messages and their index text. */
async function loadSqlite(dataDir: string, sizes: SearchSizes): Promise<{ corpus: Corpus; seconds: number }> {
  const file = sqliteFile(dataDir)
  migrateSqlite(file, SOURCE_MIGRATIONS_DIR)
  const db = new Database(file)
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = NORMAL')
  const hash = await hashPassword('benchmark-password')
  const start = Date.now() - sizes.searchMessages * 30_000
  const corpus = new Corpus(SEED)
  const t0 = performance.now()
  db.transaction(() => {
    const person = db.prepare('INSERT INTO User (username, display_name, password_hash, created_at) VALUES (?, ?, ?, ?)')
    for (let p = 0; p < PEOPLE; p++) person.run(`searcher${p}`, `Person ${p}`, hash, sqliteTimestamp(new Date(start)))
    const conversation = db.prepare("INSERT INTO Conversation (kind, title, created_at, updated_at) VALUES ('group', ?, ?, ?)")
    const join = db.prepare("INSERT INTO ConversationParticipant (conversation_id, user_id, joined_at, role) VALUES (?, ?, ?, 'member')")
    members(sizes.searchConversations).forEach((people, c) => {
      conversation.run(`Group ${c}`, sqliteTimestamp(new Date(start)), sqliteTimestamp(new Date()))
      for (const p of people) join.run(c + 1, p + 1, sqliteTimestamp(new Date(start)))
    })
  })()
  const groups = members(sizes.searchConversations)
  const insert = db.prepare('INSERT INTO Message (conversation_id, sender_id, content, created_at, is_read, seq) VALUES (?, ?, ?, ?, 1, ?)')
  const index = db.prepare('INSERT INTO MessageSearch (rowid, text) VALUES (?, ?)')
  const chunk = db.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const c = i % sizes.searchConversations
      const people = groups[c]!
      const content = corpus.message()
      const id = Number(insert.run(c + 1, people[i % people.length]! + 1, content, sqliteTimestamp(new Date(start + i * 30_000)), i + 1).lastInsertRowid)
      if (isSearchable(content, false)) index.run(id, indexText(content))
    }
  })
  for (let from = 0; from < sizes.searchMessages; from += 10_000) chunk(from, Math.min(sizes.searchMessages, from + 10_000))
  db.prepare('UPDATE ChangeFeed SET seq = ? WHERE id = 1').run(sizes.searchMessages)
  const seconds = (performance.now() - t0) / 1000
  db.pragma('wal_checkpoint(TRUNCATE)')
  db.close()
  return { corpus, seconds }
}

export async function loadPostgres(connectionString: string, schema: string, sizes: SearchSizes): Promise<{ corpus: Corpus; seconds: number }> {
  await migratePostgres(connectionString, schema, SOURCE_POSTGRES_MIGRATIONS_DIR)
  const client = new pg.Client({ connectionString })
  await client.connect()
  try {
    await client.query(`SET search_path TO ${quoteIdent(schema)}`)
    const hash = await hashPassword('benchmark-password')
    const start = Date.now() - sizes.searchMessages * 30_000
    const corpus = new Corpus(SEED)
    const groups = members(sizes.searchConversations)
    const t0 = performance.now()
    const at = (ms: number): string => new Date(ms).toISOString().replace('Z', '')
    await client.query(`INSERT INTO "User" (username, display_name, password_hash) SELECT 'searcher' || i, 'Person ' || i, $1 FROM generate_series(0, $2 - 1) AS i ORDER BY i`, [hash, PEOPLE])
    await client.query(`INSERT INTO "Conversation" (kind, title, created_at, updated_at) SELECT 'group', 'Group ' || i, $2::timestamp, now() FROM generate_series(0, $1 - 1) AS i ORDER BY i`, [sizes.searchConversations, at(start)])
    const pairs = groups.flatMap((people, c) => people.map((p) => [c + 1, p + 1] as const))
    await client.query(`INSERT INTO "ConversationParticipant" (conversation_id, user_id, joined_at) SELECT * , $3::timestamp FROM unnest($1::int[], $2::int[])`, [pairs.map((x) => x[0]), pairs.map((x) => x[1]), at(start)])
    for (let from = 0; from < sizes.searchMessages; from += 10_000) {
      const rows = { c: [] as number[], s: [] as number[], content: [] as string[], at: [] as string[], text: [] as (string | null)[] }
      for (let i = from; i < Math.min(sizes.searchMessages, from + 10_000); i++) {
        const c = i % sizes.searchConversations
        const people = groups[c]!
        const content = corpus.message()
        rows.c.push(c + 1)
        rows.s.push(people[i % people.length]! + 1)
        rows.content.push(content)
        rows.at.push(at(start + i * 30_000))
        rows.text.push(isSearchable(content, false) ? indexText(content) : null)
      }
      await client.query(
        `WITH given AS (SELECT * FROM unnest($1::int[], $2::int[], $3::text[], $4::timestamp[], $5::text[]) WITH ORDINALITY AS g(c, s, content, at, text, ord)),
         stored AS (INSERT INTO "Message" (conversation_id, sender_id, content, created_at, is_read, seq)
           SELECT c, s, content, at, true, $6 + ord FROM given ORDER BY ord RETURNING message_id, seq)
         INSERT INTO "MessageSearch" (message_id, text) SELECT stored.message_id, given.text FROM stored JOIN given ON given.ord = stored.seq - $6 WHERE given.text IS NOT NULL`,
        [rows.c, rows.s, rows.content, rows.at, rows.text, from],
      )
    }
    await client.query('UPDATE "ChangeFeed" SET seq = $1 WHERE id = 1', [sizes.searchMessages])
    await client.query('VACUUM ANALYZE "Message"')
    await client.query('VACUUM ANALYZE "MessageSearch"')
    return { corpus, seconds: (performance.now() - t0) / 1000 }
  } finally {
    await client.end()
  }
}

async function timeQueries(server: ServerProcess, token: string, queries: Loaded['queries'], reps: number): Promise<SearchQueryKind[]> {
  const byKind = new Map<string, { examples: string[]; ms: number[]; results: number[] }>()
  for (const { kind, q, conversation } of queries) {
    const url = `${server.url}/api/search?q=${encodeURIComponent(q)}&limit=${PAGE}${conversation ? `&conversation_id=${conversation}` : ''}`
    const entry = byKind.get(kind) ?? { examples: [], ms: [], results: [] }
    byKind.set(kind, entry)
    entry.examples.push(q)
    for (let r = 0; r <= reps; r++) {
      const t0 = performance.now()
      const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } })
      const body = (await res.json()) as SearchPageDto
      const took = performance.now() - t0
      if (!res.ok) throw new Error(`GET ${url}: ${res.status} ${JSON.stringify(body)}`)
      if (r === 0) entry.results.push(body.results.length)
      else entry.ms.push(took)
    }
  }
  return [...byKind].map(([kind, e]) => ({
    kind,
    examples: e.examples.slice(0, 3),
    samples: e.ms.length,
    results_p50: summarize(e.results).p50,
    ms: summarize(e.ms),
  }))
}

async function searcherToken(dataDir: string): Promise<string> {
  return createTokenService(loadOrCreateSecret(dataDir), '1d').sign(1)
}

async function sqliteEngine(sizes: SearchSizes, work: string): Promise<SearchEngine> {
  const dataDir = path.join(work, 'search-sqlite')
  mkdirSync(dataDir, { recursive: true })
  log(`search: loading ${sizes.searchMessages.toLocaleString('en')} messages into SQLite`)
  const { corpus, seconds } = await loadSqlite(dataDir, sizes)
  const db = new Database(sqliteFile(dataDir), { readonly: true })
  const sizesOf = db.prepare('SELECT name, SUM(pgsize) AS bytes FROM dbstat GROUP BY name').all() as { name: string; bytes: number }[]
  const messageIndexes = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'Message'").all() as { name: string }[]).map((r) => r.name))
  db.close()
  const bytes = (test: (name: string) => boolean): number => sizesOf.filter((s) => test(s.name)).reduce((sum, s) => sum + s.bytes, 0)
  const server = await startProcess('electron/server/cli.ts', ['--host', '127.0.0.1', '--port', '0', '--data', dataDir], { SWITCHBOARD_SEARCH_RATE: '100000000/1' })
  try {
    log('search: querying SQLite')
    const queries = await timeQueries(server, await searcherToken(dataDir), queriesFor(corpus, 1, sizes.searchQueries), sizes.searchReps)
    return {
      engine: 'SQLite',
      messages: sizes.searchMessages,
      load_s: round(seconds, 1),
      index_mib: mib(bytes((n) => n.startsWith('MessageSearch') && n !== 'MessageSearchState')),
      table_mib: mib(bytes((n) => n === 'Message')),
      table_indexes_mib: mib(bytes((n) => messageIndexes.has(n))),
      queries,
    }
  } finally {
    await server.stop()
  }
}

async function postgresEngine(services: TestServices, sizes: SearchSizes, work: string): Promise<SearchEngine> {
  const schema = `bench_search_${process.pid}`
  const url = new URL(services.postgresUrl)
  url.searchParams.set('schema', schema)
  const { connectionString } = postgresTarget(url.toString())
  const dataDir = path.join(work, 'search-postgres')
  mkdirSync(dataDir, { recursive: true })
  log(`search: loading ${sizes.searchMessages.toLocaleString('en')} messages into PostgreSQL`)
  try {
    const { corpus, seconds } = await loadPostgres(connectionString, schema, sizes)
    const client = new pg.Client({ connectionString })
    await client.connect()
    const size = async (sql: string): Promise<number> => Number((await client.query(sql)).rows[0].bytes)
    const q = (table: string): string => `'${quoteIdent(schema)}.${quoteIdent(table)}'`
    const index = await size(`SELECT pg_total_relation_size(${q('MessageSearch')}) AS bytes`)
    const table = await size(`SELECT pg_table_size(${q('Message')}) AS bytes`)
    const tableIndexes = await size(`SELECT pg_indexes_size(${q('Message')}) AS bytes`)
    await client.end()
    const server = await startProcess('electron/server/cli.ts', ['--host', '127.0.0.1', '--port', '0'], {
      DATABASE_URL: url.toString(),
      SWITCHBOARD_DATA_DIR: dataDir,
      SWITCHBOARD_MIGRATIONS_DIR: SOURCE_POSTGRES_MIGRATIONS_DIR,
      SWITCHBOARD_SEARCH_RATE: '100000000/1',
    })
    try {
      log('search: querying PostgreSQL')
      const queries = await timeQueries(server, await searcherToken(dataDir), queriesFor(corpus, 1, sizes.searchQueries), sizes.searchReps)
      return { engine: 'PostgreSQL', messages: sizes.searchMessages, load_s: round(seconds, 1), index_mib: mib(index), table_mib: mib(table), table_indexes_mib: mib(tableIndexes), queries }
    } finally {
      await server.stop()
    }
  } finally {
    const client = new pg.Client({ connectionString })
    await client.connect()
    await client.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`)
    await client.end()
  }
}

/**
 * The send path flat out with the index on and with it off, on a fresh database each run, the runs
 * alternating (on, off, on, off…) so that a drift of the machine falls on both. Each message carries a
 * line of the corpus, so the index has realistic text to take.
 */
export async function sendWithAndWithout(services: TestServices, engine: SendWithIndex['engine'], sizes: SearchSizes, work: string): Promise<SendWithIndex> {
  const texts = Array.from({ length: 1000 }, ((c) => () => c.message())(new Corpus(SEED + 7)))
  const result: SendWithIndex = { engine, on: [], off: [], ratio: 0 }
  for (let run = 0; run < sizes.searchSendRuns * 2; run++) {
    const on = run % 2 === 0
    const id = `${process.pid}_${run}`
    const dataDir = path.join(work, `send-${engine}-${id}`)
    mkdirSync(dataDir, { recursive: true })
    const env: Record<string, string> = { SWITCHBOARD_SEARCH_INDEX: on ? 'on' : 'off', SWITCHBOARD_SEND_RATE: '100000000/1', SWITCHBOARD_DATA_DIR: dataDir }
    let seeded: { users: { user_id: number; token: string }[]; conversations: number[] }
    let schema: string | undefined
    if (engine === 'SQLite') {
      const seed = await Seeder.open(dataDir)
      const users = await seed.users(sizes.searchSendPairs * 2, 'load')
      seeded = { users, conversations: Array.from({ length: sizes.searchSendPairs }, (_, i) => seed.conversation(users[i]!.user_id, users[i + sizes.searchSendPairs]!.user_id)) }
      seed.close()
    } else {
      schema = `bench_send_${id}`
      const url = new URL(services.postgresUrl)
      url.searchParams.set('schema', schema)
      env.DATABASE_URL = url.toString()
      env.SWITCHBOARD_MIGRATIONS_DIR = SOURCE_POSTGRES_MIGRATIONS_DIR
      await migratePostgres(postgresTarget(url.toString()).connectionString, schema, SOURCE_POSTGRES_MIGRATIONS_DIR)
      seeded = await seedPostgresPairs(postgresTarget(url.toString()).connectionString, schema, dataDir, sizes.searchSendPairs)
    }
    log(`search: send path on ${engine}, index ${on ? 'on' : 'off'}`)
    const server = await startProcess('electron/server/cli.ts', ['--host', '127.0.0.1', '--port', '0', ...(engine === 'SQLite' ? ['--data', dataDir] : [])], env)
    try {
      const workers = Workers.start(sizes.workers)
      await workers.connect(server.url, pairsOf(seeded.users, seeded.conversations), true)
      const report = await workers.run({ type: 'run', mode: 'flat', ratePerClient: 0, inflight: sizes.flatInflight, durationMs: sizes.searchSendMs, drainMs: 500, texts })
      workers.close()
      ;(on ? result.on : result.off).push(round(report.receiveLatencies.length / (spanSeconds(report) || sizes.searchSendMs / 1000), 0))
    } finally {
      await server.stop()
      if (schema) {
        const client = new pg.Client({ connectionString: postgresTarget(services.postgresUrl).connectionString })
        await client.connect()
        await client.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`)
        await client.end()
      }
    }
  }
  result.ratio = round(summarize(result.on).p50 / summarize(result.off).p50, 3)
  return result
}

export async function searchSection(sizes: SearchSizes, work: string): Promise<SearchResults> {
  const services = await startTestServices()
  try {
    const engines = [await sqliteEngine(sizes, work), await postgresEngine(services, sizes, work)]
    const send = [await sendWithAndWithout(services, 'SQLite', sizes, work), await sendWithAndWithout(services, 'PostgreSQL', sizes, work)]
    const groups = members(sizes.searchConversations)
    return { engines, send, corpus: { seed: SEED, conversations: sizes.searchConversations, searcher_conversations: groups.filter((g) => g.includes(0)).length, people: PEOPLE } }
  } finally {
    await services.stop()
  }
}

const ms = (s: Summary): string => `${round(s.p50)} / ${round(s.p95)} (${round(s.max)})`

export function renderSearch(r: SearchResults | undefined, measured?: { date: string; node: string }): string[] {
  if (!r) return ['Not measured in this run.']
  const first = r.engines[0]!
  return [
    ...(measured ? [`Measured ${measured.date} on Node ${measured.node}, apart from the other sections.`, ''] : []),
    `${first.messages.toLocaleString('en')} messages of generated chat text (bench/lib/corpus.ts, seed ${r.corpus.seed}: each language's most frequent words, then made-up words, drawn by Zipf's law; 60 % English, 10 % each German, French and Spanish, 5 % each Chinese and Japanese) in ${r.corpus.conversations} groups of 3 or 4 of ${r.corpus.people} people; the searcher is in ${r.corpus.searcher_conversations} of them, so half the messages are theirs to find. Loaded in bulk with their index text (the writers' own indexText), then searched through \`GET /api/search\` on loopback (a page of ${PAGE}, newest first: the query, the messages and their highlights), one request at a time; each query once untimed, then timed. p50 / p95 (max) in ms.`,
    '',
    `| query | examples | ${r.engines.map((e) => `${e.engine} ms`).join(' | ')} | results on the page (median) |`,
    `|---|---|${r.engines.map(() => '---|').join('')}---|`,
    ...first.queries.map((k, i) => `| ${k.kind} (${k.samples} searches) | ${k.examples.join(', ')} | ${r.engines.map((e) => ms(e.queries[i]!.ms)).join(' | ')} | ${k.results_p50} |`),
    '',
    '| engine | bulk load with index, s | index MiB | messages table MiB (its own indexes) | index / table |',
    '|---|---|---|---|---|',
    ...r.engines.map((e) => `| ${e.engine} | ${e.load_s} | ${e.index_mib} | ${e.table_mib} (${e.table_indexes_mib}) | ${round(e.index_mib / e.table_mib)} |`),
    '',
    'The send path flat out (one-to-one pairs, each message a line of the corpus), with the index and without it (`--search-index off`), a fresh database each run, runs alternating:',
    '',
    '| engine | with index, msg/s per run | without, msg/s per run | ratio of medians |',
    '|---|---|---|---|',
    ...r.send.map((s) => `| ${s.engine} | ${s.on.join(', ')} | ${s.off.join(', ')} | ${s.ratio} |`),
  ]
}
