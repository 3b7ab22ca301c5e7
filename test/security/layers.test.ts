// The layer rules in eslint.config.mjs, run on code that breaks each one: a rule that stopped
// applying (a glob that no longer matches, a pattern mistyped) fails here, not silently.
import path from 'node:path'
import { ESLint } from 'eslint'
import { describe, expect, it } from 'vitest'

const eslint = new ESLint({ cwd: path.resolve(__dirname, '../..') })

async function problems(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath })
  return result!.messages.map((m) => `${m.ruleId}: ${m.message.split(':')[0]}`)
}

const cases: [string, string, string, RegExp][] = [
  ['electron/shared imports Node', 'electron/shared/x.ts', "import { readFile } from 'node:fs'\nexport const r = readFile", /no-restricted-imports/],
  ['electron/shared imports the server', 'electron/shared/x.ts', "import { createServer } from '../server/create-server'\nexport const c = createServer", /no-restricted-imports/],
  ['electron/server imports Electron', 'electron/server/x.ts', "import { app } from 'electron'\nexport const a = app", /no-restricted-imports/],
  ['electron/client imports Node', 'electron/client/x.ts', "import { readFile } from 'node:fs/promises'\nexport const r = readFile", /no-restricted-imports/],
  ['electron/client imports Electron', 'electron/client/x.ts', "import { ipcMain } from 'electron'\nexport const i = ipcMain", /no-restricted-imports/],
  ['electron/main imports the server', 'electron/main/x.ts', "import { createServer } from '../server/create-server'\nexport const c = createServer", /no-restricted-imports/],
  ['electron/main makes a second window', 'electron/main/x.ts', "import { BrowserWindow } from 'electron'\nexport const w = new BrowserWindow({})", /no-restricted-syntax/],
  ['electron/main weakens a webPreference', 'electron/main/window.ts', "export const p = { sandbox: false, nodeIntegration: true }", /no-restricted-syntax/],
  ['electron/main turns on Blink features', 'electron/main/x.ts', "export const p = { enableBlinkFeatures: 'X' }", /no-restricted-syntax/],
  ['electron/main loads a file:// page', 'electron/main/x.ts', "declare const w: { loadFile(f: string): void }\nw.loadFile('index.html')", /no-restricted-syntax/],
  ['an IPC handler is registered outside ipc.ts', 'electron/main/x.ts', "import { ipcMain } from 'electron'\nipcMain.handle('x', () => 1)", /no-restricted-syntax/],
  ['shell.openExternal is called outside index.ts', 'electron/main/x.ts', "import { shell } from 'electron'\nvoid shell.openExternal('https://example.com')", /no-restricted-syntax/],
  ['the preload exposes something besides messenger', 'electron/preload/x.ts', "import { contextBridge } from 'electron'\ncontextBridge.exposeInMainWorld('electron', {})", /no-restricted-syntax/],
  ['the preload hands the page ipcRenderer', 'electron/preload/x.ts', "import { contextBridge, ipcRenderer } from 'electron'\ncontextBridge.exposeInMainWorld('messenger', ipcRenderer)", /no-restricted-syntax/],
  ['electron/preload imports the client', 'electron/preload/x.ts', "import { ChatClient } from '../client/chat-client'\nexport const c = ChatClient", /no-restricted-imports/],
  ['electron/preload imports Node', 'electron/preload/x.ts', "import path from 'node:path'\nexport const p = path", /no-restricted-imports/],
  ['the renderer imports the shell', 'renderer/src/x.ts', "import { createMainWindow } from '../../electron/main/window'\nexport const c = createMainWindow", /no-restricted-imports/],
  ['a component imports the server', 'renderer/src/inbox/X.vue', "<script setup lang=\"ts\">\nimport { createServer } from '../../../electron/server/create-server'\nconsole.log(createServer)\n</script>\n<template><div /></template>\n", /no-restricted-imports/],
  ['a component renders HTML from a string', 'renderer/src/inbox/X.vue', "<script setup lang=\"ts\">\nconst text = '<b>hi</b>'\n</script>\n<template><div v-html=\"text\" /></template>\n", /vue\/no-v-html/],
]

describe('layer rules', () => {
  it.each(cases)('refuses code where %s', async (_name, file, code, rule) => {
    expect((await problems(file, code)).some((p) => rule.test(p))).toBe(true)
  })

  it('accepts what each layer may import', async () => {
    expect(await problems('electron/shared/x.ts', "import { z } from 'zod'\nimport mitt from 'mitt'\nexport const s = [z, mitt]")).toEqual([])
    expect(await problems('electron/main/x.ts', "import { app } from 'electron'\nimport { ChatClient } from '../client/chat-client'\nexport const a = [app, ChatClient]")).toEqual([])
    expect(await problems('electron/preload/x.ts', "import { contextBridge } from 'electron'\nimport { INVOKE_CHANNELS } from '../shared/ipc'\nexport const p = [contextBridge, INVOKE_CHANNELS]")).toEqual([])
    // Each sensitive call in its one home.
    expect(await problems('electron/main/ipc.ts', "import { ipcMain } from 'electron'\nipcMain.handle('x', () => 1)")).toEqual([])
    expect(await problems('electron/main/index.ts', "import { shell } from 'electron'\nvoid shell.openExternal('https://example.com')")).toEqual([])
    expect(await problems('electron/main/window.ts', "import { BrowserWindow } from 'electron'\nexport const w = new BrowserWindow({ webPreferences: { sandbox: true } })")).toEqual([])
  })
})
