// Catch-up by position in the change feed. Every row a client mirrors carries the position of its
// last change (Message.seq: stored, edited, deleted, reacted to; ConversationParticipant.seq: a read
// position moved, or the member removed; Conversation.seq: title, members or roles changed), so
// "everything after n" is the rows whose position is above n, each once and as it is now: compacted
// by construction. Positions commit in order (db/ports.ts): once the feed's counter reads P, every
// change up to P is committed. A page reads the counter and its rows in one snapshot, so the counter
// and the rows are of one moment: every change up to P is in the page, each row in its state at P, and
// a later change (a reaction to a message of the page) comes after P, live or in the next page. Found
// by test/scale/convergence.test.ts on three nodes: read at different moments, a read committed
// between the queries carried a page past a message, and a reaction committed between the counter
// and the messages moved a message past the page while its live new_message was already behind it.
import type { ConversationUpdateDto, MessageDto, ReadStateDto } from '../../shared/dto'
import type { SyncResult } from '../../shared/events'
import { LIMITS } from '../../shared/limits'
import { messageInclude, type Db, type Tx } from '../db/client'
import { toMessageDto } from '../db/mappers'
import type { ConversationService } from './conversations'
import type { Actor } from './types'

/** One change of a page: a message, a read position, or a group (read once the page is cut). */
type Item = { seq: number } & ({ message: MessageDto } | { read: ReadStateDto } | { conversationId: number })

export class ChangeFeedService {
  constructor(
    private readonly db: Db,
    private readonly conversations: ConversationService,
    /** Runs reads in one snapshot of the database (a transaction that sees one moment). */
    private readonly snapshot: <T>(work: (tx: Tx) => Promise<T>) => Promise<T>,
  ) {}

  /**
   * Every change after `afterSeq` the actor may see, by position, up to `limit` of them. A removed
   * member sees their group up to the notice of their removal: those messages as they are now, as
   * their history answers them (a later deletion reaches them too), none after it, no read position,
   * and the group as it was at their removal.
   */
  async since(actor: Actor, afterSeq: number, limit: number = LIMITS.syncPageDefault): Promise<SyncResult> {
    const read = await this.snapshot((tx) => this.read(tx, actor, afterSeq, limit))
    const result: SyncResult = { messages: [], has_more: read.has_more, read_states: [], conversations: [], position: read.position }
    for (const item of read.page) {
      if ('message' in item) result.messages.push(item.message)
      else if ('read' in item) result.read_states.push(item.read)
      else result.conversations!.push(await this.conversationAsSeen(actor, item.conversationId))
    }
    return result
  }

  /** One page's rows, all from one snapshot: the counter and every row as they were at one moment. */
  private async read(tx: Tx, actor: Actor, afterSeq: number, limit: number): Promise<{ page: Item[]; has_more: boolean; position: number }> {
    const upTo = (await tx.changeFeed.findUnique({ where: { id: 1 }, select: { seq: true } }))?.seq ?? 0
    const mine = await tx.conversationParticipant.findMany({
      where: { user_id: actor.user_id },
      select: { conversation_id: true, removed_at: true, visible_until: true, seq: true },
    })
    if (mine.length === 0 || upTo <= afterSeq) return { page: [], has_more: false, position: Math.max(afterSeq, upTo) }
    const current = mine.filter((m) => m.removed_at === null).map((m) => m.conversation_id)
    const removed = mine.filter((m) => m.removed_at !== null)
    const after = { gt: afterSeq, lte: upTo }
    const take = limit + 1
    const [messages, reads, groups, removals] = await Promise.all([
      tx.message.findMany({
        where: {
          seq: after,
          OR: [
            ...(current.length > 0 ? [{ conversation_id: { in: current } }] : []),
            ...removed.map((r) => ({ conversation_id: r.conversation_id, message_id: { lte: r.visible_until ?? 0 } })),
          ],
        },
        orderBy: { seq: 'asc' },
        take,
        include: messageInclude,
      }),
      current.length === 0
        ? []
        : tx.conversationParticipant.findMany({
            where: { conversation_id: { in: current }, removed_at: null, seq: after },
            orderBy: { seq: 'asc' },
            take,
            select: { conversation_id: true, user_id: true, last_read_message_id: true, seq: true },
          }),
      current.length === 0
        ? []
        : tx.conversation.findMany({ where: { conversation_id: { in: current }, seq: after }, orderBy: { seq: 'asc' }, take, select: { conversation_id: true, seq: true } }),
      removed.filter((r) => r.seq > afterSeq && r.seq <= upTo),
    ])
    const changed = [...groups, ...removals.map((r) => ({ conversation_id: r.conversation_id, seq: r.seq }))].sort((a, b) => a.seq - b.seq).slice(0, take)
    const items: Item[] = [
      ...messages.map((m) => ({ seq: m.seq, message: toMessageDto(m) })),
      ...reads.map(({ seq, ...read }) => ({ seq, read })),
      ...changed.map((c) => ({ seq: c.seq, conversationId: c.conversation_id })),
    ].sort((a, b) => a.seq - b.seq)
    const page = items.slice(0, limit)
    const has_more = items.length > limit
    // Everything up to the counter is in this page when nothing more waits: the next one starts there.
    return { page, has_more, position: has_more ? page.at(-1)!.seq : upTo }
  }

  /** A group as the actor sees it: as it is, or as it was at their removal. */
  private async conversationAsSeen(actor: Actor, conversationId: number): Promise<ConversationUpdateDto> {
    const seen = await this.conversations.asSeenBy(actor.user_id, conversationId)
    const { unread_count: _unread, muted: _muted, messages: _messages, ...conversation } = seen!
    return conversation
  }
}
