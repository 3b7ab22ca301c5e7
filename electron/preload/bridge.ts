// window.messenger's shape: exactly the MessengerApi's operations, one method per IPC channel, and
// `on` for the app's events by name (never ipcRenderer, no generic send, no channel outside the list).
// Electron-free, so tests can run it in a browser.
import type { IpcRendererEvent } from 'electron'
import { eventChannel, INVOKE_CHANNELS, isAppEvent, type MessengerBridge } from '../shared/ipc'

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
  bridge.on = (event: unknown, listener: (payload: unknown) => void) => {
    if (!isAppEvent(event)) throw new TypeError(`There is no event named ${JSON.stringify(event)}.`)
    if (typeof listener !== 'function') throw new TypeError(`on('${event}') needs a function`)
    const channel = eventChannel(event)
    // The renderer gets the payload only, never the IPC event (it carries `sender`).
    const handler = (_event: IpcRendererEvent, payload: unknown): void => listener(payload)
    ipc.on(channel, handler)
    return () => {
      ipc.removeListener(channel, handler)
    }
  }
  return Object.freeze(bridge) as unknown as MessengerBridge
}
