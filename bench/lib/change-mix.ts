// The mixed changes of the catch-up benchmark, planned before they are made: a seeded model of each
// conversation (members, messages, reactions, read positions) picks only changes the server accepts,
// so every planned change is made and takes its position. The plan names messages by their index in
// their conversation; the bench resolves them to ids as it makes the changes.
import { LIMITS } from '../../electron/shared/limits'

/** Shares of each kind of change; a send that is not a reply is what is left. */
export const MIX_SHARES = {
  reply: 0.12,
  edit: 0.1,
  react: 0.12,
  unreact: 0.04,
  delete: 0.04,
  read: 0.096,
  rename: 0.002,
  add_member: 0.001,
  remove_member: 0.001,
} as const

export type ChangeKind = 'send' | keyof typeof MIX_SHARES
export type ChangeMix = Record<ChangeKind, number>

export const MIX_LABELS: Record<ChangeKind, string> = {
  send: 'new messages (not replies)',
  reply: 'replies',
  edit: 'edits',
  react: 'reactions added',
  unreact: 'reactions taken back',
  delete: 'deletions for everyone',
  read: 'read positions moved by others',
  rename: 'group renames',
  add_member: 'members added',
  remove_member: 'members removed',
}

/** `total` changes in the shares above, each kind at least once (at tiny sizes), sends making up the rest. */
export function mixOf(total: number): ChangeMix {
  const mix = { send: 0 } as ChangeMix
  for (const [kind, share] of Object.entries(MIX_SHARES) as [keyof typeof MIX_SHARES, number][]) mix[kind] = Math.max(1, Math.round(share * total))
  mix.send = total - Object.values(mix).reduce((a, b) => a + b, 0)
  if (mix.send < 1) throw new Error(`${total} changes are too few for the mix`)
  return mix
}

/** A planned change; `message` and `target` are indexes into the conversation's messages. */
export type PlannedChange = { conversation: number; actor: number } & (
  | { kind: 'send'; message: number; content: string; reply_to?: number }
  | { kind: 'edit'; target: number; content: string }
  | { kind: 'react' | 'unreact'; target: number; emoji: string }
  | { kind: 'delete' | 'read'; target: number }
  | { kind: 'rename'; title: string }
  | { kind: 'add_member' | 'remove_member'; user: number }
)

interface ModelMessage {
  sender: number
  deleted: boolean
  edits: number
  /** `${user_id} ${emoji}` */
  reactions: Set<string>
}

export interface PlanConversation {
  group: boolean
  /** The group's owner, who renames it and adds and removes members. */
  owner: number | null
  /** Current members, the reader among them. */
  members: number[]
  /** People the owner may add. */
  spares: number[]
}

/** Seeded, so every run of the benchmark makes the same changes. */
export function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const WORDS = 'ok so the meeting moved to thursday can you send the file again I think we should ask them first sounds good see you later where are we on the draft lunch at noon'.split(' ')
/** Recent messages are the ones edited, reacted to and deleted. */
const RECENT = 30

export class ChangePlanner {
  private readonly random: () => number
  private readonly messages: ModelMessage[][]
  private readonly readUpTo: Map<number, number>[]
  private renames = 0

  constructor(
    private readonly conversations: PlanConversation[],
    /** Whose client catches up: they make no change. */
    private readonly reader: number,
    seed: number,
  ) {
    this.random = rng(seed)
    this.messages = conversations.map(() => [])
    this.readUpTo = conversations.map(() => new Map())
  }

  /** History before the client goes offline: `perConversation` messages in each, a quarter of them the reader's. */
  history(perConversation: number): PlannedChange[] {
    const out: PlannedChange[] = []
    for (let i = 0; i < perConversation; i++) {
      this.conversations.forEach((c, conversation) => {
        const actor = this.random() < 0.25 ? this.reader : this.pick(this.actors(conversation))!
        out.push(this.send(conversation, actor))
      })
    }
    return out
  }

  /** The changes of `mix`, in a seeded order, by others than the reader. */
  changes(mix: ChangeMix): PlannedChange[] {
    const kinds = (Object.entries(mix) as [ChangeKind, number][]).flatMap(([kind, n]) => Array<ChangeKind>(n).fill(kind))
    for (let i = kinds.length - 1; i > 0; i--) {
      const j = Math.floor(this.random() * (i + 1))
      ;[kinds[i], kinds[j]] = [kinds[j]!, kinds[i]!]
    }
    const out: PlannedChange[] = []
    for (let i = 0; i < kinds.length; i++) {
      // A kind with nothing to act on yet (a reaction to take back before any was added) swaps with a later one.
      let change: PlannedChange | null = null
      for (let j = i; j < kinds.length && !change; j++) {
        change = this.plan(kinds[j]!)
        if (change) [kinds[i], kinds[j]] = [kinds[j]!, kinds[i]!]
      }
      if (!change) throw new Error(`no conversation can take a ${kinds[i]} now`)
      out.push(change)
    }
    return out
  }

  private plan(kind: ChangeKind): PlannedChange | null {
    // Groups are busier than one-to-one chats: three times the weight.
    const order = this.conversations.map((c, i) => ({ i, key: this.random() / (c.group ? 3 : 1) })).sort((a, b) => a.key - b.key)
    for (const { i } of order) {
      const change = this.planIn(kind, i)
      if (change) return change
    }
    return null
  }

  private planIn(kind: ChangeKind, conversation: number): PlannedChange | null {
    const c = this.conversations[conversation]!
    const messages = this.messages[conversation]!
    const actors = this.actors(conversation)
    const recent = (n: number, ok: (m: ModelMessage, index: number) => boolean): number[] => {
      const found: number[] = []
      for (let i = messages.length - 1; i >= Math.max(0, messages.length - n); i--) if (ok(messages[i]!, i)) found.push(i)
      return found
    }
    switch (kind) {
      case 'send':
        return this.send(conversation, this.pick(actors)!)
      case 'reply': {
        const target = this.pick(recent(RECENT * 2, (m) => !m.deleted))
        return target === undefined ? null : this.send(conversation, this.pick(actors)!, target)
      }
      case 'edit': {
        const target = this.pick(recent(RECENT, (m) => !m.deleted && actors.includes(m.sender) && m.edits < LIMITS.editsMax))
        if (target === undefined) return null
        const m = messages[target]!
        m.edits++
        return { kind, conversation, actor: m.sender, target, content: `${this.text()} (edit ${m.edits})` }
      }
      case 'react': {
        for (let attempt = 0; attempt < 10; attempt++) {
          const target = this.pick(recent(RECENT, (m) => !m.deleted))
          const actor = this.pick(actors)!
          const emoji = this.pick(LIMITS.quickReactions)!
          if (target === undefined) return null
          const key = `${actor} ${emoji}`
          if (messages[target]!.reactions.has(key)) continue
          messages[target]!.reactions.add(key)
          return { kind, conversation, actor, target, emoji }
        }
        return null
      }
      case 'unreact': {
        const taken = recent(RECENT * 2, (m) => !m.deleted).flatMap((target) =>
          [...messages[target]!.reactions].map((key) => ({ target, key, actor: Number(key.split(' ')[0]) })).filter((r) => actors.includes(r.actor)),
        )
        const r = this.pick(taken)
        if (!r) return null
        messages[r.target]!.reactions.delete(r.key)
        return { kind, conversation, actor: r.actor, target: r.target, emoji: r.key.slice(r.key.indexOf(' ') + 1) }
      }
      case 'delete': {
        const target = this.pick(recent(RECENT, (m) => !m.deleted && actors.includes(m.sender)))
        if (target === undefined) return null
        const m = messages[target]!
        m.deleted = true
        m.reactions.clear()
        return { kind, conversation, actor: m.sender, target }
      }
      case 'read': {
        // Someone reads up to the latest message they did not send; a move back or in place takes no position.
        const moves = actors.flatMap((actor) => {
          const target = recent(messages.length, (m) => !m.deleted && m.sender !== actor)[0]
          return target !== undefined && target > (this.readUpTo[conversation]!.get(actor) ?? -1) ? [{ actor, target }] : []
        })
        const move = this.pick(moves)
        if (!move) return null
        this.readUpTo[conversation]!.set(move.actor, move.target)
        return { kind, conversation, actor: move.actor, target: move.target }
      }
      case 'rename':
        return c.group ? { kind, conversation, actor: c.owner!, title: `Rename ${++this.renames}: ${this.text().slice(0, 40)}` } : null
      case 'add_member': {
        const user = c.group ? c.spares.shift() : undefined
        if (user === undefined) return null
        c.members.push(user)
        // A member added has read everything before them.
        this.readUpTo[conversation]!.set(user, messages.length - 1)
        return { kind, conversation, actor: c.owner!, user }
      }
      case 'remove_member': {
        const user = c.group ? this.pick(actors.filter((u) => u !== c.owner)) : undefined
        if (user === undefined || actors.length <= 2) return null
        c.members.splice(c.members.indexOf(user), 1)
        return { kind, conversation, actor: c.owner!, user }
      }
    }
  }

  private send(conversation: number, actor: number, replyTo?: number): PlannedChange {
    const messages = this.messages[conversation]!
    messages.push({ sender: actor, deleted: false, edits: 0, reactions: new Set() })
    return { kind: 'send', conversation, actor, message: messages.length - 1, content: this.text(), ...(replyTo === undefined ? {} : { reply_to: replyTo }) }
  }

  /** Members other than the reader. */
  private actors(conversation: number): number[] {
    return this.conversations[conversation]!.members.filter((u) => u !== this.reader)
  }

  private pick<T>(items: readonly T[]): T | undefined {
    return items.length === 0 ? undefined : items[Math.floor(this.random() * items.length)]
  }

  /** Ordinary message text, 3 to 20 words. */
  private text(): string {
    return Array.from({ length: 3 + Math.floor(this.random() * 18) }, () => this.pick(WORDS)).join(' ')
  }
}
