// Builds the app (out/, including the web client the server serves at /) when it is missing or older
// than its sources, so `npm run serve` always serves the current inbox. Explicit, like native.mjs.
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import path from 'node:path'

const root = path.resolve(import.meta.dirname, '..')
const built = path.join(root, 'out', 'renderer', 'index.html')
const sources = ['renderer', 'electron/shared', 'electron/client', 'electron.vite.config.ts', 'package-lock.json']

function newest(file) {
  const full = path.join(root, file)
  if (!existsSync(full)) return 0
  const stat = statSync(full)
  if (!stat.isDirectory()) return stat.mtimeMs
  let latest = 0
  for (const entry of readdirSync(full, { withFileTypes: true })) {
    if (entry.name === 'node_modules') continue
    latest = Math.max(latest, newest(path.join(file, entry.name)))
  }
  return latest
}

const stale = !existsSync(built) || Math.max(...sources.map(newest)) > statSync(built).mtimeMs
if (stale) {
  console.log('Building the web client (electron-vite build)…')
  const result = spawnSync('npx', ['electron-vite', 'build'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' })
  if (result.status !== 0) process.exit(result.status ?? 1)
}
