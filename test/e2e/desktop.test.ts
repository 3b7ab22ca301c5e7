// The desktop path in a browser: the inbox gets window.messenger from the real preload bridge, whose
// IPC reaches the real IPC handlers and DesktopController in Node (Electron's parts replaced by
// recorders). The app hosts its embedded server, as on first run; a second person joins it from a
// browser, as a phone on the LAN would. Electron itself cannot run here; everything around it does.
import type { Browser, BrowserContext, Frame } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { registerIpcHandlers } from '../../electron/main/ipc'
import { eventChannel } from '../../electron/shared/ipc'
import { harness, type Harness } from '../helpers/desktop'
import { until } from '../helpers/wait'
import { assertClean, bubbles, launch, openPerson, register, send, startChat, type Person } from './browser'

let browser: Browser
let desktop: Harness
let window_: BrowserContext | null = null
let ada: Person
let bob: Person
const handlers = new Map<string, (event: unknown, ...args: unknown[]) => Promise<unknown>>()

beforeAll(async () => {
  // The embedded server (forked from the real entry) serves the web client too.
  process.env.SWITCHBOARD_WEB_ROOT = inject('webRoot')
  desktop = await harness(undefined, undefined, {
    // main's webContents.send: to the app window's page.
    send: (channel, payload) => {
      for (const page of window_?.pages() ?? []) void page.evaluate(([c, p]) => (window as unknown as { __ipcEmit(c: string, p: unknown): void }).__ipcEmit(c, p), [channel, payload] as const).catch(() => {})
    },
  })
  // The app's own top frame only, as in main.
  const trusted = (frame: unknown) => !!window_ && (frame as Frame).parentFrame() === null && (frame as Frame).page().context() === window_
  registerIpcHandlers({ handle: (channel, fn) => void handlers.set(channel, fn as never), removeHandler: (channel) => void handlers.delete(channel) }, desktop.controller.handlers, trusted)
  let url: string | null = null
  await until('the host’s address', async () => !!(url = (await desktop.controller.handlers.getSetup()).server_url))
  browser = await launch()

  // Ada: the desktop app's window.
  const context = await browser.newContext({ viewport: { width: 1200, height: 760 } })
  window_ = context
  await context.exposeBinding('__ipcInvoke', ({ frame }, channel: string, args: unknown[]) => handlers.get(channel)!({ senderFrame: frame }, ...args))
  await context.addInitScript({ content: inject('desktopPreload') })
  ada = await openPerson(browser, url!, 'Ada', {}, context)
  // Bob: a browser on the network, on the web client the host serves.
  bob = await openPerson(browser, url!, 'Bob')
}, 120_000)

afterAll(async () => {
  await browser?.close()
  await desktop?.controller.stop()
  delete process.env.SWITCHBOARD_WEB_ROOT
})

describe('the desktop path', () => {
  it('shows the desktop set-up: hosting on this computer, with LAN sharing and joining on offer', async () => {
    await ada.page.getByRole('button', { name: 'Hosting on this computer' }).waitFor()
    expect(await ada.page.getByRole('switch', { name: 'Share on LAN' }).isVisible()).toBe(true)
    expect(await ada.page.getByRole('form', { name: 'Join a server' }).isVisible()).toBe(true)
    // The browser client has no such choice: it uses the server it came from.
    expect(await bob.page.getByText(/^Server: http:\/\/127\.0\.0\.1:\d+$/).isVisible()).toBe(true)
    expect(await bob.page.getByRole('button', { name: 'Hosting on this computer' }).count()).toBe(0)
    await ada.page.screenshot({ path: `${process.env.SCREENSHOT_DIR ?? '/tmp'}/switchboard-desktop-setup.png` })
  })

  it('passes the chat scenario: sign up, start a conversation, chat both ways, ✓ then ✓✓, typing', async () => {
    await register(ada, 'Ada Lovelace')
    // The token went to the (stand-in) keychain, not in plain text to disk.
    expect((await desktop.deps.vault.load())?.token).toBeTruthy()
    await register(bob, 'Bob Babbage')
    await startChat(ada, { displayName: 'Bob Babbage' })
    await expect.poll(() => ada.page.getByTestId('chat-status').textContent()).toBe('Online')
    await send(ada, 'Hello from the desktop app')
    const first = bubbles(ada).filter({ hasText: 'Hello from the desktop app' })
    await expect.poll(() => first.getAttribute('data-receipt')).toBe('sent')
    await bob.page.getByTestId('conversation').filter({ hasText: 'Ada Lovelace' }).click()
    await bubbles(bob).filter({ hasText: 'Hello from the desktop app' }).waitFor()
    await expect.poll(() => first.getAttribute('data-receipt')).toBe('read')

    await bob.page.getByRole('textbox', { name: 'Message' }).pressSequentially('Hi Ada', { delay: 20 })
    await expect.poll(() => ada.page.getByTestId('chat-status').textContent()).toBe('typing…')
    await bob.page.getByRole('textbox', { name: 'Message' }).press('Enter')
    await bubbles(ada).filter({ hasText: 'Hi Ada' }).waitFor()
    for (const person of [ada, bob]) expect(await bubbles(person).count()).toBe(2)
    // Main saw the message go by (it drives notifications and the badge from the same events).
    expect(desktop.sent.some((s) => s.channel === eventChannel('new_message') && (s.payload as { content: string }).content === 'Hi Ada')).toBe(true)
  })

  it('opens the conversation a notification click asks for', async () => {
    await ada.page.getByRole('button', { name: 'Back to chats' }).or(ada.page.getByText('Pick a conversation')).first().isVisible()
    await ada.page.keyboard.press('Escape')
    await ada.page.getByText('Pick a conversation').waitFor()
    const conversationId = (await desktop.controller.handlers.listConversations())[0]!.conversation_id
    desktop.controller.openConversation(conversationId)
    await ada.page.getByRole('heading', { level: 2, name: 'Bob Babbage' }).waitFor()
  })

  it('made no request outside the server, and no page errors', () => {
    assertClean(ada)
    assertClean(bob)
  })
})
