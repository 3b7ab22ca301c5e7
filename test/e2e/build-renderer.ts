// Builds the renderer once for the browser tests (vitest globalSetup), into a folder of its own so
// it never races `electron-vite build` in other tests.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { TestProject } from 'vitest/node'
import { build } from 'vite'

declare module 'vitest' {
  export interface ProvidedContext {
    webRoot: string
  }
}

const RENDERER = path.resolve(__dirname, '../../renderer')

export async function buildRenderer(outDir: string): Promise<void> {
  // A real import(): Nuxt UI's Vite plugin is ESM only, and this file may run as CommonJS under tsx.
  const { rendererPlugins } = await import('../../renderer/vite.plugins.mts')
  await build({
    configFile: false,
    logLevel: 'warn',
    root: RENDERER,
    base: './',
    plugins: rendererPlugins(RENDERER),
    build: { outDir, emptyOutDir: true, reportCompressedSize: false },
  })
}

export default async function setup(project: TestProject): Promise<() => void> {
  const outDir = mkdtempSync(path.join(tmpdir(), 'switchboard-renderer-'))
  await buildRenderer(outDir)
  project.provide('webRoot', outDir)
  return () => rmSync(outDir, { recursive: true, force: true })
}
