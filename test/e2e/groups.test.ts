// Groups in Chromium against a real server: three people chatting live, "Seen by", a removed member's
// read-only view, and muting.
import { describe, expect, it } from 'vitest'
import type { AuthResultDto, ConversationDto } from '../../electron/shared/dto'
import { Api } from '../helpers/api'
import { assertClean, bubbles, openChat, send, type Person } from './browser'
import { useStage } from './stage'

const ctx = useStage()

/** A group made over REST by `owner` with the others in it. */
async function makeGroup(owner: AuthResultDto, title: string, members: AuthResultDto[]): Promise<ConversationDto> {
  const res = await new Api(ctx.server.url, owner.token).post<ConversationDto>('/api/groups', { title, member_ids: members.map((m) => m.user.user_id) })
  if (res.status !== 201) throw new Error(`POST /api/groups: ${res.status} ${JSON.stringify(res.body)}`)
  return res.body
}

const status = (p: Person) => p.page.getByTestId('chat-status').textContent()
/** A person's row for the conversation called `title` (a group's title, or the other person's name). */
const row = (p: Person, title: string) => p.page.getByTestId('conversation').filter({ has: p.page.getByTestId('title').getByText(title, { exact: true }) })
/** The sender names shown on a person's bubbles, in order (null where the bubble continues a run). */
const senders = (p: Person) => bubbles(p).evaluateAll((els) => els.map((e) => [e.querySelector('[data-testid=content]')?.textContent ?? '', e.querySelector('[data-testid=sender]')?.textContent ?? null]))

describe('groups in a browser', () => {
  it('three people make a group and chat in it live, each seeing who wrote what', async () => {
    const [ada, bob, cyd] = [await ctx.stage.account('Ada'), await ctx.stage.account('Bob'), await ctx.stage.account('Cyd')]
    const [a, b, c] = [await ctx.stage.signedIn(ada), await ctx.stage.signedIn(bob), await ctx.stage.signedIn(cyd)]

    // Ada makes the group from the UI: a name, two people found by search.
    await a.page.getByRole('button', { name: 'New group' }).click()
    const dialog = a.page.getByRole('dialog', { name: 'New group' })
    await dialog.getByLabel('Group name').fill('Trio')
    for (const who of [bob, cyd]) {
      await dialog.getByLabel('Find people').fill(who.user.username)
      await dialog.getByRole('button', { name: `${who.user.display_name} (@${who.user.username})` }).click()
    }
    await dialog.getByRole('button', { name: 'Create group' }).click()
    await a.page.getByRole('heading', { level: 2, name: 'Trio' }).waitFor()
    await a.page.getByTestId('notice').filter({ hasText: 'Ada created the group “Trio”' }).waitFor()

    // Bob and Cyd were not in it a moment ago: it appears in their lists by itself.
    for (const p of [b, c]) {
      await row(p, 'Trio').waitFor()
      await openChat(p, 'Trio')
      await p.page.getByRole('heading', { level: 2, name: 'Trio' }).waitFor()
    }
    await expect.poll(() => status(a)).toBe('3 members · 3 online')

    // Typing shows by name.
    await b.page.getByRole('textbox', { name: 'Message' }).pressSequentially('hi all', { delay: 20 })
    await expect.poll(() => status(a)).toBe('Bob is typing…')
    await b.page.getByRole('textbox', { name: 'Message' }).press('Enter')
    await bubbles(c).filter({ hasText: 'hi all' }).waitFor()
    await send(c, 'hello from Cyd')
    await bubbles(b).filter({ hasText: 'hello from Cyd' }).waitFor()
    await send(a, 'welcome both')
    for (const p of [b, c]) await bubbles(p).filter({ hasText: 'welcome both' }).waitFor()
    await bubbles(a).filter({ hasText: 'hello from Cyd' }).waitFor()

    // Each sees the others' messages with their names, and their own without.
    expect(await senders(a)).toEqual([
      ['hi all', 'Bob'],
      ['hello from Cyd', 'Cyd'],
      ['welcome both', null],
    ])
    expect(await senders(b)).toEqual([
      ['hi all', null],
      ['hello from Cyd', 'Cyd'],
      ['welcome both', 'Ada'],
    ])
    expect(await senders(c)).toEqual([
      ['hi all', 'Bob'],
      ['hello from Cyd', null],
      ['welcome both', 'Ada'],
    ])
    // The sender's initials beside their bubble.
    expect(await bubbles(a).filter({ hasText: 'hi all' }).getByTestId('sender-avatar').textContent()).toBe('B')
  })

  it('shows "Seen by 2" once both others have read, with who on demand, and ✓✓', async () => {
    const [ann, ben, cat] = [await ctx.stage.account('Ann'), await ctx.stage.account('Ben'), await ctx.stage.account('Cat')]
    await makeGroup(ann, 'Lunch', [ben, cat])
    const [a, b, c] = [await ctx.stage.signedIn(ann), await ctx.stage.signedIn(ben), await ctx.stage.signedIn(cat)]
    await openChat(a, 'Lunch')
    await send(a, 'Anyone up for lunch?')
    const mine = bubbles(a).filter({ hasText: 'Anyone up for lunch?' })
    await expect.poll(() => mine.getAttribute('data-receipt')).toBe('sent')
    // Nobody has read it yet.
    await expect.poll(() => row(b, 'Lunch').getAttribute('aria-label')).toBe('Lunch, 1 unread')
    expect(await a.page.getByTestId('seen-by').count()).toBe(0)

    await openChat(b, 'Lunch')
    await expect.poll(() => a.page.getByTestId('seen-by').textContent()).toBe('Seen by 1')
    expect(await mine.getAttribute('data-receipt')).toBe('sent')
    await openChat(c, 'Lunch')
    await expect.poll(() => a.page.getByTestId('seen-by').textContent()).toBe('Seen by 2')
    await expect.poll(() => mine.getAttribute('data-receipt')).toBe('read')
    expect((await mine.getByTestId('receipt').textContent())?.trim()).toBe('✓✓')

    // Who, on demand (asked of the server).
    await a.page.getByRole('button', { name: 'Seen by 2' }).click()
    const readers = a.page.getByTestId('reader')
    await expect.poll(() => readers.count()).toBe(2)
    expect((await readers.getByTestId('reader-name').allTextContents()).sort()).toEqual(['Ben', 'Cat'])
    // Each with when they read it (just now).
    expect(await readers.locator('time').allTextContents()).toEqual(['now', 'now'])
    await a.page.keyboard.press('Escape')
    await readers.first().waitFor({ state: 'detached' })
    // Escape closed the list, not the chat.
    await a.page.getByRole('heading', { level: 2, name: 'Lunch' }).waitFor()
  })

  it('a removed member sees the removal, then a read-only group that gets nothing more', async () => {
    const [dan, eli, fay] = [await ctx.stage.account('Dan'), await ctx.stage.account('Eli'), await ctx.stage.account('Fay')]
    const group = await makeGroup(dan, 'Crew', [eli, fay])
    const direct = await ctx.stage.conversation(dan, fay)
    const [d, f] = [await ctx.stage.signedIn(dan), await ctx.stage.signedIn(fay)]
    await openChat(f, 'Crew')
    await f.page.getByRole('textbox', { name: 'Message' }).waitFor()

    // Dan removes Fay from the members panel.
    await openChat(d, 'Crew')
    await d.page.getByRole('button', { name: 'Members (3)' }).click()
    const panel = d.page.getByRole('dialog', { name: 'Crew' })
    await panel.getByRole('button', { name: 'Manage Fay' }).click()
    await d.page.getByRole('menuitem', { name: 'Remove from group' }).click()
    // The panel asks first.
    await d.page.getByRole('dialog', { name: 'Remove Fay?' }).getByRole('button', { name: 'Remove', exact: true }).click()
    await expect.poll(() => panel.getByTestId('member').count()).toBe(2)
    await d.page.keyboard.press('Escape')
    await panel.waitFor({ state: 'detached' })

    // Fay, looking at the group: the notice, then read-only.
    await f.page.getByTestId('notice').filter({ hasText: 'Dan removed Fay' }).waitFor()
    await f.page.getByTestId('read-only').filter({ hasText: 'You are no longer in this group' }).waitFor()
    expect(await f.page.getByRole('textbox', { name: 'Message' }).count()).toBe(0)
    expect(await f.page.getByTestId('mute').count()).toBe(0)
    expect(await f.page.getByTestId('members-button').count()).toBe(0)
    expect(await status(f)).toBe('Read-only')

    // Dan writes to the group, then to Fay alone: once Fay has the second, the first would have come before it.
    await send(d, 'after the removal')
    await bubbles(d).filter({ hasText: 'after the removal' }).waitFor()
    await new Api(ctx.server.url, dan.token).post(`/api/messages/${direct}`, { content: 'sentinel', sender_id: dan.user.user_id })
    await expect.poll(() => row(f, 'Dan').getByTestId('preview').textContent()).toBe('sentinel')
    expect(await f.page.getByText('after the removal').count()).toBe(0)
    expect(await row(f, 'Crew').getByTestId('preview').textContent()).toBe('Dan removed Fay')
    expect(await row(f, 'Crew').getAttribute('aria-label')).toBe('Crew')

    // And so it stays after a reload: the history ends at the removal.
    await f.page.reload()
    await openChat(f, 'Crew')
    await f.page.getByTestId('read-only').waitFor()
    await f.page.getByTestId('notice').filter({ hasText: 'Dan removed Fay' }).waitFor()
    expect(await f.page.getByText('after the removal').count()).toBe(0)
    expect(await status(f)).toBe('Read-only')
    expect(await f.page.getByRole('heading', { level: 2 }).textContent()).toBe('Crew')
    expect(group.conversation_id).toBeGreaterThan(0)
  })

  it('mutes a group: the list shows it muted and still counts unread', async () => {
    const [gil, hal] = [await ctx.stage.account('Gil'), await ctx.stage.account('Hal')]
    const group = await makeGroup(hal, 'Quiet', [gil])
    const g = await ctx.stage.signedIn(gil)
    await openChat(g, 'Quiet')
    const mute = g.page.getByRole('button', { name: 'Mute conversation' })
    await mute.click()
    const unmute = g.page.getByRole('button', { name: 'Unmute conversation' })
    await unmute.waitFor()
    expect(await unmute.getAttribute('aria-pressed')).toBe('true')
    await g.page.keyboard.press('Escape')
    await g.page.getByText('Pick a conversation').waitFor()
    await row(g, 'Quiet').getByTestId('muted').waitFor()

    const halApi = new Api(ctx.server.url, hal.token)
    for (const content of ['one', 'two']) await halApi.post(`/api/messages/${group.conversation_id}`, { content, sender_id: hal.user.user_id })
    await expect.poll(() => row(g, 'Quiet').getAttribute('aria-label')).toBe('Quiet, 2 unread, muted')
    expect(await row(g, 'Quiet').getByTestId('unread').textContent()).toBe('2')
    // Muted unread stays out of the window's title.
    expect(await g.page.title()).toBe('Switchboard')

    // The server keeps it: after a reload, still muted, still 2 unread.
    await g.page.reload()
    await expect.poll(() => row(g, 'Quiet').getAttribute('aria-label')).toBe('Quiet, 2 unread, muted')
    await row(g, 'Quiet').getByTestId('muted').waitFor()
  })

  it('made no request outside the server, and no page errors', () => {
    for (const person of ctx.stage.people) assertClean(person)
  })
})
