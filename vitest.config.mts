import path from 'node:path'
import { defineConfig } from 'vitest/config'
import { rendererPlugins } from './renderer/vite.plugins.mts'

// PostgreSQL and Redis started for the run (throwaway, on free ports) for the projects that use them.
const services = { globalSetup: ['test/helpers/services-setup.ts'], setupFiles: ['test/helpers/services-env.ts'] }

const shared = {
  pool: 'forks' as const,
  testTimeout: 60_000,
  hookTimeout: 120_000,
  // Each file starts its own servers on port 0 with its own data folder, so files run in parallel.
  fileParallelism: true,
}

export default defineConfig({
  test: {
    projects: [
      {
        test: { name: 'node', include: ['test/**/*.test.ts', 'electron/**/*.test.ts'], exclude: ['test/e2e/**', 'test/scale/**'], environment: 'node', ...services, ...shared },
      },
      {
        // The inbox in Debian's Chromium against real servers; the renderer is built once for them.
        test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], environment: 'node', globalSetup: ['test/e2e/build-renderer.ts'], ...shared },
      },
      {
        // The server suite again on PostgreSQL (each test server in a schema of its own). What is
        // SQLite's alone (its file, backup, WAL, the seeded 1,000-conversation inbox) stays in `node`,
        // and so does the fuzzer (validation happens before any database; its fingerprint reads SQLite).
        test: {
          name: 'postgres',
          include: ['test/server/**/*.test.ts', 'test/client/**/*.test.ts', 'test/security/**/*.test.ts'],
          exclude: ['test/server/migrations.test.ts', 'test/server/backup.test.ts', 'test/server/large-inbox.test.ts', 'test/server/cli.test.ts', 'test/security/electron-checklist.test.ts', 'test/security/fuzz.test.ts'],
          environment: 'node',
          globalSetup: services.globalSetup,
          setupFiles: [...services.setupFiles, 'test/helpers/on-postgres.ts'],
          ...shared,
        },
      },
      {
        // Several server processes on the run's PostgreSQL and Redis.
        test: { name: 'scale', include: ['test/scale/**/*.test.ts'], environment: 'node', ...services, ...shared },
      },
      {
        // Component tests: the renderer's Vue files with Nuxt UI, in happy-dom.
        plugins: rendererPlugins(path.resolve(import.meta.dirname, 'renderer')),
        test: { name: 'renderer', include: ['renderer/**/*.test.ts'], environment: 'happy-dom', ...shared },
      },
    ],
  },
})
