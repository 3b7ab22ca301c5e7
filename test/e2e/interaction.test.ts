// Keyboard, scrolling, themes and accessible names, in Chromium against a real server.
import { describe, expect, it } from 'vitest'
import { Api } from '../helpers/api'
import { assertClean, bubbles, type Person } from './browser'
import { useStage } from './stage'

const ctx = useStage()

describe('using the inbox', () => {
  it('works from the keyboard: ⌘/Ctrl+K, Alt+↑/↓, Ctrl+L, Escape', async () => {
    const me = await ctx.stage.account('Kay')
    const [x, y] = [await ctx.stage.account('Xavier'), await ctx.stage.account('Yvonne')]
    await ctx.stage.conversation(x, me, 1)
    await ctx.stage.conversation(y, me, 1)
    const p = await ctx.stage.signedIn(me)
    const { page } = p
    await page.keyboard.press('Control+k')
    await page.getByRole('dialog', { name: 'New conversation' }).waitFor()
    await page.keyboard.press('Escape')
    await page.getByRole('dialog').waitFor({ state: 'detached' })
    // Alt+↓ opens the first conversation in the list (the most recent: Yvonne's), then the next.
    await page.keyboard.press('Alt+ArrowDown')
    await page.getByRole('heading', { level: 2, name: 'Yvonne' }).waitFor()
    await page.keyboard.press('Alt+ArrowDown')
    await page.getByRole('heading', { level: 2, name: 'Xavier' }).waitFor()
    await page.keyboard.press('Alt+ArrowUp')
    await page.getByRole('heading', { level: 2, name: 'Yvonne' }).waitFor()
    await page.getByTestId('list-pane').click({ position: { x: 5, y: 200 } })
    await page.keyboard.press('Control+l')
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Message')
    await page.keyboard.type('typed without the mouse')
    await page.keyboard.press('Enter')
    await bubbles(p).filter({ hasText: 'typed without the mouse' }).waitFor()
    await page.keyboard.press('Escape')
    await page.getByText('Pick a conversation').waitFor()
  })

  it('follows new messages at the bottom, and offers a pill when scrolled up', async () => {
    const me = await ctx.stage.account('Pia')
    const other = await ctx.stage.account('Quinn')
    const id = await ctx.stage.conversation(other, me, 60)
    const p = await ctx.stage.signedIn(me)
    await p.page.getByTestId('conversation').first().click()
    await p.page.getByTestId('message-list').getByText('filler 60', { exact: true }).waitFor()
    const api = new Api(ctx.server.url, other.token)
    // At the bottom: the new message scrolls into view by itself.
    await api.post(`/api/messages/${id}`, { content: 'arrives at the bottom', sender_id: other.user.user_id })
    await p.page.getByTestId('message-list').getByText('arrives at the bottom').waitFor()
    await expect.poll(() => p.page.getByTestId('message-list').getByText('arrives at the bottom').isVisible()).toBe(true)
    expect(await p.page.getByTestId('new-messages-pill').count()).toBe(0)
    // Scrolled up: the view stays put and a pill counts what came.
    await p.page.getByTestId('message-list').evaluate((el) => (el.scrollTop = 400))
    await p.page.waitForTimeout(100)
    await api.post(`/api/messages/${id}`, { content: 'while reading history', sender_id: other.user.user_id })
    const pill = p.page.getByTestId('new-messages-pill')
    await pill.waitFor()
    expect(await pill.textContent()).toContain('1 new message')
    expect(await p.page.getByTestId('message-list').evaluate((el) => el.scrollTop)).toBeLessThan(1000)
    await pill.click()
    await expect.poll(() => p.page.getByTestId('message-list').getByText('while reading history').isVisible()).toBe(true)
    await pill.waitFor({ state: 'detached' })
  })

  it('follows the system theme, light or dark', async () => {
    const me = await ctx.stage.account('Theo')
    const light = await ctx.stage.signedIn(me, { colorScheme: 'light' })
    const dark = await ctx.stage.signedIn(me, { colorScheme: 'dark' })
    expect(await light.page.evaluate(() => document.documentElement.classList.contains('dark'))).toBe(false)
    expect(await dark.page.evaluate(() => document.documentElement.classList.contains('dark'))).toBe(true)
    const background = (p: Person) => p.page.evaluate(() => getComputedStyle(document.body).backgroundColor)
    expect(await background(light)).not.toBe(await background(dark))
  })

  it('names every control for assistive technology, and counts unread in the title', async () => {
    const me = await ctx.stage.account('Nia')
    const other = await ctx.stage.account('Omar')
    await ctx.stage.conversation(other, me, 2)
    const p = await ctx.stage.signedIn(me)
    await expect.poll(() => p.page.title()).toBe('(2) Switchboard')
    await p.page.getByTestId('conversation').first().click()
    await p.page.getByTestId('message-list').getByText('filler 2', { exact: true }).waitFor()
    await expect.poll(() => p.page.title()).toBe('Switchboard')
    const unnamed = await p.page.evaluate(() =>
      [...document.querySelectorAll('button, [role=button], input, textarea, [role=switch], a[href]')]
        .filter((el) => (el as HTMLElement).offsetParent !== null && (el as HTMLInputElement).type !== 'file')
        .filter((el) => !(el.getAttribute('aria-label') || el.textContent?.trim() || el.getAttribute('title') || (el.id && document.querySelector(`label[for="${el.id}"]`)) || el.getAttribute('aria-labelledby')))
        .map((el) => el.outerHTML.slice(0, 120)),
    )
    expect(unnamed).toEqual([])
    expect(await p.page.getByRole('log', { name: /Messages with Omar/ }).count()).toBe(1)
    expect(await p.page.getByRole('navigation', { name: 'Conversations' }).count()).toBe(1)
  })

  it('made no request outside the server, and no page errors', () => {
    for (const person of ctx.stage.people) assertClean(person)
  })
})
