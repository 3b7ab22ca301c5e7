// A group on three nodes: 50 members whose sockets are spread over the nodes, five senders writing
// through different nodes at once. Every member's socket gets each message exactly once and in id
// order, whichever node sent it and whichever node the socket is on (each node delivers the cluster's
// changes in the change feed's order: realtime/feed-order.ts); a member removed through one node gets
// the notice of their removal and nothing written after it, whichever node the later message is sent
// through.
import pg from 'pg'
import { expect, it } from 'vitest'
import { hashPassword } from '../../electron/server/auth/passwords'
import { createTokenService, loadOrCreateSecret } from '../../electron/server/auth/tokens'
import { quoteIdent } from '../../electron/server/db/migrate-postgres'
import type { ConversationDto, MessageDto, UserDto } from '../../electron/shared/dto'
import { Api } from '../helpers/api'
import { clusterForFile, POSTGRES_URL } from '../helpers/cluster'
import { call, collect, connect, type TestSocket } from '../helpers/sockets'
import { until } from '../helpers/wait'

const MEMBERS = 50
const SENDERS = 5
const PER_SENDER = 20

const nodes = clusterForFile(3)
const on = nodes.url

interface Member {
  user: UserDto
  token: string
  node: number
  socket: TestSocket
  got: MessageDto[]
}

/**
 * `count` users stored straight into the cluster's schema, with tokens signed by its secret: the
 * register limit (30 an hour per address, counted in Redis across the nodes) is not what this tests.
 */
async function seedUsers(count: number): Promise<{ user: UserDto; token: string }[]> {
  const client = new pg.Client({ connectionString: POSTGRES_URL })
  await client.connect()
  try {
    await client.query(`SET search_path TO ${quoteIdent(nodes.current().schema)}`)
    const names = Array.from({ length: count }, (_, i) => `member${i}`)
    const { rows } = await client.query<{ user_id: number; username: string; display_name: string }>(
      `INSERT INTO "User" (username, display_name, password_hash) SELECT n, n, $2 FROM unnest($1::text[]) WITH ORDINALITY AS t(n, i) ORDER BY i RETURNING user_id, username, display_name`,
      [names, await hashPassword('correct horse battery')],
    )
    const tokens = createTokenService(loadOrCreateSecret(nodes.current().dataDir), '1h')
    return Promise.all(rows.map(async (user) => ({ user, token: await tokens.sign(user.user_id) })))
  } finally {
    await client.end()
  }
}

it('fans 100 messages from 5 senders on 3 nodes out to 50 members once each; a removed member gets their notice and nothing after', { timeout: 180_000 }, async () => {
  // Member i's socket is on node i % 3, so the members are spread evenly over the three nodes.
  const members: Member[] = []
  for (const [i, { user, token }] of (await seedUsers(MEMBERS)).entries()) {
    const socket = await connect(on(i % 3), token)
    members.push({ user, token, node: i % 3, socket, got: collect<MessageDto>(socket, 'new_message') })
  }
  const owner = members[0]!
  const as = (who: Member, node: number) => new Api(on(node), who.token)

  const created = await as(owner, 0).post<ConversationDto>('/api/groups', { title: 'Fan-out', member_ids: members.slice(1).map((m) => m.user.user_id) })
  expect(created.status).toBe(201)
  const group = created.body
  expect(group.kind).toBe('group')
  expect(group.participants.map((p) => p.user_id).sort((a, b) => a - b)).toEqual(members.map((m) => m.user.user_id).sort((a, b) => a - b))
  const inGroup = (m: Member) => m.got.filter((x) => x.conversation_id === group.conversation_id)
  const written = (m: Member) => inGroup(m).filter((x) => x.system === null)

  // Five senders (members 1..5: their sockets on nodes 1, 2, 0, 1, 2), sending at once, each message
  // through a node picked in turn, every other one over REST and the rest over the sender's socket.
  const senders = members.slice(1, 1 + SENDERS)
  const sent: number[] = []
  /** The node each message went in through, which is the node that broadcasts it. */
  const via = new Map<number, number>()
  await Promise.all(
    senders.map(async (sender, s) => {
      for (let k = 0; k < PER_SENDER; k++) {
        const body = { conversation_id: group.conversation_id, content: `s${s}-${k}`, sender_id: sender.user.user_id, client_id: `group-${s}-${k}` }
        const node = k % 2 === 0 ? (s + k) % 3 : sender.node
        const message: MessageDto =
          k % 2 === 0 ? (await as(sender, node).post<MessageDto>(`/api/messages/${group.conversation_id}`, body)).body : (await call(sender.socket, 'send_message', body)).message
        expect(message.conversation_id, JSON.stringify(message)).toBe(group.conversation_id)
        sent.push(message.message_id)
        via.set(message.message_id, node)
      }
    }),
  )
  expect(sent).toHaveLength(SENDERS * PER_SENDER)
  const all = [...sent].sort((a, b) => a - b)
  const progress = () => members.map((m) => written(m).length).join(' ')
  await until('every member has the 100 messages', () => members.every((m) => written(m).length >= all.length), { state: progress })

  // Each socket got each of the 100 exactly once and in id order (whatever node sent it and whatever
  // node the socket is on).
  expect(new Set(via.values()), 'the messages went in through all three nodes').toEqual(new Set([0, 1, 2]))
  for (const m of members) checkDelivery(m, written(m), all)

  // A member whose socket is on node 3, not a sender, is removed by the owner through node 1.
  const removed = members.find((m) => m.node === 2 && m !== owner && !senders.includes(m))!
  const remaining = members.filter((m) => m !== removed)
  // Their one-to-one chat with the owner, which they stay in.
  const direct = (await as(owner, 0).post<ConversationDto>('/api/conversations', { participant1_id: owner.user.user_id, participant2_id: removed.user.user_id })).body
  expect(direct.kind).toBe('direct')
  const removal = await new Api(on(0), owner.token).request<ConversationDto>('DELETE', `/api/conversations/${group.conversation_id}/members/${removed.user.user_id}`)
  expect(removal.status).toBe(200)
  expect(removal.body.participants.map((p) => p.user_id)).not.toContain(removed.user.user_id)

  // Then a message through node 2: every remaining member gets it.
  const after = (await as(senders[0]!, 1).post<MessageDto>(`/api/messages/${group.conversation_id}`, { content: 'after the removal', sender_id: senders[0]!.user.user_id })).body
  expect(after.conversation_id).toBe(group.conversation_id)
  await until('every remaining member has the message sent after the removal', () => remaining.every((m) => m.got.some((x) => x.message_id === after.message_id)), {
    state: () => `missing on ${remaining.filter((m) => !m.got.some((x) => x.message_id === after.message_id)).map((m) => `${m.user.username}@node${m.node + 1}`).join(', ')}`,
  })
  // The sentinel: sent through the same node after it, in a conversation the removed member is still
  // in. Once it has reached their socket, the group message would have too, had it been sent to them.
  const sentinel = (await as(owner, 1).post<MessageDto>(`/api/messages/${direct.conversation_id}`, { content: 'sentinel', sender_id: owner.user.user_id })).body
  expect(sentinel.message_id).toBeGreaterThan(after.message_id)
  await until('the removed member has the sentinel', () => removed.got.some((x) => x.message_id === sentinel.message_id))
  expect(removed.got.some((x) => x.message_id === after.message_id), 'the group message sent after the removal reached the removed member').toBe(false)

  // The removed member did get the notice of their own removal, as their last message of the group.
  const notices = inGroup(removed).filter((x) => x.system?.type === 'removed')
  expect(notices).toHaveLength(1)
  expect(notices[0]!.system).toMatchObject({ type: 'removed', actor_id: owner.user.user_id, user_ids: [removed.user.user_id] })
  expect(inGroup(removed).at(-1)!.message_id).toBe(notices[0]!.message_id)

  // Every socket's whole view of the group, notices included: each message once, in id order; the
  // removed member's ends with the notice of their removal, the others' with the message after it.
  const createdNotice = inGroup(owner).find((x) => x.system?.type === 'created')
  expect(createdNotice, 'the created notice').toBeDefined()
  for (const m of members) {
    const expected = [createdNotice!.message_id, ...all, notices[0]!.message_id, ...(m === removed ? [] : [after.message_id])]
    checkDelivery(m, inGroup(m), expected)
  }
  console.log(
    `groups on three nodes: ${MEMBERS} members (${[0, 1, 2].map((n) => members.filter((m) => m.node === n).length).join('/')} per node), ${all.length} messages from ${SENDERS} senders through 3 nodes, ${members.reduce((n, m) => n + written(m).length, 0)} deliveries, each once, in id order on every socket; ` +
      `the removed member on node 3 got the notice of their removal and not the later message`,
  )

  /** Exactly `expected` (ascending ids): each once, in id order. */
  function checkDelivery(m: Member, got: MessageDto[], expected: number[]): void {
    const ids = got.map((x) => x.message_id)
    const who = `member ${m.user.username} on node ${m.node + 1}`
    expect(new Set(ids).size, `${who}: no message twice`).toBe(ids.length)
    expect([...ids].sort((a, b) => a - b), `${who}: every message`).toEqual(expected)
    expect(ids, `${who}: in id order`).toEqual(expected)
  }
})
