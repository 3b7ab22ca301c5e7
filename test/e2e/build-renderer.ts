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
    /** The desktop preload stand-in for the browser (desktop-preload-shim.ts), as one script. */
    desktopPreload: string
    /** A page with only MessageList (harness/), for the long-history measurements. */
    harnessRoot: string
  }
}

const RENDERER = path.resolve(__dirname, '../../renderer')

export async function buildRenderer(outDir: string, root = RENDERER): Promise<void> {
  // A real import(): Nuxt UI's Vite plugin is ESM only, and this file may run as CommonJS under tsx.
  const { rendererPlugins } = await import('../../renderer/vite.plugins.mts')
  await build({
    configFile: false,
    logLevel: 'error',
    root,
    base: './',
    plugins: rendererPlugins(RENDERER, { dts: false }),
    build: { outDir, emptyOutDir: true, reportCompressedSize: false },
  })
}

/** Bundles the preload stand-in into one classic script for page.addInitScript. */
export async function buildDesktopPreload(): Promise<string> {
  const output = await build({
    configFile: false,
    logLevel: 'warn',
    build: {
      write: false,
      minify: false,
      lib: { entry: path.resolve(__dirname, 'desktop-preload-shim.ts'), formats: ['iife'], name: 'SwitchboardPreload', fileName: 'preload' },
    },
  })
  const chunk = (Array.isArray(output) ? output[0]! : output) as { output: { type: string; code?: string }[] }
  return chunk.output.find((o) => o.type === 'chunk')!.code!
}

export default async function setup(project: TestProject): Promise<() => void> {
  const outDir = mkdtempSync(path.join(tmpdir(), 'switchboard-renderer-'))
  await buildRenderer(path.join(outDir, 'web'))
  project.provide('webRoot', path.join(outDir, 'web'))
  project.provide('desktopPreload', await buildDesktopPreload())
  const harnessDir = path.join(outDir, 'harness')
  await buildRenderer(harnessDir, path.resolve(__dirname, 'harness'))
  project.provide('harnessRoot', harnessDir)
  return () => rmSync(outDir, { recursive: true, force: true })
}
