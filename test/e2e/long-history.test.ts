// The virtualized message list with 1,000 and 100,000 messages in Chromium: the DOM stays the same
// size, memory grows only by the messages' data, and scrolling keeps up. Prints what it measured.
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { startServer, type TestServer } from '../helpers/server'
import { launch } from './browser'

let srv: TestServer
let browser: Browser
beforeAll(async () => {
  srv = await startServer({ webRoot: inject('harnessRoot') })
  browser = await launch()
})
afterAll(async () => {
  await browser?.close()
  await srv?.close()
})

interface Measured {
  n: number
  maxRows: number
  heapMb: number
  frameP50: number
  frameP95: number
}

async function measure(n: number): Promise<Measured> {
  const page: Page = await browser.newPage({ viewport: { width: 900, height: 800 } })
  const cdp = await page.context().newCDPSession(page)
  await cdp.send('Performance.enable')
  await page.goto(`${srv.url}/?n=${n}`)
  await page.waitForFunction(() => (window as unknown as { __ready?: boolean }).__ready === true)
  const list = page.getByTestId('message-list')
  await page.getByText(`message ${n}`, { exact: true }).waitFor()
  // Jump through the whole history: the number of rendered rows never grows.
  let maxRows = 0
  for (let step = 0; step <= 20; step++) {
    await list.evaluate((el, f) => (el.scrollTop = (el.scrollHeight - el.clientHeight) * f), step / 20)
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))))
    maxRows = Math.max(maxRows, await page.getByTestId('message').count())
  }
  // Scroll continuously for 120 frames and time them.
  const frames = await list.evaluate(
    (el) =>
      new Promise<number[]>((resolve) => {
        const times: number[] = []
        let last = performance.now()
        el.scrollTop = 0
        const tick = (now: number) => {
          times.push(now - last)
          last = now
          el.scrollTop += 240
          if (times.length < 120) requestAnimationFrame(tick)
          else resolve(times.slice(1))
        }
        requestAnimationFrame(tick)
      }),
  )
  await cdp.send('HeapProfiler.collectGarbage')
  const { metrics } = await cdp.send('Performance.getMetrics')
  const heap = metrics.find((m) => m.name === 'JSHeapUsedSize')!.value
  await page.close()
  const sorted = [...frames].sort((a, b) => a - b)
  const at = (q: number) => Math.round(sorted[Math.floor(q * (sorted.length - 1))]! * 10) / 10
  return { n, maxRows, heapMb: Math.round((heap / 1024 / 1024) * 10) / 10, frameP50: at(0.5), frameP95: at(0.95) }
}

describe('a long history in the virtualized list', () => {
  it('keeps the DOM flat and memory to the data itself from 1,000 to 100,000 messages', async () => {
    const small = await measure(1_000)
    const large = await measure(100_000)
    console.log('virtualized list', JSON.stringify({ small, large, heapPerMessageBytes: Math.round(((large.heapMb - small.heapMb) * 1024 * 1024) / 99_000) }))
    // The same few dozen rows are in the DOM whatever the length.
    expect(small.maxRows).toBeLessThan(60)
    expect(large.maxRows).toBeLessThanOrEqual(small.maxRows + 2)
    // Memory grows by the messages' own data (a few hundred bytes each), not by their rendering.
    expect(((large.heapMb - small.heapMb) * 1024 * 1024) / 99_000).toBeLessThan(1_500)
    // Scrolling keeps up with the display at 100,000 (generous bound: two shared cores, headless).
    expect(large.frameP50).toBeLessThan(50)
  })
})
