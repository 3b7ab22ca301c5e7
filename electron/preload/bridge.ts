// window.messenger's shape: exactly the MessengerApi's operations, one method per IPC channel, and
// nothing else (never ipcRenderer, no generic send). Electron-free, so tests can run it in a browser.
import type { IpcRendererEvent } from 'electron'
import { EVENT_CHANNELS, INVOKE_CHANNELS, type MessengerBridge } from '../shared/ipc'

export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>
  on(channel: string, listener: (event: IpcRendererEvent, payload: unknown) => void): unknown
  removeListener(channel: string, listener: (event: IpcRendererEvent, payload: unknown) => void): unknown
}

export function buildBridge(ipc: IpcRendererLike): MessengerBridge {
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
