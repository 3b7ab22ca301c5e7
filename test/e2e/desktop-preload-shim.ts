// Runs in the test's Chromium page in place of Electron's preload: the real bridge (buildBridge)
// over an ipcRenderer whose invoke crosses to Node through a Playwright binding, where the real
// IPC handlers and DesktopController answer; main's webContents.send comes back through __ipcEmit.
import type { IpcRendererEvent } from 'electron'
import { buildBridge, type IpcRendererLike } from '../../electron/preload/bridge'

type Listener = (event: IpcRendererEvent, payload: unknown) => void
const listeners = new Map<string, Set<Listener>>()
const page = window as unknown as {
  __ipcInvoke(channel: string, args: unknown[]): Promise<unknown>
  __ipcEmit(channel: string, payload: unknown): void
  messenger: unknown
}

const ipc: IpcRendererLike = {
  invoke: (channel, ...args) => page.__ipcInvoke(channel, args),
  on: (channel, listener) => {
    let set = listeners.get(channel)
    if (!set) listeners.set(channel, (set = new Set()))
    set.add(listener)
  },
  removeListener: (channel, listener) => listeners.get(channel)?.delete(listener),
}

page.__ipcEmit = (channel, payload) => {
  for (const listener of listeners.get(channel) ?? []) listener({} as IpcRendererEvent, payload)
}
page.messenger = buildBridge(ipc)
