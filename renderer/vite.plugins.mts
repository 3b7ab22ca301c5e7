// The renderer's Vite plugins, shared by electron-vite (the app), the web build the server serves,
// and vitest (component tests).
import path from 'node:path'
import ui from '@nuxt/ui/vite'
import vue from '@vitejs/plugin-vue'
import type { PluginOption } from 'vite'

/** `rendererDir`: this folder (configs pass their own path to it). */
export function rendererPlugins(rendererDir: string): PluginOption[] {
  return [
    vue(),
    ui({
      router: false,
      colorMode: true,
      ui: { colors: { primary: 'indigo', neutral: 'slate' } },
      // Every icon is bundled: the app works offline and its CSP forbids the Iconify web API.
      icon: { clientBundle: { scan: true } },
      components: { dts: path.join(rendererDir, 'components.d.ts') },
      autoImport: { dts: path.join(rendererDir, 'auto-imports.d.ts') },
    }),
  ]
}
