// npm run screenshots: the inbox as people see it, wide and narrow, light and dark, a group, message
// actions and message search, written to docs/screenshots/. A real server with a seeded conversation
// history; the real web client. Names after the script (`… screenshots.ts actions-light`) take only those shots.
import { readFileSync } from 'node:fs'
import path from 'node:path'
import type { AuthResultDto, ConversationDto, MessageDto, UploadedFileDto } from '../../electron/shared/dto'
import { Api } from '../helpers/api'
import { BUILT_WEB_ROOT } from '../../electron/server/config'
import { noLimits, startServer } from '../helpers/server'
import { launch } from './browser'

const ROOT = path.resolve(__dirname, '../..')
const OUT = path.join(ROOT, 'docs', 'screenshots')
const only = process.argv.slice(2)
const wanted = (name: string): boolean => only.length === 0 || only.includes(name)

async function main(): Promise<void> {
  // `npm run screenshots` builds the app first (out/renderer).
  const srv = await startServer({ ...noLimits, webRoot: BUILT_WEB_ROOT })
  const db = srv.server.database.db
  const people = new Map<string, AuthResultDto>()
  for (const [username, display_name] of [
    ['ada', 'Ada Lovelace'],
    ['grace', 'Grace Hopper'],
    ['alan', 'Alan Turing'],
    ['katherine', 'Katherine Johnson'],
    ['linus', 'Linus Pauling'],
    ['hedy', 'Hedy Lamarr'],
  ] as const) {
    const res = await new Api(srv.url).post<AuthResultDto>('/api/auth/register', { username, password: 'correct horse battery', display_name })
    people.set(username, res.body)
  }
  const as = (name: string) => new Api(srv.url, people.get(name)!.token)
  const id = (name: string) => people.get(name)!.user.user_id
  const now = Date.now()
  const minutes = (m: number) => new Date(now - m * 60_000)

  async function chat(other: string, lines: [from: string, text: string, minutesAgo: number, read?: boolean][], extra?: (conversationId: number) => Promise<void>): Promise<void> {
    const conversation = (await as('ada').post('/api/conversations', { participant1_id: id('ada'), participant2_id: id(other) })).body
    for (const [from, content, ago, read = true] of lines) {
      const message: MessageDto = (await as(from).post(`/api/messages/${conversation.conversation_id}`, { content, sender_id: id(from) })).body
      await db.message.update({ where: { message_id: message.message_id }, data: { created_at: minutes(ago), is_read: read } })
    }
    await extra?.(conversation.conversation_id)
  }

  await chat('grace', [
    ['grace', 'Morning! Did the build go out last night?', 60 * 26],
    ['ada', 'It did — 0.1.0 is on the share. Installers for all three platforms.', 60 * 26 - 3],
    ['grace', 'Lovely. The team in the lab wants to try hosting on the Mac mini.', 60 * 25],
    ['ada', 'Turn on "Share on LAN" in the server panel and they will find it by name.\nNo setup beyond that.', 95],
    ['grace', 'Found it instantly. Sending you the photo of the setup', 12],
  ], async (conversationId) => {
    const form = new FormData()
    form.append('file', new Blob([readFileSync(path.join(ROOT, 'resources', 'icon.png'))], { type: 'image/png' }), 'lab-setup.png')
    const file: UploadedFileDto = (await as('grace').request('POST', '/api/files', form)).body
    const withImage: MessageDto = (await as('grace').post(`/api/messages/${conversationId}`, { content: '', sender_id: id('grace'), attachments: [file] })).body
    await db.message.update({ where: { message_id: withImage.message_id }, data: { created_at: minutes(11), is_read: true } })
    const notes = new FormData()
    notes.append('file', new Blob(['Switchboard lab notes\n'], { type: 'text/plain' }), 'lab-notes.txt')
    const doc: UploadedFileDto = (await as('ada').request('POST', '/api/files', notes)).body
    const withFile: MessageDto = (await as('ada').post(`/api/messages/${conversationId}`, { content: 'Perfect. Notes from this morning attached.', sender_id: id('ada'), attachments: [doc] })).body
    await db.message.update({ where: { message_id: withFile.message_id }, data: { created_at: minutes(4), is_read: false } })
  })
  await chat('alan', [
    ['alan', 'Can we move the review to Thursday?', 60 * 3],
    ['alan', 'Also: the catch-up after sleep works on my laptop now.', 42, false],
    ['alan', 'Every message, in order. 🎉', 41, false],
  ])
  await chat('katherine', [['ada', 'Numbers for the launch window are in the sheet.', 60 * 24 * 3], ['katherine', 'Checked them twice. All good.', 60 * 24 * 3 - 20]])
  await chat('linus', [['linus', 'See you at the seminar!', 60 * 24 * 9]])
  await chat('hedy', [['hedy', 'Frequency hopping demo is ready whenever you are.', 60 * 24 * 40]])

  const session = JSON.stringify({ token: people.get('ada')!.token, user: people.get('ada')!.user })
  const browser = await launch()
  const shots: { name: string; width: number; height: number; scheme: 'light' | 'dark'; open: boolean }[] = [
    { name: 'wide-light', width: 1280, height: 800, scheme: 'light', open: true },
    { name: 'wide-dark', width: 1280, height: 800, scheme: 'dark', open: true },
    { name: 'narrow-light', width: 390, height: 780, scheme: 'light', open: false },
    { name: 'narrow-dark', width: 390, height: 780, scheme: 'dark', open: true },
    { name: 'sign-in', width: 1000, height: 700, scheme: 'light', open: false },
  ]
  for (const shot of shots.filter((s) => wanted(s.name))) {
    const context = await browser.newContext({ viewport: { width: shot.width, height: shot.height }, colorScheme: shot.scheme, deviceScaleFactor: 1 })
    if (shot.name !== 'sign-in') await context.addInitScript((value) => (globalThis as unknown as { localStorage: { setItem(k: string, v: string): void } }).localStorage.setItem('switchboard.session', value), session)
    const page = await context.newPage()
    await page.goto(srv.url)
    if (shot.name === 'sign-in') await page.getByRole('button', { name: 'Sign in' }).waitFor()
    else {
      await page.getByTestId('conversation').first().waitFor()
      await page.waitForTimeout(300)
      if (shot.open) {
        await page.getByTestId('conversation').filter({ hasText: 'Grace Hopper' }).click()
        await page.getByTestId('image-preview').waitFor()
        await page.waitForTimeout(500)
      }
    }
    await page.screenshot({ path: path.join(OUT, `${shot.name}.png`) })
    await context.close()
    console.log(`docs/screenshots/${shot.name}.png`)
  }

  // A group, seeded after the shots above so their lists stay as they were: people named on their
  // bubbles, the server's notices, "Seen by", the members and who is online in the header.
  if (wanted('group-light')) {
    const group: ConversationDto = (await as('ada').post('/api/groups', { title: 'Launch team', member_ids: [id('grace'), id('alan'), id('katherine')] })).body
    let mine: MessageDto | undefined
    for (const [from, content, ago] of [
      ['grace', 'Release notes for 0.2 are in the shared folder.', 34],
      ['grace', 'Installers for all three platforms are up too.', 33],
      ['alan', 'Catch-up after sleep works on my laptop now. Every message, in order.', 21],
      ['katherine', 'Numbers check out. Ready when you are.', 12],
      ['ada', 'Great work, everyone — shipping it on Thursday.', 6],
    ] as const) {
      const message: MessageDto = (await as(from).post(`/api/messages/${group.conversation_id}`, { content, sender_id: id(from) })).body
      await db.message.update({ where: { message_id: message.message_id }, data: { created_at: minutes(ago) } })
      if (from === 'ada') mine = message
    }
    for (const reader of ['grace', 'alan']) await srv.server.services.messages.markRead(people.get(reader)!.user, mine!.message_id, group.conversation_id)
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light', deviceScaleFactor: 1 })
    await context.addInitScript((value) => (globalThis as unknown as { localStorage: { setItem(k: string, v: string): void } }).localStorage.setItem('switchboard.session', value), session)
    const page = await context.newPage()
    await page.goto(srv.url)
    await page.getByTestId('conversation').filter({ hasText: 'Launch team' }).click()
    await page.getByTestId('seen-by').waitFor()
    await page.waitForTimeout(500)
    await page.screenshot({ path: path.join(OUT, 'group-light.png') })
    await context.close()
    console.log('docs/screenshots/group-light.png')
  }

  // Message actions with Katherine, seeded after the shots above so their lists stay as they were: a
  // reply with its quote, an edited message, a tombstone, and reactions under two bubbles.
  if (wanted('actions-light')) {
    const kid = (await as('ada').post('/api/conversations', { participant1_id: id('ada'), participant2_id: id('katherine') })).body.conversation_id as number
    const say = async (from: string, content: string, extra: Record<string, unknown> = {}): Promise<MessageDto> => (await as(from).post(`/api/messages/${kid}`, { content, sender_id: id(from), ...extra })).body
    const opens = await say('katherine', 'The launch window opens at 14:02 UTC on Thursday.')
    const ask = await say('ada', 'Can you send the burn times as well?')
    const mistake = await say('katherine', 'Sent the draft numbers to the whole list by mistake, ignore them.')
    const burns = await say('katherine', 'Burn times are in the sheet, tab 3. Checked twice.')
    const reply = await say('ada', 'Then we go at 14:00. I will tell the team.', { reply_to_id: opens.message_id })
    await as('ada').patch(`/api/messages/${reply.message_id}`, { content: 'Then we go at 14:02. I will tell the team.' })
    await as('katherine').request('DELETE', `/api/messages/${mistake.message_id}`)
    for (const [who, message, emoji] of [['ada', burns, '🙏'], ['katherine', reply, '👍'], ['ada', reply, '👍'], ['katherine', reply, '🎉']] as const) {
      await as(who).request('PUT', `/api/messages/${message.message_id}/reactions/${encodeURIComponent(emoji)}`)
    }
    for (const [message, ago] of [[opens, 31], [ask, 29], [mistake, 26], [burns, 24], [reply, 9]] as const) {
      await db.message.update({ where: { message_id: message.message_id }, data: { created_at: minutes(ago), is_read: true } })
    }
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light', deviceScaleFactor: 1 })
    await context.addInitScript((value) => (globalThis as unknown as { localStorage: { setItem(k: string, v: string): void } }).localStorage.setItem('switchboard.session', value), session)
    const page = await context.newPage()
    await page.goto(srv.url)
    await page.getByTestId('conversation').filter({ hasText: 'Katherine Johnson' }).click()
    await page.getByTestId('tombstone').waitFor()
    await page.getByTestId('reaction').first().waitFor()
    await page.waitForTimeout(500)
    await page.screenshot({ path: path.join(OUT, 'actions-light.png') })
    await context.close()
    console.log('docs/screenshots/actions-light.png')
  }
  // Message search over every conversation, seeded after the shots above so their lists stay as they
  // were: a word in four conversations, each match marked, the second result chosen by the keyboard.
  if (wanted('search-light')) {
    // Oldest first, so that ids and times agree (results come newest first, by id).
    for (const [other, from, content, ago] of [
      ['linus', 'ada', 'I took the old installers off the share, only 0.1.0 is left.', 60 * 20],
      ['hedy', 'hedy', 'Tried the Windows installers on the lab machines: all fine, no warnings.', 60 * 5],
      ['alan', 'alan', 'Are the installers signed yet? The Mac one still warns on first launch.', 50],
    ] as const) {
      const conversationId = (await as('ada').post('/api/conversations', { participant1_id: id('ada'), participant2_id: id(other) })).body.conversation_id as number
      const message: MessageDto = (await as(from).post(`/api/messages/${conversationId}`, { content, sender_id: id(from) })).body
      await db.message.update({ where: { message_id: message.message_id }, data: { created_at: minutes(ago), is_read: true } })
    }
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light', deviceScaleFactor: 1 })
    await context.addInitScript((value) => (globalThis as unknown as { localStorage: { setItem(k: string, v: string): void } }).localStorage.setItem('switchboard.session', value), session)
    const page = await context.newPage()
    await page.goto(srv.url)
    await page.getByTestId('conversation').filter({ hasText: 'Grace Hopper' }).click()
    await page.getByTestId('image-preview').waitFor()
    await page.keyboard.press('Control+Shift+F')
    const field = page.getByRole('combobox', { name: 'Search messages' })
    await field.pressSequentially('installers')
    await page.getByRole('option').nth(3).waitFor()
    await field.press('ArrowDown')
    await page.waitForTimeout(500)
    await page.screenshot({ path: path.join(OUT, 'search-light.png') })
    await context.close()
    console.log('docs/screenshots/search-light.png')
  }
  await browser.close()
  await srv.close()
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
