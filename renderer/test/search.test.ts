// Message search in the inbox: the snippet and its marks, then the panel driven through the in-memory
// MessengerApi: the shortcuts and their scopes, search as you type, the hint for a query too short to
// search, the states, the keyboard, paging, and opening a result at its message.
import { flushPromises } from '@vue/test-utils'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import type { MessageDto, SearchPageDto, SearchResultDto } from '../../electron/shared/dto'
import { LIMITS } from '../../electron/shared/limits'
import type { SearchParams } from '../../electron/shared/messenger-api'
import { AppError } from '../../electron/shared/result'
import InboxScreen from '../src/inbox/InboxScreen.vue'
import { snippetOf } from '../src/inbox/snippet'
import { ada, bob, conversation, cyd, fakeMessenger, group, member, message } from './fake-messenger'
import { mountUi } from './mount'

describe('a result’s snippet', () => {
  it('shows the text around the first match, cut at words, with the matches marked', () => {
    const text = `${'early words '.repeat(10)}the tent is in the shed ${'later words '.repeat(20)}`
    const start = text.indexOf('tent')
    const snippet = snippetOf(text, [[start, start + 4], [text.indexOf('shed'), text.indexOf('shed') + 4]])
    expect(snippet.cutBefore).toBe(true)
    expect(snippet.cutAfter).toBe(true)
    expect(snippet.parts.filter((p) => p.mark).map((p) => p.text)).toEqual(['tent', 'shed'])
    const shown = snippet.parts.map((p) => p.text).join('')
    // Starts at a word, a little before the match, and ends at a word.
    expect(shown.startsWith('early') || shown.startsWith('words')).toBe(true)
    expect(shown.indexOf('tent')).toBeLessThanOrEqual(30)
    expect(text).toContain(shown)
    expect(text[text.indexOf(shown) + shown.length]).toBe(' ')
  })

  it('shows a short message whole, and makes bad ranges safe: outside the text, overlapping, splitting an emoji', () => {
    expect(snippetOf('hello world', [[6, 11]])).toEqual({ parts: [{ text: 'hello ', mark: false }, { text: 'world', mark: true }], cutBefore: false, cutAfter: false })
    // Only a word or two before the window: shown, not cut.
    const short = 'It did, 0.1.0 is on the share. Installers for all three platforms.'
    expect(snippetOf(short, [[31, 41]])).toMatchObject({ cutBefore: false, cutAfter: false })
    expect(snippetOf('hello', [])).toEqual({ parts: [{ text: 'hello', mark: false }], cutBefore: false, cutAfter: false })
    expect(snippetOf('abc', [[-5, 1], [2, 99], [0, 2]]).parts).toEqual([{ text: 'abc', mark: true }])
    // 😀 is two UTF-16 units: a range ending inside it takes all of it.
    expect(snippetOf('a😀b', [[1, 2]]).parts).toEqual([{ text: 'a', mark: false }, { text: '😀', mark: true }, { text: 'b', mark: false }])
  })
})

describe('the search panel', () => {
  // happy-dom lays nothing out: the history's scroller would be 0 px high and the virtualizer would
  // render no row of a list mounted after its messages came. Give it a height.
  beforeAll(() => {
    Object.defineProperty(HTMLElement.prototype, 'clientHeight', {
      configurable: true,
      get(this: HTMLElement) {
        return this.dataset.testid === 'message-list' ? 600 : 0
      },
    })
  })
  afterAll(() => {
    delete (HTMLElement.prototype as { clientHeight?: number }).clientHeight
  })
  const mounted: { unmount(): void }[] = []
  afterEach(() => {
    // Unmounted, so no inbox of an earlier test still listens for the shortcuts.
    for (const w of mounted.splice(0)) w.unmount()
    vi.restoreAllMocks()
    document.body.innerHTML = ''
  })

  const at = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000).toISOString()
  const found = (m: MessageDto, word: string): SearchResultDto => {
    const i = m.content.indexOf(word)
    return { message: m, highlights: i < 0 ? [] : [[i, i + word.length]] }
  }
  const page = (results: SearchResultDto[], next_cursor: string | null = null): SearchPageDto => ({ results, next_cursor })

  /** Ada's inbox: Bob (1), a group (2) with a long history; `open` opens one before the test starts. */
  async function inbox(options: { open?: number } = {}) {
    const bobChat = Array.from({ length: 30 }, (_, i) => message({ conversation_id: 1, sender: i % 2 ? ada : bob, message_id: 100 + i, content: `chat ${i}`, created_at: at(300 - i) }))
    const groupChat = Array.from({ length: 120 }, (_, i) => message({ conversation_id: 2, sender: i % 2 ? cyd : bob, message_id: 1000 + i, content: `hike ${i}`, created_at: at(5000 - i) }))
    const fake = fakeMessenger({
      conversations: [conversation(1, bob, { messages: [bobChat.at(-1)!] }), group(2, 'Climbers', [member(ada, 'owner'), member(bob), member(cyd)], { messages: [groupChat.at(-1)!] })],
      history: { 1: bobChat, 2: groupChat },
    })
    const w = mountUi(InboxScreen, { session: { server_url: 'http://server', user: ada } }, fake.api)
    mounted.push(w)
    await flushPromises()
    if (options.open !== undefined) {
      await w.get(`[data-testid=conversation][aria-label^="${options.open === 1 ? 'Bob' : 'Climbers'}"]`).trigger('click')
      await flushPromises()
    }
    return { fake, w, bobChat, groupChat }
  }

  const key = (k: string, mods: { ctrl?: boolean; shift?: boolean } = {}) =>
    window.dispatchEvent(new KeyboardEvent('keydown', { key: mods.shift ? k.toUpperCase() : k, ctrlKey: !!mods.ctrl, shiftKey: !!mods.shift, bubbles: true, cancelable: true }))
  const field = () => document.querySelector<HTMLInputElement>('[data-testid=search-input]')
  const panel = () => field()?.closest('[role=dialog]') ?? null
  async function shortcut(mods: { shift?: boolean } = {}) {
    key('f', { ctrl: true, ...mods })
    await vi.waitFor(() => expect(field()).not.toBeNull())
    await flushPromises()
  }
  function type(text: string) {
    const input = field()!
    input.value = text
    input.dispatchEvent(new Event('input'))
  }
  const pressIn = async (k: string) => {
    field()!.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true, cancelable: true }))
    await flushPromises()
  }
  const pressed = (scope: 'conversation' | 'all') => document.querySelector(`[data-testid=scope-${scope}]`)?.getAttribute('aria-pressed')
  const options = () => [...document.querySelectorAll<HTMLElement>('[role=listbox] [role=option]')]
  const queries = (fake: ReturnType<typeof fakeMessenger>) => fake.api.searchMessages.mock.calls.map(([s]: [SearchParams]) => s)

  it('opens on Ctrl+F in the open conversation and on Ctrl+Shift+F in all, switches between them, and closes on Escape', async () => {
    const { fake, w } = await inbox({ open: 1 })
    await shortcut()
    expect(panel()!.textContent).toContain('In Bob Babbage')
    expect(pressed('conversation')).toBe('true')
    expect(pressed('all')).toBe('false')
    // The field has focus: typing searches in Bob's conversation.
    await vi.waitFor(() => expect(document.activeElement).toBe(field()))
    type('rope')
    await vi.waitFor(() => expect(fake.api.searchMessages).toHaveBeenCalledTimes(1))
    expect(queries(fake)[0]).toEqual({ q: 'rope', conversationId: 1, limit: LIMITS.searchPageDefault })
    // Ctrl+Shift+F while it is open: everywhere, at once, with the same words.
    await shortcut({ shift: true })
    await vi.waitFor(() => expect(fake.api.searchMessages).toHaveBeenCalledTimes(2))
    expect(queries(fake)[1]).toEqual({ q: 'rope', limit: LIMITS.searchPageDefault })
    expect(pressed('all')).toBe('true')
    expect(panel()!.textContent).toContain('In all conversations')
    // The toggle goes back to the conversation.
    ;(document.querySelector('[data-testid=scope-conversation]') as HTMLElement).click()
    await vi.waitFor(() => expect(fake.api.searchMessages).toHaveBeenCalledTimes(3))
    expect(queries(fake)[2]).toEqual({ q: 'rope', conversationId: 1, limit: LIMITS.searchPageDefault })
    // Escape closes the panel, not the chat behind it.
    field()!.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, cancelable: true }))
    await vi.waitFor(() => expect(field()).toBeNull())
    expect(w.find('h2').text()).toBe('Bob Babbage')
    // Opened again, the words and where it looked are still there.
    await shortcut()
    expect(field()!.value).toBe('rope')
    expect(pressed('conversation')).toBe('true')
  })

  it('searches everywhere when no conversation is open, and from the buttons in the list and the chat', async () => {
    const { w } = await inbox()
    await shortcut()
    expect(pressed('all')).toBe('true')
    expect(document.querySelector<HTMLButtonElement>('[data-testid=scope-conversation]')!.disabled).toBe(true)
    field()!.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, cancelable: true }))
    await vi.waitFor(() => expect(field()).toBeNull())
    await w.get('button[aria-label="Search messages"]').trigger('click')
    await vi.waitFor(() => expect(field()).not.toBeNull())
    expect(pressed('all')).toBe('true')
    field()!.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, cancelable: true }))
    await vi.waitFor(() => expect(field()).toBeNull())
    await w.get('[data-testid=conversation][aria-label^="Climbers"]').trigger('click')
    await flushPromises()
    await w.get('[data-testid=search-button]').trigger('click')
    await vi.waitFor(() => expect(field()).not.toBeNull())
    expect(pressed('conversation')).toBe('true')
    expect(panel()!.textContent).toContain('In Climbers')
  })

  it('waits for a pause in typing, and sends nothing for a query too short to search', async () => {
    const { fake } = await inbox({ open: 1 })
    await shortcut()
    expect(document.querySelector('[data-testid=search-empty]')).not.toBeNull()
    // One letter: the hint, and no call (a sentinel search afterwards proves none was on its way).
    type('r')
    await flushPromises()
    expect(document.querySelector('[data-testid=search-hint]')!.textContent).toBe('Type at least two letters')
    type('  r  ')
    await flushPromises()
    expect(document.querySelector('[data-testid=search-hint]')).not.toBeNull()
    // Typed quickly (each key handled before the next comes), "ro" then "rop" then "rope": one search, for the last.
    type('ro')
    await flushPromises()
    type('rop')
    await flushPromises()
    type('rope')
    await vi.waitFor(() => expect(fake.api.searchMessages).toHaveBeenCalled())
    type('ropes')
    await vi.waitFor(() => expect(fake.api.searchMessages).toHaveBeenCalledTimes(2))
    expect(queries(fake).map((q) => q.q)).toEqual(['rope', 'ropes'])
    // Two letters and a single CJK character are searchable.
    type('京')
    await vi.waitFor(() => expect(fake.api.searchMessages).toHaveBeenCalledTimes(3))
    expect(queries(fake)[2]!.q).toBe('京')
    // Cleared: the empty state again.
    type('')
    await flushPromises()
    expect(document.querySelector('[data-testid=search-empty]')).not.toBeNull()
  })

  it('shows the results with sender, conversation and time, the matches marked as text, never as HTML', async () => {
    const { fake } = await inbox({ open: 1 })
    const hostile = message({ conversation_id: 2, sender: cyd, message_id: 1050, content: '<b>x</b> the rope <img src=x onerror=alert(1)> is ready', created_at: at(90) })
    const mine = message({ conversation_id: 1, sender: ada, message_id: 110, content: 'bring the rope', created_at: at(30.5) })
    const theirs = message({ conversation_id: 1, sender: bob, message_id: 109, content: 'which rope?', created_at: at(200) })
    fake.api.searchMessages.mockResolvedValue(page([found(mine, 'rope'), found(hostile, 'rope'), found(theirs, 'rope')]))
    await shortcut({ shift: true })
    type('rope')
    await vi.waitFor(() => expect(options()).toHaveLength(3))
    const [first, second, third] = options()
    expect(first!.querySelector('[data-testid=search-sender]')!.textContent).toBe('You')
    expect(first!.querySelector('[data-testid=search-conversation]')!.textContent).toBe('Bob Babbage')
    expect(first!.querySelector('time')!.getAttribute('datetime')).toBe(mine.created_at)
    expect(first!.querySelector('time')!.textContent).toBe('30m ago')
    expect(second!.querySelector('[data-testid=search-sender]')!.textContent).toBe('Cyd Charisse')
    expect(second!.querySelector('[data-testid=search-conversation]')!.textContent).toBe('Climbers')
    // Bob's own one-to-one chat is named after him: his name once.
    expect(third!.querySelector('[data-testid=search-sender]')!.textContent).toBe('Bob Babbage')
    expect(third!.querySelector('[data-testid=search-conversation]')).toBeNull()
    const snippet = second!.querySelector('[data-testid=search-snippet]')!
    expect(snippet.textContent).toBe('<b>x</b> the rope <img src=x onerror=alert(1)> is ready')
    expect(snippet.querySelector('b, img')).toBeNull()
    expect([...snippet.querySelectorAll('mark')].map((m) => m.textContent)).toEqual(['rope'])
    expect([...snippet.querySelector('mark')!.childNodes].every((n) => n.nodeType === Node.TEXT_NODE)).toBe(true)
  })

  it('says when nothing matches, offering all conversations, and shows the app’s error', async () => {
    const { fake } = await inbox({ open: 1 })
    await shortcut()
    type('zebra')
    await vi.waitFor(() => expect(document.querySelector('[data-testid=search-none]')).not.toBeNull())
    expect(document.querySelector('[data-testid=search-none]')!.textContent).toContain('No messages match “zebra” in Bob Babbage')
    fake.api.searchMessages.mockRejectedValueOnce(new AppError('unavailable', 'The server is shutting down; try again in a moment.'))
    ;[...document.querySelectorAll<HTMLButtonElement>('[data-testid=search-none] button')].find((b) => b.textContent?.trim() === 'Search all conversations')!.click()
    await vi.waitFor(() => expect(document.querySelector('[data-testid=search-error]')).not.toBeNull())
    expect(queries(fake).at(-1)).toEqual({ q: 'zebra', limit: LIMITS.searchPageDefault })
    expect(document.querySelector('[data-testid=search-error]')!.textContent).toContain('The server is shutting down; try again in a moment.')
    expect(document.querySelector('[data-testid=search-error]')!.getAttribute('role')).toBe('alert')
  })

  it('moves through the results with ↑ and ↓ from the field, as a listbox, and pages on with next_cursor without repeats', async () => {
    const { fake, groupChat } = await inbox({ open: 1 })
    const hits = groupChat.slice(0, 5).reverse().map((m) => found(m, 'hike'))
    // Page one: three results; page two repeats the third (a message moved between pages) and adds two.
    fake.api.searchMessages.mockImplementation(async (s: SearchParams) => (s.cursor === undefined ? page(hits.slice(0, 3), 'c1') : page(hits.slice(2), null)))
    await shortcut({ shift: true })
    type('hike')
    await vi.waitFor(() => expect(options()).toHaveLength(3))
    const listbox = document.querySelector('[role=listbox]')!
    expect(field()!.getAttribute('role')).toBe('combobox')
    expect(field()!.getAttribute('aria-controls')).toBe(listbox.id)
    const selected = () => options().map((o) => o.getAttribute('aria-selected'))
    expect(selected()).toEqual(['true', 'false', 'false'])
    expect(field()!.getAttribute('aria-activedescendant')).toBe(options()[0]!.id)
    await pressIn('ArrowDown')
    expect(selected()).toEqual(['false', 'true', 'false'])
    expect(field()!.getAttribute('aria-activedescendant')).toBe(options()[1]!.id)
    await pressIn('ArrowUp')
    await pressIn('ArrowUp')
    expect(selected()).toEqual(['true', 'false', 'false'])
    // Focus stays in the field throughout.
    expect(document.activeElement).toBe(field())
    // Down to the last loads the next page, once; the repeated result is not shown twice.
    await pressIn('ArrowDown')
    await pressIn('ArrowDown')
    await vi.waitFor(() => expect(options()).toHaveLength(5))
    expect(queries(fake).at(-1)).toEqual({ q: 'hike', limit: LIMITS.searchPageDefault, cursor: 'c1' })
    expect(options().map((o) => o.dataset.messageId)).toEqual(hits.map((h) => String(h.message.message_id)))
    expect(selected()[2]).toBe('true')
    // The last page: no "Load more", and no more calls at the end.
    expect(document.querySelector('[data-testid=search-more]')).toBeNull()
    const calls = fake.api.searchMessages.mock.calls.length
    await pressIn('ArrowDown')
    await pressIn('ArrowDown')
    await pressIn('ArrowDown')
    expect(selected()[4]).toBe('true')
    expect(fake.api.searchMessages).toHaveBeenCalledTimes(calls)
  })

  it('loads the next page from "Load more"', async () => {
    const { fake, groupChat } = await inbox()
    fake.api.searchMessages.mockImplementation(async (s: SearchParams) => (s.cursor === undefined ? page([found(groupChat[9]!, 'hike')], 'next') : page([found(groupChat[8]!, 'hike')], null)))
    await shortcut()
    type('hike')
    await vi.waitFor(() => expect(document.querySelector('[data-testid=search-more]')).not.toBeNull())
    ;(document.querySelector('[data-testid=search-more]') as HTMLElement).click()
    await vi.waitFor(() => expect(options()).toHaveLength(2))
    expect(queries(fake).at(-1)).toEqual({ q: 'hike', limit: LIMITS.searchPageDefault, cursor: 'next' })
    expect(document.querySelector('[data-testid=search-more]')).toBeNull()
  })

  it('opens a result in another conversation at its message: the history around it loads, the message is marked and focused', async () => {
    const { fake, w, groupChat } = await inbox({ open: 1 })
    const target = groupChat[10]!
    fake.api.searchMessages.mockResolvedValue(page([found(groupChat[40]!, 'hike'), found(target, 'hike')]))
    // A short page: happy-dom lays nothing out, and the virtualizer then renders only part of a long one (the browser test has the real layout).
    fake.api.getMessages.mockImplementationOnce(async () => groupChat.slice(0, 20))
    await shortcut({ shift: true })
    type('hike 10')
    await vi.waitFor(() => expect(options()).toHaveLength(2))
    await pressIn('ArrowDown')
    await pressIn('Enter')
    await vi.waitFor(() => expect(field()).toBeNull())
    expect(fake.api.setActiveConversation).toHaveBeenLastCalledWith(2)
    // Straight to the page around it, not the latest page first.
    const asked = fake.api.getMessages.mock.calls.filter(([id]) => id === 2).map(([, p]) => p)
    expect(asked[0]).toEqual({ around: target.message_id, limit: LIMITS.pageDefault })
    expect(asked).not.toContainEqual({ limit: LIMITS.pageDefault })
    const bubble = () => w.find(`[data-message-id="${target.message_id}"] [data-testid=bubble]`)
    await vi.waitFor(() => expect(bubble().attributes('data-highlighted')).toBe('true'))
    await vi.waitFor(() => expect(document.activeElement).toBe(bubble().element))
    expect(w.get('h2').text()).toBe('Climbers')
    // An older stretch: the latest is a pill away, and it is not marked seen yet.
    expect(w.find('[data-testid=jump-latest]').exists()).toBe(true)
    expect(fake.api.markAsRead).not.toHaveBeenCalledWith(expect.anything(), 2)
  })

  it('opens a result of the open conversation that is loaded without asking the server again', async () => {
    const { fake, w, bobChat } = await inbox({ open: 1 })
    const target = bobChat[27]!
    fake.api.searchMessages.mockResolvedValue(page([found(target, 'chat')]))
    const calls = fake.api.getMessages.mock.calls.length
    await shortcut()
    type('chat 27')
    await vi.waitFor(() => expect(options()).toHaveLength(1))
    options()[0]!.click()
    await vi.waitFor(() => expect(w.find(`[data-message-id="${target.message_id}"] [data-testid=bubble]`).attributes('data-highlighted')).toBe('true'))
    expect(fake.api.getMessages).toHaveBeenCalledTimes(calls)
  })
})

