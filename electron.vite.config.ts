import { resolve } from 'node:path'
import { defineConfig } from 'electron-vite'
import { rendererPlugins } from './renderer/vite.plugins.mts'

// main and preload come out as CommonJS (package.json has no "type": "module"), which the
// sandboxed preload requires.
export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'electron/main/index.ts'),
          // Host mode's server, started by main as a utilityProcess.
          server: resolve(__dirname, 'electron/server/cli.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // A sandboxed preload cannot require node_modules: everything it uses is bundled into it.
      externalizeDeps: false,
      rollupOptions: { input: { index: resolve(__dirname, 'electron/preload/index.ts') } },
    },
  },
  renderer: {
    root: resolve(__dirname, 'renderer'),
    // Relative asset URLs: the same build works over app:// in the app and at / on the server.
    base: './',
    plugins: rendererPlugins(resolve(__dirname, 'renderer')),
    build: {
      outDir: resolve(__dirname, 'out/renderer'),
      rollupOptions: { input: resolve(__dirname, 'renderer/index.html') },
    },
  },
})
