import { describe, expect, it } from 'vitest'
import { createWebMessenger } from '../../electron/client/web-messenger'
import { httpUrl } from '../../electron/shared/ipc-schemas'
import { isWebUrl } from '../../electron/shared/web-url'

// Main opens these in the browser, the web client in a new tab, and joinServer/deep links join them.
const TABLE: [string, boolean][] = [
  ['https://example.com/a?b', true],
  ['http://intranet.local/x', true],
  ['http://192.168.1.5:47300', true],
  ['HTTPS://EXAMPLE.COM', true],
  ['file:///etc/passwd', false],
  ['javascript:alert(1)', false],
  ['data:text/html,<b>hi</b>', false],
  ['smb://host/share', false],
  ['ms-settings:', false],
  ['switchboard://conversation/1', false],
  ['https://user:pw@example.com', false],
  ['https://user@example.com', false],
  ['not a url', false],
  ['', false],
]

describe('isWebUrl', () => {
  it.each(TABLE)('%s → %s', (url, web) => {
    expect(isWebUrl(url)).toBe(web)
  })

  it('is the rule the IPC schema applies to joinServer and openExternal', () => {
    for (const [url, web] of TABLE) expect(httpUrl.safeParse(url).success, url).toBe(web)
  })

  it('is what the web client opens in a new tab', async () => {
    const opened: string[] = []
    const items = new Map<string, string>()
    const storage = { getItem: (k: string) => items.get(k) ?? null, setItem: (k: string, v: string) => void items.set(k, v), removeItem: (k: string) => void items.delete(k) }
    const api = createWebMessenger({ origin: 'http://127.0.0.1:9', storage, openWindow: (url) => opened.push(url) })
    for (const [url, web] of TABLE) {
      if (web) await api.openExternal(url)
      else await expect(api.openExternal(url), url).rejects.toMatchObject({ code: 'bad_request' })
    }
    expect(opened).toEqual(TABLE.filter(([, web]) => web).map(([url]) => new URL(url).href))
  })
})
