// better-sqlite3 is native code built for one runtime at a time: Node's ABI for the tests and
// `npm run serve`, Electron's for the desktop app. `node scripts/native.mjs node|electron` rebuilds it
// for the one asked, and does nothing when it already fits. For Electron it also makes sure Electron's
// own binary is there.
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'

const require = createRequire(import.meta.url)
const target = process.argv[2]
if (target !== 'node' && target !== 'electron') {
  console.error('usage: node scripts/native.mjs node|electron')
  process.exit(2)
}
const root = path.resolve(import.meta.dirname, '..')
const marker = path.join(root, 'node_modules/better-sqlite3/build/Release/.switchboard-abi')
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx'

function loadsInNode() {
  const probe = spawnSync(process.execPath, ['-e', "new (require('better-sqlite3'))(':memory:').close()"], { cwd: root, stdio: 'ignore' })
  return probe.status === 0
}

if (target === 'node') {
  if (loadsInNode()) process.exit(0)
  console.log(`Rebuilding better-sqlite3 for Node ${process.version}…`)
  execFileSync(npm, ['rebuild', 'better-sqlite3'], { cwd: root, stdio: 'inherit' })
  writeFileSync(marker, `node-${process.versions.modules}`)
} else {
  // Electron's binary is not part of `npm ci` (npm runs no install scripts it was not told to):
  // fetch it the first time the app is started or packaged.
  if (!existsSync(path.join(root, 'node_modules/electron/path.txt'))) {
    console.log('Downloading Electron…')
    execFileSync(process.execPath, [path.join(root, 'node_modules/electron/install.js')], { cwd: root, stdio: 'inherit' })
  }
  const electronVersion = require('electron/package.json').version
  const wanted = `electron-${electronVersion}`
  if (existsSync(marker) && readFileSync(marker, 'utf8') === wanted) process.exit(0)
  console.log(`Rebuilding better-sqlite3 for Electron ${electronVersion}…`)
  // @electron/rebuild through electron-builder: downloads Electron's headers, then compiles.
  execFileSync(npx, ['electron-builder', 'install-app-deps'], { cwd: root, stdio: 'inherit' })
  writeFileSync(marker, wanted)
}
