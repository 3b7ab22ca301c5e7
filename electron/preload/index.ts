// The sandboxed preload: window.messenger, built from the contract (see bridge.ts), and nothing else.
import { contextBridge, ipcRenderer } from 'electron'
import { buildBridge } from './bridge'

export { buildBridge }

contextBridge.exposeInMainWorld('messenger', buildBridge(ipcRenderer))
