// The inbox's harder cases in Chromium against a real server: attachments, going offline, a narrow
// window, and a long history.
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { Api } from '../helpers/api'
import { assertClean, bubbles, openChat } from './browser'
import { useStage } from './stage'

type Scrollable = { scrollTop: number; scrollHeight: number }

const ctx = useStage()

describe('the inbox in a browser', () => {
  it('attaches an image by the picker and shows its preview on both sides', async () => {
    const { a, b } = await ctx.stage.pairInChat()
    await a.page.getByTestId('file-input').setInputFiles(path.resolve(__dirname, '../../resources/tray.png'))
    await a.page.getByTestId('draft').waitFor()
    await a.page.getByRole('textbox', { name: 'Message' }).fill('our icon')
    await a.page.getByRole('button', { name: 'Send' }).click()
    for (const person of [a, b]) {
      const preview = person.page.getByTestId('image-preview')
      await preview.waitFor()
      // The picture really loaded (from a blob: URL made from the authorized download).
      await expect.poll(() => preview.evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBe(32)
      expect(await preview.getAttribute('src')).toMatch(/^blob:/)
    }
    // A file that is not an image arrives as a chip, by drag-and-drop.
    const bytes = readFileSync(path.resolve(__dirname, '../../README.md')).toString('base64')
    const drop = await a.page.evaluateHandle((b64) => {
      const data = new DataTransfer()
      data.items.add(new File([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], 'README.md', { type: 'text/markdown' }))
      return data
    }, bytes)
    await a.page.getByRole('region', { name: /Conversation with/ }).dispatchEvent('drop', { dataTransfer: drop })
    await a.page.getByTestId('draft').filter({ hasText: 'README.md' }).waitFor()
    await a.page.getByRole('textbox', { name: 'Message' }).press('Enter')
    await b.page.getByTestId('file-chip').filter({ hasText: 'README.md' }).waitFor()
    // And a picture pasted into the composer (as from a screenshot tool).
    await a.page.getByRole('textbox', { name: 'Message' }).evaluate((el) => {
      const data = new DataTransfer()
      const pixel = Uint8Array.from(atob('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=='), (c) => c.charCodeAt(0))
      data.items.add(new File([pixel], 'pasted.png', { type: 'image/png' }))
      el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }))
    })
    await a.page.getByTestId('draft').filter({ hasText: 'pasted.png' }).waitFor()
    await a.page.getByRole('textbox', { name: 'Message' }).press('Enter')
    await expect.poll(() => b.page.getByTestId('image-preview').count()).toBe(2)
  })

  it('queues messages while offline and delivers them once when back', async () => {
    const { a, b, ada, conversationId } = await ctx.stage.pairInChat()
    await a.context.setOffline(true)
    // The page's socket is cut when the browser goes offline.
    await a.page.evaluate(() => dispatchEvent(new Event('offline')))
    await a.page.getByTestId('connection-banner').waitFor()
    expect(await a.page.getByTestId('connection-indicator').getAttribute('aria-label')).not.toBe('Connected')
    const composer = a.page.getByRole('textbox', { name: 'Message' })
    for (const text of ['offline one', 'offline two', 'offline three']) {
      await composer.fill(text)
      await composer.press('Enter')
    }
    await expect.poll(() => a.page.getByTestId('connection-banner').textContent()).toMatch(/3 waiting to send/)
    expect(await bubbles(a).filter({ hasText: 'offline' }).evaluateAll((els) => els.map((e) => e.getAttribute('data-receipt')))).toEqual(['pending', 'pending', 'pending'])
    await a.context.setOffline(false)
    await a.page.evaluate(() => dispatchEvent(new Event('online')))
    await bubbles(b).filter({ hasText: 'offline three' }).waitFor({ timeout: 20_000 })
    await a.page.getByTestId('connection-banner').waitFor({ state: 'detached', timeout: 20_000 })
    expect(await a.page.getByTestId('connection-indicator').getAttribute('aria-label')).toBe('Connected')
    // One more, online: once Bob has it, a second copy of a queued one would be there too.
    await composer.fill('back online')
    await composer.press('Enter')
    await bubbles(b).filter({ hasText: 'back online' }).waitFor()
    expect(await bubbles(b).evaluateAll((els) => els.map((e) => e.querySelector('[data-testid=content]')?.textContent))).toEqual(['offline one', 'offline two', 'offline three', 'back online'])
    const stored = (await new Api(ctx.server.url, ada.token).get(`/api/messages/${conversationId}`)).body as { content: string }[]
    expect(stored.map((m) => m.content)).toEqual(['offline one', 'offline two', 'offline three', 'back online'])
    await expect.poll(() => bubbles(a).filter({ hasText: 'offline' }).evaluateAll((els) => els.map((e) => e.getAttribute('data-receipt')))).toEqual(['read', 'read', 'read'])
  })

  it('shows one pane at a time in a narrow window, with a way back', async () => {
    const ada = await ctx.stage.account('Ada')
    const bob = await ctx.stage.account('Bob')
    await ctx.stage.conversation(ada, bob)
    const a = await ctx.stage.signedIn(ada, { width: 390, height: 760 })
    const list = a.page.getByTestId('list-pane')
    const chat = a.page.getByTestId('chat-pane')
    expect(await list.isVisible()).toBe(true)
    expect(await chat.isVisible()).toBe(false)
    await openChat(a, 'Bob')
    await a.page.getByRole('textbox', { name: 'Message' }).waitFor()
    expect(await list.isVisible()).toBe(false)
    expect(await chat.isVisible()).toBe(true)
    await a.page.getByRole('button', { name: 'Back to chats' }).click()
    expect(await list.isVisible()).toBe(true)
    expect(await chat.isVisible()).toBe(false)
    // Wide, both panes show side by side.
    await a.page.setViewportSize({ width: 1200, height: 760 })
    await openChat(a, 'Bob')
    expect(await list.isVisible()).toBe(true)
    expect(await chat.isVisible()).toBe(true)
  })

  it('pages back through 5,000 messages with a DOM that stays small', async () => {
    const ada = await ctx.stage.account('Ada')
    const bob = await ctx.stage.account('Bob')
    const conversationId = await ctx.stage.conversation(ada, bob)
    const db = ctx.server.server.database.db
    const start = new Date('2026-11-20T08:00:00Z').getTime()
    await db.message.createMany({
      data: Array.from({ length: 5000 }, (_, i) => ({
        conversation_id: conversationId,
        sender_id: i % 2 ? ada.user.user_id : bob.user.user_id,
        content: `history ${i + 1}`,
        created_at: new Date(start + i * 60_000),
        is_read: true,
      })),
    })
    const a = await ctx.stage.signedIn(ada)
    await openChat(a, 'Bob')
    const list = a.page.getByTestId('message-list')
    await a.page.getByText('history 5000', { exact: true }).waitFor()
    // At the top of the latest page, the page before it loads above without moving what was in view.
    const height = await list.evaluate((el) => (el as unknown as Scrollable).scrollHeight)
    // The list settles on the bottom in the frames after it opens (its rows measure themselves, then
    // it scrolls to the real bottom): a scroll made before then is taken back. Wait for those frames.
    await a.page.evaluate(() => new Promise<void>((done) => requestAnimationFrame(() => requestAnimationFrame(() => requestAnimationFrame(() => done())))))
    await list.evaluate((el) => ((el as unknown as Scrollable).scrollTop = 0))
    await expect.poll(() => list.evaluate((el) => (el as unknown as Scrollable).scrollHeight), { timeout: 10_000 }).toBeGreaterThan(height + 1000)
    await a.page.waitForTimeout(200)
    const anchored = await a.page.getByText('history 4951', { exact: true }).boundingBox()
    const view = await list.boundingBox()
    expect(anchored!.y).toBeGreaterThanOrEqual(view!.y - 5)
    expect(anchored!.y).toBeLessThan(view!.y + view!.height)
    let rounds = 0
    while (!(await a.page.getByText('This is the beginning of the conversation.').isVisible())) {
      await list.evaluate((el) => ((el as unknown as Scrollable).scrollTop = 0))
      await a.page.waitForTimeout(60)
      if (++rounds > 600) throw new Error('never reached the beginning')
    }
    await a.page.getByText('history 1', { exact: true }).waitFor()
    // 5,000 messages (and their day separators) loaded, a few dozen rows in the DOM.
    expect(await bubbles(a).count()).toBeLessThan(80)
    const separators = await a.page.getByTestId('day-separator').allTextContents()
    expect(separators[0]).toMatch(/Nov 20/)
    // And back down to the newest.
    await list.evaluate((el) => ((el as unknown as Scrollable).scrollTop = (el as unknown as Scrollable).scrollHeight))
    await a.page.getByText('history 5000', { exact: true }).waitFor()
  })

  it('made no request outside the server, and no page errors', () => {
    for (const person of ctx.stage.people) assertClean(person)
  })
})
