// The renderer's Vite plugins, shared by electron-vite (the app), the web build the server serves,
// and vitest (component tests).
import path from 'node:path'
import ui from '@nuxt/ui/vite'
import vue from '@vitejs/plugin-vue'
import type { PluginOption } from 'vite'

/**
 * `rendererDir`: this folder (configs pass their own path to it). `dts: false` leaves the committed
 * components.d.ts / auto-imports.d.ts alone (test builds).
 */
export function rendererPlugins(rendererDir: string, options: { dts?: boolean } = {}): PluginOption[] {
  const dts = options.dts ?? true
  return [
    vue(),
    ui({
      router: false,
      colorMode: true,
      ui: { colors: { primary: 'indigo', neutral: 'slate' } },
      // Every icon is bundled: the app works offline and its CSP forbids the Iconify web API. The scan
      // reads .ts files too (its default is templates only): menus are built in composables.
      icon: { clientBundle: { scan: { globInclude: ['**/*.{vue,ts}'] } } },
      components: { dts: dts && path.join(rendererDir, 'components.d.ts') },
      autoImport: { dts: dts && path.join(rendererDir, 'auto-imports.d.ts') },
    }),
  ]
}
