// The sandboxed preload: exposes exactly the MessengerApi's operations as window.messenger, one
// method per IPC channel, and nothing else (never ipcRenderer, no generic send).
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron'
import { EVENT_CHANNELS, INVOKE_CHANNELS, type MessengerBridge } from '../shared/ipc'

export function buildBridge(ipc: Pick<typeof ipcRenderer, 'invoke' | 'on' | 'removeListener'>): MessengerBridge {
  const bridge: Record<string, unknown> = {}
  for (const [method, channel] of Object.entries(INVOKE_CHANNELS)) {
    bridge[method] = (...args: unknown[]) => ipc.invoke(channel, ...args)
  }
  for (const [method, channel] of Object.entries(EVENT_CHANNELS)) {
    bridge[method] = (listener: (payload: unknown) => void) => {
      if (typeof listener !== 'function') throw new TypeError(`${method} needs a function`)
      // The renderer gets the payload only, never the IPC event (it carries `sender`).
      const handler = (_event: IpcRendererEvent, payload: unknown): void => listener(payload)
      ipc.on(channel, handler)
      return () => {
        ipc.removeListener(channel, handler)
      }
    }
  }
  return Object.freeze(bridge) as unknown as MessengerBridge
}

contextBridge.exposeInMainWorld('messenger', buildBridge(ipcRenderer))
