// Debian's Chromium driven by playwright-core, as the machine allows (no browser download).
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'

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
