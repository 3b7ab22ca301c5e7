// The chat view hands its bubbles what can be done to a message (reply, edit, delete, react, copy, go
// to the quoted original, earlier versions) through provide/inject: the bubbles sit deep in a
// virtualized list, and a bubble shown on its own (without a chat) simply offers nothing.
import type { DropdownMenuItem } from '@nuxt/ui'
import { computed, inject, provide, type ComputedRef, type InjectionKey } from 'vue'
import type { MessageDto, MessageVersionDto } from '../../../electron/shared/dto'
import { LIMITS } from '../../../electron/shared/limits'
import { reactedByMe } from './actions'

/** What a chat lets its bubbles do; each call reports its own failure to the chat. */
export interface MessageActions {
  me: number
  /** The user may still write here (a removed member only reads). */
  canWrite: () => boolean
  /** Within the edit window, by the chat's clock (one for all its bubbles: it moves a message out of the window while the chat stays open). */
  canEdit: (message: MessageDto) => boolean
  canDelete: (message: MessageDto) => boolean
  /** Where the user goes next after choosing Reply or Edit. */
  focusComposer: () => void
  reply: (message: MessageDto) => void
  edit: (message: MessageDto) => void
  /** Asks first, then deletes for everyone. */
  delete: (message: MessageDto) => void
  react: (message: MessageDto, emoji: string, on: boolean) => void
  copy: (message: MessageDto) => void
  /** Shows a message of this conversation, loading the history around it if needed. */
  jumpTo: (messageId: number) => void
  versions: (messageId: number) => Promise<MessageVersionDto[]>
  /** A participant's name (someone no longer in the group has none to show). */
  nameOf: (userId: number) => string
  retryAction: (actionId: string) => void
  discardAction: (actionId: string) => void
}

const MESSAGE_ACTIONS: InjectionKey<MessageActions> = Symbol('message-actions')

export function provideMessageActions(actions: MessageActions): void {
  provide(MESSAGE_ACTIONS, actions)
}

export function useMessageActions(): MessageActions | null {
  return inject(MESSAGE_ACTIONS, null)
}

/**
 * The items of a message's menu (the same for the hover button, right-click and long-press): reply,
 * react, edit, copy, delete, as far as the user may. None for a notice, a tombstone or nothing to act on.
 * `content` goes to the menu's content: when the menu closes, focus goes back to what opened it, except
 * after Reply and Edit (to the composer) and Delete (its dialog takes focus and gives it back itself).
 */
export function useMessageMenu(message: () => MessageDto | null): { items: ComputedRef<DropdownMenuItem[][]>; content: { onCloseAutoFocus: (event: Event) => void } } {
  const actions = useMessageActions()
  /** What takes focus once the menu has closed (while it is open, it keeps focus to itself). */
  let focusNext: (() => void) | null = null
  const then = (action: () => void, next: () => void) => () => {
    focusNext = next
    action()
  }
  const content = {
    onCloseAutoFocus(event: Event) {
      const next = focusNext
      focusNext = null
      if (!next) return
      event.preventDefault()
      next()
    },
  }
  const items = computed(() => {
    const m = message()
    if (!actions || !m || m.system || m.deleted_at) return []
    const writable = actions.canWrite()
    const respond: DropdownMenuItem[] = writable
      ? [
          { label: 'Reply', icon: 'i-lucide-reply', onSelect: then(() => actions.reply(m), actions.focusComposer) },
          {
            label: 'React',
            icon: 'i-lucide-smile-plus',
            // Checkbox items: a screen reader says which of them are the user's already; choosing one toggles it.
            children: LIMITS.quickReactions.map((emoji) => {
              const mine = m.reactions.some((r) => r.emoji === emoji && reactedByMe(r, actions.me))
              return { type: 'checkbox' as const, label: emoji, checked: mine, onSelect: () => actions.react(m, emoji, !mine) }
            }),
          },
        ]
      : []
    const change: DropdownMenuItem[] = []
    if (writable && actions.canEdit(m)) change.push({ label: 'Edit', icon: 'i-lucide-pencil', onSelect: then(() => actions.edit(m), actions.focusComposer) })
    if (m.content) change.push({ label: 'Copy text', icon: 'i-lucide-copy', onSelect: () => actions.copy(m) })
    const remove: DropdownMenuItem[] = writable && actions.canDelete(m) ? [{ label: 'Delete for everyone', icon: 'i-lucide-trash-2', color: 'error', onSelect: then(() => actions.delete(m), () => {}) }] : []
    return [respond, change, remove].filter((group) => group.length > 0)
  })
  return { items, content }
}
