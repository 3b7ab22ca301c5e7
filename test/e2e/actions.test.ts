// Message actions in Chromium against a real server, on both sides of a chat: a reply and its quote
// (jumping to the original, loaded or not), edits with their history, deletion for everyone (files
// gone too), reactions counted live, and edits and a deletion made offline delivered once.
import type { Locator } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import type { AuthResultDto, MessageDto, MessageVersionDto } from '../../electron/shared/dto'
import { Api } from '../helpers/api'
import { assertClean, bubbles, openChat, send, type Person } from './browser'
import { useStage } from './stage'

const ctx = useStage()
/** What crosses the server to the other browser: more than expect.poll's default second on two shared cores. */
const soon = { timeout: 10_000 }

const api = (who: AuthResultDto) => new Api(ctx.server.url, who.token)
/** The conversation as the server has it now (the latest page, oldest first). */
const stored = async (who: AuthResultDto, conversationId: number) => (await api(who).get<MessageDto[]>(`/api/messages/${conversationId}`)).body
const storedMessage = async (who: AuthResultDto, conversationId: number, text: string) => {
  const found = (await stored(who, conversationId)).find((m) => m.content === text)
  if (!found) throw new Error(`no message "${text}" on the server`)
  return found
}
async function post(who: AuthResultDto, conversationId: number, content: string, extra: Record<string, unknown> = {}): Promise<MessageDto> {
  const res = await api(who).post<MessageDto>(`/api/messages/${conversationId}`, { content, sender_id: who.user.user_id, ...extra })
  if (res.status !== 201) throw new Error(`POST message: ${res.status} ${JSON.stringify(res.body)}`)
  return res.body
}
const versionsOf = async (who: AuthResultDto, messageId: number) => (await api(who).get<MessageVersionDto[]>(`/api/messages/${messageId}/edits`)).body.map((v) => v.content)

/** A person's bubble for one message, by id (a tombstone has no text to find it by). */
const bubbleOf = (p: Person, messageId: number) => p.page.locator(`[data-testid=message][data-message-id="${messageId}"]`)
const textOf = (bubble: Locator) => bubble.getByTestId('content').textContent()
/** The texts of a person's bubbles in order, a tombstone as "(deleted)". */
const texts = (p: Person) => bubbles(p).evaluateAll((els) => els.map((e) => (e.querySelector('[data-testid=tombstone]') ? '(deleted)' : (e.querySelector('[data-testid=content]')?.textContent ?? ''))))
const composer = (p: Person) => p.page.getByRole('textbox', { name: 'Message' })

/** Opens a message's menu from the "…" button that shows on hover. */
async function openMenu(p: Person, bubble: Locator): Promise<void> {
  await bubble.getByTestId('bubble').hover()
  await bubble.getByTestId('message-menu').click()
  await p.page.getByRole('menu').waitFor()
}
/** Opens a message's menu by right-clicking the bubble. */
async function rightClick(p: Person, bubble: Locator): Promise<void> {
  await bubble.getByTestId('bubble').click({ button: 'right' })
  await p.page.getByRole('menu').waitFor()
}
const choose = (p: Person, label: string) => p.page.getByRole('menuitem', { name: label, exact: true }).click()
async function react(p: Person, emoji: string): Promise<void> {
  await choose(p, 'React')
  await p.page.getByRole('menuitemcheckbox', { name: emoji, exact: true }).click()
}

/** Whether the bubble is rendered and inside the visible part of the message list. */
async function inView(p: Person, bubble: Locator): Promise<boolean> {
  if ((await bubble.count()) === 0) return false
  const box = await bubble.boundingBox()
  const list = await p.page.getByTestId('message-list').boundingBox()
  return !!box && !!list && box.y + box.height > list.y && box.y < list.y + list.height
}

/** Ada and Bob with a conversation; `before` fills it over REST before either opens it. */
async function pair(options: { bobHeight?: number; before?: (ada: AuthResultDto, bob: AuthResultDto, conversationId: number) => Promise<void> } = {}) {
  const ada = await ctx.stage.account('Ada')
  const bob = await ctx.stage.account('Bob')
  const conversationId = await ctx.stage.conversation(ada, bob)
  await options.before?.(ada, bob, conversationId)
  const a = await ctx.stage.signedIn(ada)
  const b = await ctx.stage.signedIn(bob, options.bobHeight ? { height: options.bobHeight } : {})
  await openChat(a, 'Bob')
  await openChat(b, 'Ada')
  await a.page.getByRole('heading', { level: 2, name: 'Bob' }).waitFor()
  await b.page.getByRole('heading', { level: 2, name: 'Ada' }).waitFor()
  return { ada, bob, a, b, conversationId }
}

describe('message actions in two browsers', () => {
  it('replies from the menu: both see the quote, and on Bob’s side it jumps to the original and marks it', async () => {
    // Bob's window is short and ten messages stand between the original and the reply: it is out of his view.
    const { ada, bob, a, b, conversationId } = await pair({
      bobHeight: 420,
      before: async (ada, bob, id) => {
        await post(bob, id, 'Which train are we taking?')
        for (let i = 1; i <= 10; i++) await post(i % 2 ? ada : bob, id, `chatter ${i}`)
      },
    })
    const original = await storedMessage(bob, conversationId, 'Which train are we taking?')
    await bubbles(b).filter({ hasText: 'chatter 10' }).waitFor()

    await openMenu(a, bubbleOf(a, original.message_id))
    await choose(a, 'Reply')
    const preview = a.page.getByTestId('reply-preview')
    await preview.waitFor()
    expect(await preview.getByText('Replying to Bob').count()).toBe(1)
    expect(await preview.getByTestId('preview-excerpt').textContent()).toBe('Which train are we taking?')
    // Reply leaves the user in the composer.
    await expect.poll(() => a.page.evaluate(() => document.activeElement?.getAttribute('aria-label')), soon).toBe('Message')
    await a.page.keyboard.type('The 8:15, platform 2')
    await a.page.keyboard.press('Enter')
    await preview.waitFor({ state: 'detached' })

    // The server has it as a reply to the original.
    await expect.poll(async () => (await stored(ada, conversationId)).at(-1)?.reply_to?.message_id, soon).toBe(original.message_id)
    for (const p of [a, b]) {
      const reply = bubbles(p).filter({ hasText: 'The 8:15, platform 2' })
      await reply.waitFor()
      expect(await textOf(reply)).toBe('The 8:15, platform 2')
      expect(await reply.getByTestId('quote-sender').textContent()).toBe('Bob')
      expect(await reply.getByTestId('quote-excerpt').textContent()).toBe('Which train are we taking?')
    }

    // Bob, at the bottom, cannot see the original; a click on the quote brings it into view, marked and focused.
    const target = bubbleOf(b, original.message_id)
    await expect.poll(() => inView(b, bubbles(b).filter({ hasText: 'The 8:15, platform 2' })), soon).toBe(true)
    expect(await inView(b, target)).toBe(false)
    await bubbles(b).filter({ hasText: 'The 8:15, platform 2' }).getByTestId('quote').click()
    await expect.poll(() => target.getByTestId('bubble').getAttribute('data-highlighted'), soon).toBe('true')
    await expect.poll(() => inView(b, target), soon).toBe(true)
    expect(await b.page.evaluate(() => document.activeElement?.closest('[data-testid=message]')?.getAttribute('data-message-id'))).toBe(String(original.message_id))
    // The mark is for a moment only.
    await expect.poll(() => target.getByTestId('bubble').getAttribute('data-highlighted'), { timeout: 5_000 }).toBeNull()
  })

  it('jumps to a quoted message that is not loaded by asking for the history around it, then back to the latest', async () => {
    let originalId = 0
    const { b } = await pair({
      before: async (ada, bob, id) => {
        originalId = (await post(bob, id, 'Who has the tent?')).message_id
        // More than two pages (50 each) after it: neither Bob's first page holds it, nor does the page
        // around it reach that one (which would join them into one stretch).
        for (let i = 1; i <= 110; i++) await post(i % 2 ? ada : bob, id, `filler ${i}`)
        await post(ada, id, 'I do, and the poles', { reply_to_id: originalId })
      },
    })
    const reply = bubbles(b).filter({ hasText: 'I do, and the poles' })
    await reply.waitFor()
    expect(await reply.getByTestId('quote-excerpt').textContent()).toBe('Who has the tent?')
    expect(await bubbleOf(b, originalId).count()).toBe(0)
    const around = b.page.waitForRequest((r) => r.url().includes(`around=${originalId}`))
    await reply.getByTestId('quote').click()
    await around
    const target = bubbleOf(b, originalId)
    await expect.poll(() => target.getByTestId('bubble').getAttribute('data-highlighted'), soon).toBe('true')
    await expect.poll(() => inView(b, target), soon).toBe(true)
    expect(await textOf(target)).toBe('Who has the tent?')
    // An older stretch is on screen: a button goes back to the latest.
    await b.page.getByTestId('jump-latest').click()
    await expect.poll(() => inView(b, bubbles(b).filter({ hasText: 'I do, and the poles' })), soon).toBe(true)
    await b.page.getByTestId('jump-latest').waitFor({ state: 'detached' })
  })

  it('edits from the menu and by Up in an empty composer: Bob sees the new text, "edited", and the earlier version', async () => {
    const { ada, a, b, conversationId } = await pair()
    await send(a, 'See you at 6')
    await send(a, 'Bring the map')
    await bubbles(b).filter({ hasText: 'Bring the map' }).waitFor()
    const first = await storedMessage(ada, conversationId, 'See you at 6')
    const second = await storedMessage(ada, conversationId, 'Bring the map')

    // From the menu: the composer holds the text to change; Enter saves; a draft typed before comes back.
    await composer(a).fill('a draft')
    await openMenu(a, bubbleOf(a, first.message_id))
    await choose(a, 'Edit')
    const editBox = a.page.getByRole('textbox', { name: 'Edit message' })
    await a.page.getByTestId('edit-preview').waitFor()
    await expect.poll(() => editBox.inputValue(), soon).toBe('See you at 6')
    await editBox.fill('See you at 7')
    await editBox.press('Enter')
    await a.page.getByTestId('edit-preview').waitFor({ state: 'detached' })
    expect(await composer(a).inputValue()).toBe('a draft')
    await expect.poll(() => textOf(bubbleOf(b, first.message_id)), soon).toBe('See you at 7')
    await bubbleOf(b, first.message_id).getByTestId('edited').waitFor()
    await bubbleOf(a, first.message_id).getByTestId('edited').waitFor()
    expect(await textOf(bubbleOf(a, first.message_id))).toBe('See you at 7')

    // Up in the empty composer edits the last own message.
    await composer(a).fill('')
    await composer(a).press('ArrowUp')
    await a.page.getByTestId('edit-preview').waitFor()
    expect(await a.page.getByTestId('edit-preview').getByTestId('preview-excerpt').textContent()).toBe('Bring the map')
    await editBox.fill('Bring the big map')
    await a.page.getByRole('button', { name: 'Save edit' }).click()
    await expect.poll(() => textOf(bubbleOf(b, second.message_id)), soon).toBe('Bring the big map')
    await bubbleOf(b, second.message_id).getByTestId('edited').waitFor()

    // "edited" opens what it said before, then what it says now.
    await bubbleOf(b, first.message_id).getByRole('button', { name: 'Edited: show earlier versions' }).click()
    const history = b.page.getByTestId('versions')
    await history.getByTestId('version').first().waitFor()
    expect(await history.getByTestId('version').getByTestId('version-content').allTextContents()).toEqual(['See you at 6'])
    expect(await history.getByTestId('version-current').getByTestId('version-content').textContent()).toBe('See you at 7')
    await b.page.keyboard.press('Escape')
    await history.waitFor({ state: 'detached' })

    // One version each on the server, and no copies of the messages on either side.
    expect(await versionsOf(ada, first.message_id)).toEqual(['See you at 6'])
    expect(await versionsOf(ada, second.message_id)).toEqual(['Bring the map'])
    for (const p of [a, b]) expect(await texts(p)).toEqual(['See you at 7', 'Bring the big map'])
  })

  it('deletes for everyone after asking: both see the tombstone, its file is gone, a reply’s quote says so', async () => {
    const { ada, bob, a, b, conversationId } = await pair()
    await a.page.getByTestId('file-input').setInputFiles({ name: 'plan.txt', mimeType: 'text/plain', buffer: Buffer.from('the secret plan\n') })
    await a.page.getByTestId('draft').waitFor()
    await composer(a).fill('Here is the plan')
    await composer(a).press('Enter')
    await bubbles(b).filter({ hasText: 'Here is the plan' }).getByTestId('file-chip').filter({ hasText: 'plan.txt' }).waitFor()
    const doomed = await storedMessage(ada, conversationId, 'Here is the plan')
    const fileUrl = doomed.attachments[0]!.file_url
    expect((await api(bob).get(fileUrl)).status).toBe(200)
    await post(bob, conversationId, 'Got it', { reply_to_id: doomed.message_id })
    await bubbles(a).filter({ hasText: 'Got it' }).waitFor()

    // Cancel changes nothing.
    const dialog = a.page.getByRole('dialog', { name: 'Delete this message for everyone?' })
    await openMenu(a, bubbleOf(a, doomed.message_id))
    await choose(a, 'Delete for everyone')
    await dialog.waitFor()
    await dialog.getByRole('button', { name: 'Cancel' }).click()
    await dialog.waitFor({ state: 'detached' })
    expect((await storedMessage(ada, conversationId, 'Here is the plan')).deleted_at).toBeNull()

    // Right-click, Delete for everyone, Delete.
    await rightClick(a, bubbleOf(a, doomed.message_id))
    await choose(a, 'Delete for everyone')
    await dialog.getByRole('button', { name: 'Delete' }).click()
    for (const p of [a, b]) {
      const gone = bubbleOf(p, doomed.message_id)
      await expect.poll(() => gone.getByTestId('tombstone').textContent().then((t) => t?.trim()), soon).toBe('This message was deleted')
      expect(await gone.getByTestId('content').count()).toBe(0)
      expect(await gone.getByTestId('file-chip').count()).toBe(0)
      expect(await gone.getByTestId('message-menu').count()).toBe(0)
      await expect.poll(() => bubbles(p).filter({ hasText: 'Got it' }).getByTestId('quote-excerpt').textContent(), soon).toBe('deleted message')
      expect(await texts(p)).toEqual(['(deleted)', 'Got it'])
    }
    // The server keeps a tombstone, and the file answers 404.
    const tombstone = (await stored(bob, conversationId)).find((m) => m.message_id === doomed.message_id)!
    expect(tombstone).toMatchObject({ content: '', attachments: [], reactions: [] })
    expect(tombstone.deleted_at).not.toBeNull()
    expect((await api(bob).get(fileUrl)).status).toBe(404)
  })

  it('counts reactions live on both sides: Bob reacts, Ada adds hers, Bob takes his back', async () => {
    const { ada, bob, a, b, conversationId } = await pair()
    await send(a, 'Lunch at noon?')
    await bubbles(b).filter({ hasText: 'Lunch at noon?' }).waitFor()
    const { message_id: id } = await storedMessage(ada, conversationId, 'Lunch at noon?')
    const chip = (p: Person, emoji: string) => bubbleOf(p, id).getByTestId('reaction').filter({ hasText: emoji })
    const count = (p: Person, emoji: string) => chip(p, emoji).getByTestId('reaction-count').textContent()

    await openMenu(b, bubbleOf(b, id))
    await react(b, '👍')
    for (const p of [a, b]) await expect.poll(() => count(p, '👍'), soon).toBe('1')
    expect(await chip(a, '👍').getAttribute('aria-pressed')).toBe('false')
    expect(await chip(b, '👍').getAttribute('aria-pressed')).toBe('true')
    expect(await chip(a, '👍').getAttribute('aria-label')).toBe('👍 1: Bob. React with 👍')

    // Ada adds hers with the chip.
    await chip(a, '👍').click()
    for (const p of [a, b]) await expect.poll(() => count(p, '👍'), soon).toBe('2')
    await expect.poll(() => chip(a, '👍').getAttribute('aria-pressed'), soon).toBe('true')

    // Another emoji, from the right-click menu.
    await rightClick(b, bubbleOf(b, id))
    await react(b, '❤️')
    for (const p of [a, b]) await expect.poll(() => count(p, '❤️'), soon).toBe('1')

    // Bob takes his 👍 back with his chip.
    await chip(b, '👍').click()
    for (const p of [a, b]) await expect.poll(() => count(p, '👍'), soon).toBe('1')
    await expect.poll(() => chip(b, '👍').getAttribute('aria-pressed'), soon).toBe('false')
    expect(await chip(a, '👍').getAttribute('aria-pressed')).toBe('true')
    expect(await chip(b, '👍').getAttribute('aria-label')).toBe('👍 1: Ada. React with 👍')

    // As the server counts them, and one chip per emoji on each side.
    const { reactions } = await storedMessage(bob, conversationId, 'Lunch at noon?')
    expect(reactions).toEqual([
      { emoji: '👍', count: 1, user_ids: [ada.user.user_id] },
      { emoji: '❤️', count: 1, user_ids: [bob.user.user_id] },
    ])
    for (const p of [a, b]) expect(await bubbleOf(p, id).getByTestId('reaction').count()).toBe(2)
  })

  it('edits and a deletion made offline show "Saving…"/"Deleting…", then reach Bob once each, in order', async () => {
    const { ada, a, b, conversationId } = await pair()
    await send(a, 'Bring snacks')
    await send(a, 'Meet at 6')
    await bubbles(b).filter({ hasText: 'Meet at 6' }).waitFor()
    const snacks = await storedMessage(ada, conversationId, 'Bring snacks')
    const meet = await storedMessage(ada, conversationId, 'Meet at 6')

    await a.context.setOffline(true)
    // The page's socket is cut when the browser goes offline (as inbox.test.ts does).
    await a.page.evaluate(() => dispatchEvent(new Event('offline')))
    await a.page.getByTestId('connection-banner').waitFor()

    // A deletion, then two edits of the same message (the second by Up), all queued.
    await openMenu(a, bubbleOf(a, snacks.message_id))
    await choose(a, 'Delete for everyone')
    await a.page.getByRole('dialog', { name: 'Delete this message for everyone?' }).getByRole('button', { name: 'Delete' }).click()
    await expect.poll(() => bubbleOf(a, snacks.message_id).getByTestId('action-status').textContent(), soon).toBe('Deleting…')

    await openMenu(a, bubbleOf(a, meet.message_id))
    await choose(a, 'Edit')
    const editBox = a.page.getByRole('textbox', { name: 'Edit message' })
    await expect.poll(() => editBox.inputValue(), soon).toBe('Meet at 6')
    await editBox.fill('Meet at 7')
    await editBox.press('Enter')
    const meetA = bubbleOf(a, meet.message_id)
    await expect.poll(() => meetA.getByTestId('action-status').textContent(), soon).toBe('Saving…')
    expect(await textOf(meetA)).toBe('Meet at 7')

    await composer(a).press('ArrowUp')
    await expect.poll(() => editBox.inputValue(), soon).toBe('Meet at 7')
    await editBox.fill('Meet at 7:30')
    await editBox.press('Enter')
    await expect.poll(() => textOf(meetA), soon).toBe('Meet at 7:30')
    expect(await meetA.getByTestId('action-status').textContent()).toBe('Saving…')

    // Nothing has left Ada's browser: the server and Bob still have the old state.
    expect((await storedMessage(ada, conversationId, 'Meet at 6')).edited_at).toBeNull()
    expect((await storedMessage(ada, conversationId, 'Bring snacks')).deleted_at).toBeNull()
    expect(await texts(b)).toEqual(['Bring snacks', 'Meet at 6'])

    await a.context.setOffline(false)
    await a.page.evaluate(() => dispatchEvent(new Event('online')))
    const meetB = bubbleOf(b, meet.message_id)
    await expect.poll(() => textOf(meetB), { timeout: 20_000 }).toBe('Meet at 7:30')
    await bubbleOf(b, snacks.message_id).getByTestId('tombstone').waitFor({ timeout: 20_000 })
    await a.page.getByTestId('connection-banner').waitFor({ state: 'detached', timeout: 20_000 })
    await meetA.getByTestId('action-status').waitFor({ state: 'detached', timeout: 20_000 })
    await meetA.getByTestId('edited').waitFor()
    expect(await textOf(meetA)).toBe('Meet at 7:30')
    expect(await a.page.getByTestId('action-failed').count()).toBe(0)

    // A message sent after: once Bob has it, anything sent again before it would be there too.
    await send(a, 'sentinel')
    await bubbles(b).filter({ hasText: 'sentinel' }).waitFor()
    for (const p of [a, b]) expect(await texts(p)).toEqual(['(deleted)', 'Meet at 7:30', 'sentinel'])
    // Each edit applied once, in the order made: exactly the two earlier versions.
    expect(await versionsOf(ada, meet.message_id)).toEqual(['Meet at 6', 'Meet at 7'])
    const server = await stored(ada, conversationId)
    expect(server.map((m) => [m.content, m.deleted_at !== null])).toEqual([
      ['', true],
      ['Meet at 7:30', false],
      ['sentinel', false],
    ])
    // Bob's "edited" says the same.
    await meetB.getByRole('button', { name: 'Edited: show earlier versions' }).click()
    const history = b.page.getByTestId('versions')
    await history.getByTestId('version').first().waitFor()
    expect(await history.getByTestId('version').getByTestId('version-content').allTextContents()).toEqual(['Meet at 6', 'Meet at 7'])
    expect(await history.getByTestId('version-current').getByTestId('version-content').textContent()).toBe('Meet at 7:30')
  })

  it('made no request outside the server, and no page errors', () => {
    for (const person of ctx.stage.people) assertClean(person)
  })
})
