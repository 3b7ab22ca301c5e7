// Two people chat through the web client the server serves, each in a Chromium context of their own.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { noLimits, startServer, type TestServer } from '../helpers/server'
import { assertClean, bubbles, launch, openPerson, register, send, startChat, type Person } from './browser'

let srv: TestServer
let browser: Browser
let ada: Person
let bob: Person

beforeAll(async () => {
  srv = await startServer({ ...noLimits, webRoot: inject('webRoot') })
  browser = await launch()
  ada = await openPerson(browser, srv.url, 'Ada')
  bob = await openPerson(browser, srv.url, 'Bob')
  await register(ada, 'Ada Lovelace')
  await register(bob, 'Bob Babbage')
})

afterAll(async () => {
  await browser?.close()
  await srv?.close()
})

describe('two people in two browsers', () => {
  it('start a conversation and chat in real time, with ✓ turning ✓✓ when the other opens it', async () => {
    await startChat(ada, { displayName: 'Bob Babbage' })
    // Bob is online: Ada sees it in the chat header.
    await expect.poll(() => ada.page.getByTestId('chat-status').textContent()).toBe('Online')

    await send(ada, 'Hello Bob!')
    const adaFirst = bubbles(ada).filter({ hasText: 'Hello Bob!' })
    await expect.poll(() => adaFirst.getAttribute('data-receipt')).toBe('sent')
    expect(await adaFirst.getByTestId('receipt').textContent()).toContain('✓')

    // Bob's list shows the new conversation with one unread message, before he opens it.
    const row = bob.page.getByTestId('conversation').filter({ hasText: 'Ada Lovelace' })
    await expect.poll(() => row.getAttribute('aria-label')).toBe('Ada Lovelace, 1 unread')
    expect(await row.getByTestId('preview').textContent()).toBe('Hello Bob!')
    await row.click()
    await bubbles(bob).filter({ hasText: 'Hello Bob!' }).waitFor()
    // Opening it reads it: Ada's ✓ becomes ✓✓.
    await expect.poll(() => adaFirst.getAttribute('data-receipt')).toBe('read')
    expect((await adaFirst.getByTestId('receipt').textContent())?.trim()).toBe('✓✓')

    // Typing shows on the other side, then the message arrives live.
    await bob.page.getByRole('textbox', { name: 'Message' }).pressSequentially('Hi Ada', { delay: 20 })
    await expect.poll(() => ada.page.getByTestId('chat-status').textContent()).toBe('typing…')
    await bob.page.getByRole('textbox', { name: 'Message' }).press('Enter')
    await bubbles(ada).filter({ hasText: 'Hi Ada' }).waitFor()
    await expect.poll(() => ada.page.getByTestId('chat-status').textContent()).toBe('Online')
    // Ada has the chat open and in view: Bob's message is read at once.
    await expect.poll(() => bubbles(bob).filter({ hasText: 'Hi Ada' }).getAttribute('data-receipt')).toBe('read')

    // Shift+Enter makes a new line; Enter sends both lines as one message.
    const composer = ada.page.getByRole('textbox', { name: 'Message' })
    await composer.pressSequentially('line one')
    await composer.press('Shift+Enter')
    await composer.pressSequentially('line two')
    await composer.press('Enter')
    await expect.poll(() => bubbles(bob).filter({ hasText: 'line one' }).getByTestId('content').innerText()).toBe('line one\nline two')

    // Exactly one copy of each message on each side.
    for (const person of [ada, bob]) expect(await bubbles(person).count()).toBe(3)
  })

  it('shows presence going away when the other person leaves', async () => {
    await bob.page.close()
    await expect.poll(() => ada.page.getByTestId('chat-status').textContent(), { timeout: 15_000 }).toBe('Offline')
    bob.page = await bob.context.newPage()
    await bob.page.goto(srv.url)
    await bob.page.getByRole('heading', { name: 'Chats' }).waitFor()
    await expect.poll(() => ada.page.getByTestId('chat-status').textContent(), { timeout: 15_000 }).toBe('Online')
  })

  it('keeps the history over a reload', async () => {
    await ada.page.reload()
    await ada.page.getByTestId('conversation').filter({ hasText: 'Bob Babbage' }).click()
    await bubbles(ada).filter({ hasText: 'Hello Bob!' }).waitFor()
    expect(await bubbles(ada).count()).toBe(3)
  })

  it('shows a hostile message as text and runs nothing', async () => {
    const hostile = '<img src=x onerror=alert(1)><script>window.__pwned = 1</script>'
    let dialogs = 0
    for (const person of [ada, bob]) person.page.on('dialog', (d) => ((dialogs += 1), void d.dismiss()))
    await send(ada, hostile)
    await bob.page.getByTestId('conversation').filter({ hasText: 'Ada Lovelace' }).click()
    const shown = bubbles(bob).filter({ hasText: '<img src=x' })
    await shown.waitFor()
    expect(await shown.getByTestId('content').textContent()).toBe(hostile)
    expect(await shown.locator('img[src=x]').count()).toBe(0)
    expect(await bob.page.evaluate(() => (globalThis as unknown as { __pwned?: number }).__pwned)).toBeUndefined()
    expect(dialogs).toBe(0)
  })

  it('made no request outside the server, and no page errors', () => {
    assertClean(ada)
    assertClean(bob)
  })
})
