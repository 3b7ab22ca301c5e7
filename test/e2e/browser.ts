// Debian's Chromium driven by playwright-core, as the machine allows (no browser download).
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import type { AuthResultDto } from '../../electron/shared/dto'

export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

export function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_FLAGS })
}

export interface Person {
  context: BrowserContext
  page: Page
  username: string
  /** Every URL the page asked for that is not on the server's origin. */
  outside: string[]
  /** Uncaught errors and console errors in the page. */
  errors: string[]
}

let counter = 0

/** A person in a browser context of their own, on the web client. */
export async function openPerson(
  browser: Browser,
  origin: string,
  name: string,
  options: { width?: number; height?: number; colorScheme?: 'light' | 'dark' } = {},
  given?: BrowserContext,
): Promise<Person> {
  const context = given ?? (await browser.newContext({ viewport: { width: options.width ?? 1200, height: options.height ?? 760 }, colorScheme: options.colorScheme ?? 'light' }))
  const page = await context.newPage()
  const person: Person = { context, page, username: `${name.toLowerCase()}${++counter}${process.pid % 1000}`, outside: [], errors: [] }
  context.on('request', (request) => {
    const url = request.url()
    if (!url.startsWith(origin) && !url.startsWith('blob:') && !url.startsWith('data:')) person.outside.push(url)
  })
  page.on('pageerror', (error) => person.errors.push(error.message))
  page.on('console', (message) => {
    if (message.type() === 'error' && !/Failed to load resource|WebSocket connection/.test(message.text())) person.errors.push(message.text())
  })
  await page.goto(origin)
  return person
}

export async function register(person: Person, displayName: string): Promise<void> {
  const { page } = person
  await page.getByRole('tab', { name: 'Create account' }).click()
  await page.getByLabel('Username').fill(person.username)
  await page.getByLabel('Display name').fill(displayName)
  await page.getByLabel('Password').fill('correct horse battery')
  await page.getByRole('button', { name: 'Create account' }).click()
  await page.getByRole('heading', { name: 'Chats' }).waitFor()
}

/** Opens "New conversation", finds the other person and opens the chat. */
export async function startChat(person: Person, other: { displayName: string }): Promise<void> {
  const { page } = person
  await page.getByRole('button', { name: 'New conversation' }).first().click()
  await page.getByLabel('Find a person').fill(other.displayName)
  await page.getByTestId('person').filter({ hasText: other.displayName }).click()
  await page.getByRole('heading', { level: 2, name: other.displayName }).waitFor()
}

export async function send(person: Person, text: string): Promise<void> {
  const composer = person.page.getByRole('textbox', { name: 'Message' })
  await composer.fill(text)
  await composer.press('Enter')
}

export function bubbles(person: Person) {
  return person.page.getByTestId('message')
}

/** Throws when the page asked for anything outside the server or logged an error. */
export function assertClean(person: Person): void {
  if (person.outside.length) throw new Error(`requests outside the server: ${person.outside.join(', ')}`)
  if (person.errors.length) throw new Error(`page errors: ${person.errors.join(' | ')}`)
}

/** A server, a browser, and people on it signed in through stored sessions (as the sign-in form leaves them). */
export class Stage {
  readonly people: Person[] = []
  private count = 0

  constructor(
    readonly url: string,
    readonly browser: Browser,
  ) {}

  async account(name: string): Promise<AuthResultDto> {
    const username = `${name.toLowerCase()}${++this.count}x${process.pid % 1000}`
    const res = await fetch(`${this.url}/api/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password: 'correct horse battery', display_name: name }),
    })
    return (await res.json()) as AuthResultDto
  }

  async signedIn(who: AuthResultDto, options: { width?: number; height?: number; colorScheme?: 'light' | 'dark' } = {}): Promise<Person> {
    const person = await openPerson(this.browser, this.url, who.user.display_name, options)
    await person.page.evaluate((value) => localStorage.setItem('switchboard.session', value), JSON.stringify(who))
    await person.page.reload()
    await person.page.getByRole('heading', { name: 'Chats' }).waitFor()
    this.people.push(person)
    return person
  }

  /** Their one-to-one conversation, with `messages` sent by `a` first. */
  async conversation(a: AuthResultDto, b: AuthResultDto, messages = 0): Promise<number> {
    const call = (path: string, body: unknown) =>
      fetch(`${this.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${a.token}` }, body: JSON.stringify(body) }).then((r) => r.json())
    const { conversation_id } = (await call('/api/conversations', { participant1_id: a.user.user_id, participant2_id: b.user.user_id })) as { conversation_id: number }
    for (let i = 0; i < messages; i++) await call(`/api/messages/${conversation_id}`, { content: `filler ${i + 1}`, sender_id: a.user.user_id })
    return conversation_id
  }

  /** Two people with a conversation, each with the web client open on it. */
  async pairInChat(): Promise<{ ada: AuthResultDto; bob: AuthResultDto; a: Person; b: Person; conversationId: number }> {
    const ada = await this.account('Ada')
    const bob = await this.account('Bob')
    const conversationId = await this.conversation(ada, bob)
    const a = await this.signedIn(ada)
    const b = await this.signedIn(bob)
    await openChat(a, 'Bob')
    await openChat(b, 'Ada')
    return { ada, bob, a, b, conversationId }
  }
}

export const openChat = (person: Person, name: string) => person.page.getByTestId('conversation').filter({ hasText: name }).click()
