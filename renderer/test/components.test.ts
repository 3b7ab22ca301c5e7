import { afterEach, describe, expect, it } from 'vitest'
import { nextTick } from 'vue'
import MessageComposer from '../src/inbox/MessageComposer.vue'
import ConversationList from '../src/inbox/ConversationList.vue'
import { createInbox } from '../src/inbox/inbox'
import MessageBubble from '../src/inbox/MessageBubble.vue'
import { ada, bob, conversation, cyd, fakeMessenger, flush, message } from './fake-messenger'
import { mountUi } from './mount'

afterEach(() => {
  document.body.innerHTML = ''
})

describe('MessageBubble', () => {
  const render = (item: object) => mountUi(MessageBubble, { item: { actions: [], replyTo: null, ...item } })

  it('shows ✓ for sent and ✓✓ for read on our messages, nothing on theirs', () => {
    const sent = render({ kind: 'message', key: 'a', mine: true, message: message({ conversation_id: 1, sender: ada, is_read: false }) })
    expect(sent.get('[data-testid=receipt]').text()).toBe('✓')
    expect(sent.get('[data-testid=receipt]').attributes('aria-label')).toBe('Sent')
    const read = render({ kind: 'message', key: 'b', mine: true, message: message({ conversation_id: 1, sender: ada, is_read: true }) })
    expect(read.get('[data-testid=receipt]').text()).toBe('✓✓')
    const theirs = render({ kind: 'message', key: 'c', mine: false, message: message({ conversation_id: 1, sender: bob }) })
    expect(theirs.find('[data-testid=receipt]').exists()).toBe(false)
  })

  it('renders text as text, never as HTML', () => {
    const hostile = '<img src=x onerror="window.__pwned=1"><b>bold</b>'
    const w = render({ kind: 'message', key: 'a', mine: false, message: message({ conversation_id: 1, sender: bob, content: hostile }) })
    expect(w.get('[data-testid=content]').text()).toBe(hostile)
    expect(w.find('[data-testid=content] img').exists()).toBe(false)
    expect(w.find('[data-testid=content] b').exists()).toBe(false)
  })

  it('offers retry and discard for a send the server refused', async () => {
    const w = render({
      kind: 'pending',
      key: 'p',
      mine: true,
      pending: { client_id: 'c9', conversation_id: 1, content: 'x', queued_at: '2026-11-27T10:00:00.000Z', state: 'failed', attempts: 3, error: { code: 'rate_limited', message: 'Slow down.' } },
    })
    expect(w.text()).toContain('Slow down.')
    expect(w.get('[data-testid=receipt]').attributes('aria-label')).toBe('Not sent')
    const buttons = w.findAll('button')
    expect(buttons.map((b) => b.text())).toEqual(['Retry', 'Discard'])
  })
})

describe('MessageComposer', () => {
  const setup = () => {
    const sent: [string, unknown[]][] = []
    const typing: boolean[] = []
    const w = mountUi(MessageComposer, { upload: async () => ({}), onSend: (c: string, a: unknown[]) => sent.push([c, a]), onTyping: (t: boolean) => typing.push(t) })
    return { w, sent, typing, textarea: w.get('textarea') }
  }

  it('sends on Enter and keeps Shift+Enter for a new line', async () => {
    const { sent, textarea } = setup()
    await textarea.setValue('first line')
    await textarea.trigger('keydown', { key: 'Enter', shiftKey: true })
    expect(sent).toEqual([])
    await textarea.setValue('first line\nsecond line')
    await textarea.trigger('keydown', { key: 'Enter' })
    await flush()
    expect(sent).toEqual([['first line\nsecond line', []]])
    expect((textarea.element as HTMLTextAreaElement).value).toBe('')
  })

  it('sends nothing empty or blank, and says when typing starts and stops', async () => {
    const { sent, typing, textarea } = setup()
    await textarea.setValue('   ')
    await textarea.trigger('keydown', { key: 'Enter' })
    await flush()
    expect(sent).toEqual([])
    await textarea.setValue('hi')
    await textarea.trigger('input')
    expect(typing).toEqual([true])
    await textarea.trigger('keydown', { key: 'Enter' })
    await flush()
    expect(typing).toEqual([true, false])
  })
})

describe('ConversationList', () => {
  it('lists by activity with previews, unread counts and presence, and filters by name', async () => {
    const fake = fakeMessenger({
      conversations: [
        conversation(1, bob, { messages: [message({ conversation_id: 1, sender: ada, content: 'see you', created_at: '2026-11-27T09:00:00.000Z' })] }),
        conversation(2, cyd, { messages: [message({ conversation_id: 2, sender: cyd, content: 'news!', created_at: '2026-11-27T10:00:00.000Z' })], unread_count: 3 }),
      ],
      online: [3],
    })
    const inbox = createInbox(fake.api, ada)
    await inbox.start()
    const w = mountUi(ConversationList, { inbox }, fake.api)
    await nextTick()
    const rows = w.findAll('[data-testid=conversation]')
    expect(rows.map((r) => r.attributes('aria-label'))).toEqual(['Cyd Charisse, 3 unread', 'Bob Babbage'])
    expect(rows.map((r) => r.get('[data-testid=preview]').text())).toEqual(['news!', 'You: see you'])
    expect(rows[0]!.get('[data-testid=unread]').text()).toBe('3')
    expect(rows[1]!.find('[data-testid=unread]').exists()).toBe(false)
    expect(rows[0]!.find('[aria-label=online]').exists()).toBe(true)
    expect(rows[1]!.find('[aria-label=online]').exists()).toBe(false)
    await w.get('#conversation-filter').setValue('bob')
    expect(w.findAll('[data-testid=conversation]').map((r) => r.attributes('aria-label'))).toEqual(['Bob Babbage'])
  })
})
