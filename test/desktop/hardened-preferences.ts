import path from 'node:path'

/** What the tests require of the app window's webPreferences, every one of them. */
export const hardenedPreferences = (mainDir: string): Record<string, unknown> => ({
  preload: path.join(mainDir, '../preload/index.js'),
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  experimentalFeatures: false,
  webviewTag: false,
  navigateOnDragDrop: false,
  safeDialogs: true,
  spellcheck: true,
})
