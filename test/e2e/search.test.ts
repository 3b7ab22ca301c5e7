// Message search in Chromium against a real server: a word only a message deep in a 5,000-message
// history holds is found from the panel (in the open conversation with Ctrl+F, in every one with
// Ctrl+Shift+F), and choosing it opens the conversation at that message: in view, marked, with the
// newer pages loading again as the user scrolls down.
import { describe, expect, it } from 'vitest'
import type { AuthResultDto, MessageDto } from '../../electron/shared/dto'
import type { NewMessage } from '../../electron/server/db/ports'
import { Api } from '../helpers/api'
import { assertClean, openChat, type Person } from './browser'
import { useStage } from './stage'

const ctx = useStage()
/** Through the server and back on two shared cores: more than expect.poll's default second. */
const soon = { timeout: 10_000 }

async function post(who: AuthResultDto, conversationId: number, content: string): Promise<MessageDto> {
  const res = await new Api(ctx.server.url, who.token).post<MessageDto>(`/api/messages/${conversationId}`, { content, sender_id: who.user.user_id })
  if (res.status !== 201) throw new Error(`POST message: ${res.status} ${JSON.stringify(res.body)}`)
  return res.body
}

/**
 * `count` messages stored through the server's own writer (as sends are: in the search index too),
 * a hundred per transaction and an hour apart per hundred: seconds, where 5,000 REST sends take minutes.
 */
async function seed(conversationId: number, people: AuthResultDto[], count: number, from: Date): Promise<void> {
  const writer = ctx.server.server.database.writer
  for (let done = 0; done < count; done += 100) {
    const batch: NewMessage[] = Array.from({ length: Math.min(100, count - done) }, (_, i) => ({
      conversation_id: conversationId,
      sender_id: people[(done + i) % people.length]!.user.user_id,
      content: `filler ${done + i + 1}: nothing to see here`,
      client_id: null,
      attachments: [],
    }))
    await writer.insert(batch, new Date(from.getTime() + (done / 100) * 3_600_000))
  }
}

/** Whether the element is rendered inside the visible part of the message list, and of the window. */
async function inView(p: Person, selector: string): Promise<boolean> {
  const box = await p.page.locator(selector).boundingBox()
  const list = await p.page.getByTestId('message-list').boundingBox()
  const viewport = p.page.viewportSize()!
  return !!box && !!list && box.y >= list.y && box.y + box.height <= list.y + list.height && box.y >= 0 && box.y + box.height <= viewport.height
}

describe('message search in a browser', () => {
  it('finds a message deep in 5,000 and opens the conversation at it, in view and marked', async () => {
    const ada = await ctx.stage.account('Ada')
    const bob = await ctx.stage.account('Bob')
    const cyd = await ctx.stage.account('Cyd')
    const withBob = await ctx.stage.conversation(ada, bob)
    const withCyd = await ctx.stage.conversation(ada, cyd)
    // The oldest message of Bob's conversation is the only one there with the word; 4,999 follow it.
    const needle = await post(bob, withBob, 'The periscope sketches are in the blue folder, second drawer.')
    await ctx.server.server.database.db.message.update({ where: { message_id: needle.message_id }, data: { created_at: new Date(Date.now() - 30 * 86_400_000) } })
    await seed(withBob, [ada, bob], 4_999, new Date(Date.now() - 29 * 86_400_000))
    // Cyd's conversation has it too, newer: only a search of every conversation finds it.
    await post(cyd, withCyd, 'Did you ever find those periscope sketches?')

    const a = await ctx.stage.signedIn(ada)
    await openChat(a, 'Bob')
    await a.page.getByText('filler 4999: nothing to see here', { exact: true }).waitFor()
    const page = a.page

    // Ctrl+F: Bob's conversation only.
    await page.keyboard.press('Control+f')
    const field = page.getByRole('combobox', { name: 'Search messages' })
    await expect.poll(() => field.evaluate((el) => el === document.activeElement), soon).toBe(true)
    const asked = page.waitForRequest((r) => r.url().includes('/api/search?') && r.url().includes(`conversation_id=${withBob}`))
    await field.pressSequentially('periscope')
    await asked
    const results = page.getByRole('listbox', { name: 'Results' }).getByRole('option')
    await expect.poll(() => results.count(), soon).toBe(1)
    expect(await results.first().locator('mark').allTextContents()).toEqual(['periscope'])

    // Ctrl+Shift+F: every conversation, newest first (Cyd's).
    await page.keyboard.press('Control+Shift+F')
    await expect.poll(() => results.count(), soon).toBe(2)
    expect(await results.getByTestId('search-sender').allTextContents()).toEqual(['Cyd', 'Bob'])
    expect(await results.nth(1).getAttribute('data-message-id')).toBe(String(needle.message_id))

    // ↓ then Enter: Bob's conversation opens at the message, loaded around it.
    const around = page.waitForRequest((r) => r.url().includes(`around=${needle.message_id}`))
    await field.press('ArrowDown')
    expect(await results.nth(1).getAttribute('aria-selected')).toBe('true')
    await field.press('Enter')
    await around
    await field.waitFor({ state: 'detached' })
    const target = `[data-testid=message][data-message-id="${needle.message_id}"]`
    await expect.poll(() => page.locator(`${target} [data-testid=bubble]`).getAttribute('data-highlighted'), soon).toBe('true')
    await expect.poll(() => inView(a, target), soon).toBe(true)
    expect(await page.evaluate(() => document.activeElement?.closest('[data-testid=message]')?.getAttribute('data-message-id'))).toBe(String(needle.message_id))
    // The beginning of the conversation is just above it; the latest is a pill away.
    await page.getByTestId('jump-latest').waitFor()

    // The view stays anchored on it while the mark fades (no jump to the bottom), then scrolling down loads newer pages.
    await expect.poll(() => page.locator(`${target} [data-testid=bubble]`).getAttribute('data-highlighted'), { timeout: 5_000 }).toBeNull()
    expect(await inView(a, target)).toBe(true)
    // (The page around it ends a few dozen messages later: 150 on means newer pages came.)
    const list = page.getByTestId('message-list')
    const newest = () => page.getByTestId('message').evaluateAll((els) => Math.max(...els.map((e) => Number(e.getAttribute('data-message-id')))))
    expect(await newest()).toBeLessThan(needle.message_id + 150)
    await expect
      .poll(async () => {
        await list.evaluate((el) => (el.scrollTop = el.scrollHeight))
        return newest()
      }, soon)
      .toBeGreaterThan(needle.message_id + 150)
  })

  it('made no request outside the server, and no page errors', () => {
    for (const person of ctx.stage.people) assertClean(person)
  })
})
