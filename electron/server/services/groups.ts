// Group conversations: who may change what, who becomes owner, and what the notices say. Every rule is
// checked inside the change's own transaction, against the membership as it is then, so concurrent
// calls end in one consistent membership and each notice tells what really changed.
import type { ConversationDto, MemberRole, SystemEventDto } from '../../shared/dto'
import { LIMITS } from '../../shared/limits'
import { AppError } from '../../shared/result'
import type { Db } from '../db/client'
import type { GroupTx, MemberRow } from '../db/ports'
import { badRequest, forbidden, notFound } from '../errors'
import type { ConversationService } from './conversations'
import type { MessageService, Notice } from './messages'
import { consume, type RateLimiters } from './rate-limits'
import type { Actor, ChatEvents } from './types'

type Names = Map<number, string>

/** The inert text of a notice, from what happened and the names of those involved. */
export function noticeText(event: SystemEventDto, names: Names): string {
  const name = (id: number): string => names.get(id) ?? `user ${id}`
  const list = (ids: number[]): string => {
    const all = ids.map(name)
    return all.length <= 1 ? (all[0] ?? '') : `${all.slice(0, -1).join(', ')} and ${all.at(-1)}`
  }
  const actor = name(event.actor_id)
  switch (event.type) {
    case 'created':
      return `${actor} created the group “${event.title}”`
    case 'renamed':
      return `${actor} renamed the group to “${event.title}”`
    case 'added':
      return `${actor} added ${list(event.user_ids)}`
    case 'removed':
      return `${actor} removed ${list(event.user_ids)}`
    case 'left':
      return `${actor} left`
    case 'role_changed':
      return event.role === 'owner' ? `${actor} made ${list(event.user_ids)} the owner` : `${actor} made ${list(event.user_ids)} ${event.role === 'admin' ? 'an admin' : 'a member'}`
  }
}

const canManage = (role: MemberRole | undefined): boolean => role === 'owner' || role === 'admin'

/** The current members, by joined_at then user_id (longest-standing first). */
const current = (rows: MemberRow[]): MemberRow[] => rows.filter((r) => r.removed_at === null)

export class GroupService {
  constructor(
    private readonly db: Db,
    private readonly conversations: ConversationService,
    private readonly messages: MessageService,
    private readonly events: ChatEvents,
    private readonly limits: RateLimiters,
  ) {}

  /** A new group; the caller is its owner and need not be listed. */
  async create(actor: Actor, input: { title: string; member_ids: number[] }): Promise<ConversationDto> {
    const others = [...new Set(input.member_ids)].filter((id) => id !== actor.user_id)
    if (others.length + 1 > LIMITS.groupMembersMax) throw badRequest(`a group has at most ${LIMITS.groupMembersMax} members, its owner included`, 'member_ids')
    await consume(this.limits.groups, actor.user_id, 'You are changing groups too fast')
    const names = await this.names(actor, others, 'member_ids')
    const change = await this.messages.changeGroup(
      actor,
      async (tx, at) => {
        const conversationId = await tx.createGroup(input.title, at)
        await tx.addMembers(conversationId, [actor.user_id], 'owner', at)
        await tx.addMembers(conversationId, others, 'member', at)
        const notice = await this.notice(tx, conversationId, { type: 'created', actor_id: actor.user_id, user_ids: others, title: input.title }, names, at)
        return { conversationId, notices: [notice], removed: [], seq: await tx.touch(conversationId, []) }
      },
      (made) => this.announce(actor, made, [actor.user_id, ...others]),
    )
    return this.conversations.one(actor, change.conversationId)
  }

  /** Renames a group (owner and admins) and/or mutes it for the caller (anyone, any conversation). */
  async update(actor: Actor, conversationId: number, input: { title?: string | undefined; muted?: boolean | undefined }): Promise<ConversationDto> {
    await this.conversations.assertParticipant(actor, conversationId)
    if (input.title !== undefined) {
      const title = input.title
      await this.change(actor, conversationId, async (tx, members) => {
        if (!canManage(members.find((m) => m.user_id === actor.user_id)?.role)) throw forbidden('Only the owner and admins can rename the group.')
        await tx.setTitle(conversationId, title)
        return [{ type: 'renamed', actor_id: actor.user_id, user_ids: [], title }]
      })
    }
    if (input.muted !== undefined) {
      await this.db.conversationParticipant.update({
        where: { conversation_id_user_id: { conversation_id: conversationId, user_id: actor.user_id } },
        data: { muted: input.muted },
      })
    }
    return this.conversations.one(actor, conversationId)
  }

  /** Adds people (owner and admins); those already in are left as they are. */
  async addMembers(actor: Actor, conversationId: number, userIds: number[]): Promise<ConversationDto> {
    const wanted = [...new Set(userIds)]
    const names = await this.names(actor, wanted, 'user_ids')
    await this.change(
      actor,
      conversationId,
      async (tx, members, at) => {
        if (!canManage(members.find((m) => m.user_id === actor.user_id)?.role)) throw forbidden('Only the owner and admins can add people.')
        const inNow = new Set(current(members).map((m) => m.user_id))
        const added = wanted.filter((id) => !inNow.has(id))
        if (inNow.size + added.length > LIMITS.groupMembersMax) {
          throw badRequest(`a group has at most ${LIMITS.groupMembersMax} members; it has ${inNow.size}`, 'user_ids')
        }
        await tx.addMembers(conversationId, added, 'member', at)
        return added.length > 0 ? [{ type: 'added', actor_id: actor.user_id, user_ids: added }] : []
      },
      names,
    )
    return this.conversations.one(actor, conversationId)
  }

  /**
   * Removes a member (the owner anyone, admins members only) or, for oneself, leaves. An owner who
   * leaves hands ownership to the longest-standing admin, else the longest-standing member.
   */
  async removeMember(actor: Actor, conversationId: number, userId: number): Promise<ConversationDto> {
    const leaving = userId === actor.user_id
    const names = await this.names(actor, [userId], 'userId')
    await this.change(
      actor,
      conversationId,
      async (tx, members, at) => {
        const me = members.find((m) => m.user_id === actor.user_id)!
        const target = current(members).find((m) => m.user_id === userId)
        if (!target) throw notFound(`User ${userId} is not a member of conversation ${conversationId}.`)
        if (!leaving) {
          if (!canManage(me.role)) throw forbidden('Only the owner and admins can remove people.')
          if (me.role === 'admin' && target.role !== 'member') throw forbidden('Admins can remove members only; the owner removes admins.')
        }
        const event: SystemEventDto = leaving ? { type: 'left', actor_id: actor.user_id, user_ids: [] } : { type: 'removed', actor_id: actor.user_id, user_ids: [userId] }
        // The notice first, so the one removed sees it as the last message of theirs.
        const notice = await this.notice(tx, conversationId, event, names, at)
        await tx.removeMember(conversationId, userId, at)
        await tx.setVisibleUntil(conversationId, [userId], notice.message_id)
        const notices = [notice]
        const heir = target.role === 'owner' ? this.heir(current(members).filter((m) => m.user_id !== userId)) : undefined
        if (heir) {
          await tx.setRole(conversationId, heir.user_id, 'owner')
          notices.push(await this.notice(tx, conversationId, { type: 'role_changed', actor_id: actor.user_id, user_ids: [heir.user_id], role: 'owner' }, await this.withName(names, heir.user_id), at))
        }
        return { notices, removed: [userId] }
      },
      names,
    )
    return this.conversations.one(actor, conversationId)
  }

  /** Changes a member's role: the owner any (naming a new owner hands ownership over); admins between member and admin, never the owner's. */
  async setRole(actor: Actor, conversationId: number, userId: number, role: MemberRole): Promise<ConversationDto> {
    const names = await this.names(actor, [userId], 'userId')
    await this.change(
      actor,
      conversationId,
      async (tx, members) => {
        const me = members.find((m) => m.user_id === actor.user_id)!
        const target = current(members).find((m) => m.user_id === userId)
        if (!target) throw notFound(`User ${userId} is not a member of conversation ${conversationId}.`)
        if (!canManage(me.role)) throw forbidden('Only the owner and admins can change roles.')
        if (role === 'owner' && me.role !== 'owner') throw forbidden('Only the owner can hand ownership over.')
        if (target.role === 'owner' && me.role !== 'owner') throw forbidden("Admins cannot change the owner's role.")
        if (target.user_id === actor.user_id && me.role === 'owner') throw badRequest('the owner keeps the role until handing it to someone else', 'role')
        if (target.role === role) return []
        await tx.setRole(conversationId, userId, role)
        if (role === 'owner') await tx.setRole(conversationId, actor.user_id, 'admin')
        return [{ type: 'role_changed', actor_id: actor.user_id, user_ids: [userId], role }]
      },
      names,
    )
    return this.conversations.one(actor, conversationId)
  }

  /**
   * Runs a change of an existing group: checks that it is a group and that the actor is in it, hands
   * `decide` the membership as the transaction sees it, stores a notice per event, then tells everyone.
   */
  private async change(
    actor: Actor,
    conversationId: number,
    decide: (tx: GroupTx, members: MemberRow[], at: Date) => Promise<SystemEventDto[] | { notices: Notice[]; removed: number[] }>,
    names: Names = new Map([[actor.user_id, actor.display_name]]),
  ): Promise<void> {
    await this.conversations.assertParticipant(actor, conversationId)
    await consume(this.limits.groups, actor.user_id, 'You are changing groups too fast')
    await this.messages.changeGroup(
      actor,
      async (tx, at) => {
        const kind = await tx.kind(conversationId)
        if (kind === null) throw notFound(`Conversation ${conversationId} does not exist.`)
        if (kind !== 'group') throw badRequest(`conversation ${conversationId} is a one-to-one chat; only groups have a title, roles and members to change`, 'conversationId')
        const members = await tx.members(conversationId)
        if (!current(members).some((m) => m.user_id === actor.user_id)) throw forbidden(`You are not a participant of conversation ${conversationId}.`)
        const decided = await decide(tx, members, at)
        const { notices, removed } = Array.isArray(decided) ? { notices: [] as Notice[], removed: [] } : decided
        if (Array.isArray(decided)) for (const event of decided) notices.push(await this.notice(tx, conversationId, event, names, at))
        // Each change that told of itself changed the group: it takes a position after its notices.
        return { conversationId, notices, removed, seq: notices.length > 0 ? await tx.touch(conversationId, removed) : null }
      },
      (change) => this.announce(actor, change, change.notices.flatMap((n) => (n.message.system?.type === 'added' ? n.message.system.user_ids : []))),
    )
  }

  private async notice(tx: GroupTx, conversationId: number, system: SystemEventDto, names: Names, at: Date): Promise<Notice> {
    const content = noticeText(system, names)
    const { message_id, seq } = await tx.insertNotice({ conversation_id: conversationId, sender_id: system.actor_id, content, client_id: null, attachments: [], system }, at)
    return { message_id, seq, content, system }
  }

  /** conversation_updated to the members, and to whoever was removed; nothing when nothing changed. Runs in the writes' order (changeGroup). */
  private async announce(actor: Actor, change: { conversationId: number; removed: number[]; seq: number | null }, added: number[]): Promise<void> {
    if (change.seq === null) return
    const seen = await this.conversations.one(actor, change.conversationId)
    const { unread_count: _unread, muted: _muted, messages: _messages, ...conversation } = seen
    this.events.emit('conversation_updated', { seq: change.seq, conversation, participantIds: conversation.participants.map((p) => p.user_id), added, removed: change.removed })
  }

  /** The longest-standing admin, else the longest-standing member. */
  private heir(members: MemberRow[]): MemberRow | undefined {
    return members.find((m) => m.role === 'admin') ?? members[0]
  }

  /** Display names of the actor and these users; 404 naming the first who does not exist. */
  private async names(actor: Actor, userIds: number[], field: string): Promise<Names> {
    const users = await this.db.user.findMany({ where: { user_id: { in: userIds } }, select: { user_id: true, display_name: true } })
    const names: Names = new Map(users.map((u) => [u.user_id, u.display_name]))
    const missing = userIds.find((id) => !names.has(id))
    if (missing !== undefined) throw new AppError('not_found', `User ${missing} does not exist.`, { field })
    names.set(actor.user_id, actor.display_name)
    return names
  }

  private async withName(names: Names, userId: number): Promise<Names> {
    if (names.has(userId)) return names
    const user = await this.db.user.findUnique({ where: { user_id: userId }, select: { display_name: true } })
    return new Map([...names, [userId, user?.display_name ?? `user ${userId}`]])
  }
}

