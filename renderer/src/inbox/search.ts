// Message search: the query, where it looks (the open conversation or every one), the results page
// by page, and how the search stands. Searches as the user types, after a pause; a query with nothing
// searchable in it (one Latin letter) is not sent: the server would only refuse it. One per inbox, so
// the panel finds its query and results again when it is opened again.
import { onScopeDispose, reactive, watch } from 'vue'
import type { SearchResultDto } from '../../../electron/shared/dto'
import { LIMITS } from '../../../electron/shared/limits'
import type { MessengerApi, SearchParams } from '../../../electron/shared/messenger-api'
import { searchTerms } from '../../../electron/shared/search-text'

export type SearchScope = 'conversation' | 'all'

/** `idle`: nothing typed; `too-short`: nothing searchable typed; `loading`: the first page is on its way. */
export type SearchStatus = 'idle' | 'too-short' | 'loading' | 'done' | 'error'

/** How long typing pauses before the search goes out. */
export const SEARCH_DEBOUNCE_MS = 250

export function useMessageSearch(api: MessengerApi, options: { debounceMs?: number } = {}) {
  const debounceMs = options.debounceMs ?? SEARCH_DEBOUNCE_MS
  const state = reactive({
    query: '',
    scope: 'all' as SearchScope,
    /** The conversation a `conversation` search looks in. */
    conversationId: null as number | null,
    results: [] as SearchResultDto[],
    nextCursor: null as string | null,
    status: 'idle' as SearchStatus,
    loadingMore: false,
    /** Why the last request failed, as the app put it. */
    error: null as string | null,
    /** The result the keyboard is on. */
    selected: 0,
  })
  let timer: ReturnType<typeof setTimeout> | undefined
  /** Counts searches started: an answer to an older one is dropped. */
  let asked = 0

  function params(): SearchParams {
    const scoped = state.scope === 'conversation' && state.conversationId !== null
    return { q: state.query.trim(), ...(scoped ? { conversationId: state.conversationId! } : {}), limit: LIMITS.searchPageDefault }
  }

  function reset(status: SearchStatus): void {
    state.results = []
    state.nextCursor = null
    state.error = null
    state.selected = 0
    state.status = status
  }

  /** The query or scope changed: search again once typing pauses (`now`: at once). */
  function changed(now: boolean): void {
    clearTimeout(timer)
    const mine = ++asked
    state.loadingMore = false
    const q = state.query.trim()
    if (!q) return reset('idle')
    if (searchTerms(q).length === 0) return reset('too-short')
    // The earlier results stay in view until the new ones come: no flicker while typing.
    state.status = 'loading'
    state.error = null
    timer = setTimeout(() => void first(mine), now ? 0 : debounceMs)
  }

  async function first(mine: number): Promise<void> {
    try {
      const page = await api.searchMessages(params())
      if (mine !== asked) return
      state.results = page.results
      state.nextCursor = page.next_cursor
      state.selected = 0
      state.status = 'done'
    } catch (e) {
      if (mine !== asked) return
      reset('error')
      state.error = (e as Error).message
    }
  }

  /** The next page, after the last; a result already shown is not shown twice. */
  async function more(): Promise<void> {
    if (state.status !== 'done' || !state.nextCursor || state.loadingMore) return
    const mine = asked
    state.loadingMore = true
    state.error = null
    try {
      const page = await api.searchMessages({ ...params(), cursor: state.nextCursor })
      if (mine !== asked) return
      const shown = new Set(state.results.map((r) => r.message.message_id))
      state.results = [...state.results, ...page.results.filter((r) => !shown.has(r.message.message_id))]
      state.nextCursor = page.next_cursor
    } catch (e) {
      if (mine === asked) state.error = (e as Error).message
    } finally {
      if (mine === asked) state.loadingMore = false
    }
  }

  /** Where to look: the open conversation, or every one (`conversationId` null: there is none open). */
  function scopeTo(scope: SearchScope, conversationId: number | null): void {
    state.conversationId = conversationId
    state.scope = conversationId === null ? 'all' : scope
  }

  /** Moves the keyboard's result by `step`, within the list; at the last one, the next page loads. */
  function move(step: number): void {
    if (!state.results.length) return
    state.selected = Math.max(0, Math.min(state.results.length - 1, state.selected + step))
    if (state.selected === state.results.length - 1) void more()
  }

  watch(
    () => state.query,
    () => changed(false),
  )
  watch(
    () => [state.scope, state.conversationId],
    () => changed(true),
  )
  onScopeDispose(() => clearTimeout(timer))

  return { state, more, scopeTo, move }
}

export type MessageSearch = ReturnType<typeof useMessageSearch>
