import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startServer, tempDir, type TestServer } from '../helpers/server'
import { rendererCsp } from '../../electron/shared/csp'

describe('the web client at /', () => {
  let srv: TestServer
  let bare: TestServer
  beforeAll(async () => {
    const root = path.join(tempDir(), 'web')
    mkdirSync(path.join(root, 'assets'), { recursive: true })
    writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>Switchboard</title><div id="app"></div>')
    writeFileSync(path.join(root, 'assets', 'index-abc123.js'), 'console.log(1)')
    writeFileSync(path.join(root, '.env'), 'SECRET=1')
    writeFileSync(path.join(root, '..', 'outside.txt'), 'SECRET-CONTENT')
    srv = await startServer({ webRoot: root })
    bare = await startServer({ webRoot: path.join(tempDir(), 'nothing-built') })
  })
  afterAll(async () => {
    await srv.close()
    await bare.close()
  })

  it('serves the page with the CSP, and hashed assets as immutable', async () => {
    const page = await fetch(`${srv.url}/`)
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toMatch(/^text\/html/)
    expect(page.headers.get('content-security-policy')).toBe(rendererCsp(null))
    expect(page.headers.get('cache-control')).toBe('no-cache')
    const asset = await fetch(`${srv.url}/assets/index-abc123.js`)
    expect(asset.headers.get('cache-control')).toContain('immutable')
  })

  it('serves nothing outside its folder, no dotfiles, and leaves the API its own 404s', async () => {
    for (const p of ['/../outside.txt', '/%2e%2e/outside.txt', '/assets/%2e%2e/%2e%2e/outside.txt', '/.env']) {
      const res = await fetch(`${srv.url}${p}`)
      expect(res.status, p).toBe(404)
      expect(await res.text()).not.toContain('SECRET')
    }
    const api = await fetch(`${srv.url}/api/nope`)
    expect(api.status).toBe(404)
    expect(((await api.json()) as { error: { code: string } }).error.code).toBe('not_found')
  })

  it('says how to build the web client when there is none', async () => {
    const res = await fetch(`${bare.url}/`)
    expect(res.status).toBe(404)
    expect(await res.text()).toMatch(/npm run build/)
    expect((await fetch(`${bare.url}/api/health`)).status).toBe(200)
  })
})
