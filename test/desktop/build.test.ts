import { execFileSync, spawn } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import vm from 'node:vm'
import { parse } from 'yaml'
import { beforeAll, describe, expect, it } from 'vitest'
import { rendererCsp } from '../../electron/shared/csp'
import { INVOKE_CHANNELS } from '../../electron/shared/ipc'
import { tempDir } from '../helpers/server'

const ROOT = path.resolve(__dirname, '../..')
// Inside the project, so the bundles resolve node_modules as they do in the app.
const OUT = path.join(ROOT, 'node_modules/.cache/switchboard-build-test', String(process.pid))
const requires = (file: string): string[] => [...new Set([...readFileSync(file, 'utf8').matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]!))].sort()

beforeAll(() => {
  // The real build, into a folder of its own so parallel test files never see half-written output.
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules/electron-vite/bin/electron-vite.js'), 'build', '--outDir', OUT], { cwd: ROOT, stdio: 'pipe', timeout: 120_000 })
}, 120_000)

describe('electron-vite build', () => {
  it('compiles the preload to one CommonJS file that needs nothing but electron (the sandbox allows no more)', () => {
    const preload = path.join(OUT, 'preload/index.js')
    expect(requires(preload)).toEqual(['electron'])
    // Run as the sandbox runs it, with a require that has electron only: it exposes the contract as window.messenger.
    const exposed: [string, object][] = []
    const electron = {
      contextBridge: { exposeInMainWorld: (key: string, api: object) => void exposed.push([key, api]) },
      ipcRenderer: { invoke: async () => ({ ok: true, value: null }), on: () => {}, removeListener: () => {} },
    }
    const sandboxRequire = (id: string): unknown => {
      if (id !== 'electron') throw new Error(`the sandbox has no ${id}`)
      return electron
    }
    const module = { exports: {} }
    vm.runInNewContext(readFileSync(preload, 'utf8'), { require: sandboxRequire, module, exports: module.exports })
    expect(exposed.map(([key]) => key)).toEqual(['messenger'])
    expect(Object.keys(exposed[0]![1]).sort()).toEqual([...Object.keys(INVOKE_CHANNELS), 'on'].sort())
  })

  it('leaves socket.io-client out of the renderer the desktop app loads: the web adapter is a chunk fetched only in a browser', () => {
    const html = readFileSync(path.join(OUT, 'renderer/index.html'), 'utf8')
    const entry = /<script type="module"[^>]*src="\.\/(assets\/[^"]+\.js)"/.exec(html)![1]!
    // What index.html loads up front: the entry and the chunks it preloads.
    const upFront = [entry, ...[...html.matchAll(/<link rel="modulepreload"[^>]*href="\.\/(assets\/[^"]+\.js)"/g)].map((m) => m[1]!)]
    const socketIo = (file: string): boolean => /engine\.io|EIO=|socket\.io/.test(readFileSync(path.join(OUT, 'renderer', file), 'utf8'))
    expect(upFront.filter(socketIo)).toEqual([])
    // …and it is in the build all the same, in the chunk the entry imports dynamically.
    const chunks = readdirSync(path.join(OUT, 'renderer/assets')).filter((f) => f.endsWith('.js')).map((f) => `assets/${f}`)
    const lazy = chunks.filter((f) => !upFront.includes(f) && socketIo(f))
    expect(lazy).toHaveLength(1)
    expect(readFileSync(path.join(OUT, 'renderer', entry), 'utf8')).toContain(lazy[0]!.slice('assets/'.length))
  })

  it('keeps Electron out of the server bundle', () => {
    const server = requires(path.join(OUT, 'main/server.js'))
    expect(server).not.toContain('electron')
    expect(server).toEqual(expect.arrayContaining(['better-sqlite3', 'fastify', 'socket.io']))
  })

  it('runs the bundled server entry (what host mode starts) under Node', async () => {
    const data = tempDir()
    const child = spawn(process.execPath, [path.join(OUT, 'main/server.js'), '--host', '127.0.0.1', '--port', '0', '--data', data, '--migrations', path.join(ROOT, 'prisma/migrations')], { stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (d) => (output += d))
    child.stderr.on('data', (d) => (output += d))
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', () => {
        const m = /listening on (http:\/\/\S+)/.exec(output)
        if (m) resolve(m[1]!)
      })
      child.on('exit', (code) => reject(new Error(`exited ${code}: ${output}`)))
    })
    expect((await fetch(`${url}/api/health`)).status).toBe(200)
    // …and serves the inbox beside it as the web client, from the same build.
    const page = await fetch(`${url}/`)
    expect(page.status).toBe(200)
    // One policy, as a header from electron/shared/csp.ts; the page carries no second copy of its own.
    expect(page.headers.get('content-security-policy')).toBe(rendererCsp(null))
    const html = await page.text()
    expect(html).not.toMatch(/Content-Security-Policy/i)
    expect(html).toContain('<div id="app" class="isolate">')
    const script = /src="\.\/(assets\/[^"]+\.js)"/.exec(html)![1]!
    expect((await fetch(`${url}/${script}`)).headers.get('content-type')).toMatch(/javascript/)
    child.kill('SIGTERM')
    expect(await new Promise((r) => child.on('exit', r))).toBe(0)
  })
})

describe('electron-builder.yml', () => {
  const config = parse(readFileSync(path.join(ROOT, 'electron-builder.yml'), 'utf8'))

  // The fuses are checked with the rest of Electron's security checklist (test/security/electron-checklist.test.ts).

  it('packs the app in asar with native modules and Prisma unpacked, and ships the migrations', () => {
    expect(config.asar).toBe(true)
    expect(config.asarUnpack).toEqual(expect.arrayContaining(['node_modules/better-sqlite3/**', 'node_modules/@prisma/**']))
    expect(config.extraResources).toEqual(expect.arrayContaining([{ from: 'prisma/migrations', to: 'prisma/migrations' }]))
    expect(config.npmRebuild).toBe(true)
    expect(config.files).toContain('out/**')
  })

  it('builds AppImage and deb, nsis, and dmg, with the icon and the switchboard:// scheme', () => {
    expect(config.linux.target).toEqual(['AppImage', 'deb'])
    expect(config.win.target).toEqual(['nsis'])
    expect(config.mac.target).toEqual(['dmg'])
    for (const os of ['linux', 'win', 'mac']) expect(config[os].icon).toBe('resources/icon.png')
    expect(config.protocols[0].schemes).toEqual(['switchboard'])
    expect(config.appId).toBe('dev.switchboard.desktop')
  })

  it('has a real icon of at least 512 px (electron-builder derives .ico and .icns from it)', () => {
    const png = readFileSync(path.join(ROOT, 'resources/icon.png'))
    expect(png.subarray(1, 4).toString()).toBe('PNG')
    expect(png.readUInt32BE(16)).toBeGreaterThanOrEqual(512)
    expect(png.readUInt32BE(20)).toBeGreaterThanOrEqual(512)
  })
})
