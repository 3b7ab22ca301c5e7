import path from 'node:path'
import { defineConfig } from 'vitest/config'
import { rendererPlugins } from './renderer/vite.plugins.mts'

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
        test: { name: 'node', include: ['test/**/*.test.ts', 'electron/**/*.test.ts'], exclude: ['test/e2e/**'], environment: 'node', ...shared },
      },
      {
        // The inbox in Debian's Chromium against real servers; the renderer is built once for them.
        test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], environment: 'node', globalSetup: ['test/e2e/build-renderer.ts'], ...shared },
      },
      {
        // Component tests: the renderer's Vue files with Nuxt UI, in happy-dom.
        plugins: rendererPlugins(path.resolve(import.meta.dirname, 'renderer')),
        test: { name: 'renderer', include: ['renderer/**/*.test.ts'], environment: 'happy-dom', ...shared },
      },
    ],
  },
})
