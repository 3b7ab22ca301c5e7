// The webPreferences the app's one window is really created with: createMainWindow run against a
// stand-in BrowserWindow that records its options (the preferences are written out in window.ts).
import { vi } from 'vitest'

const created: { webPreferences?: Record<string, unknown> }[] = []

vi.mock('electron', () => ({
  BrowserWindow: class {
    constructor(options: { webPreferences?: Record<string, unknown> }) {
      created.push(options)
    }
    once(): void {}
    loadURL(): Promise<void> {
      return Promise.resolve()
    }
  },
}))

export async function mainWindowPreferences(mainDir = '/app/out/main'): Promise<Record<string, unknown>> {
  const { createMainWindow } = await import('../../electron/main/window')
  createMainWindow(mainDir, '/app/icon.png')
  return created.at(-1)!.webPreferences!
}
