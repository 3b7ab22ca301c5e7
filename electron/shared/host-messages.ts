// What the desktop app and the server it hosts (an Electron utilityProcess, or a forked child) say
// to each other: electron/main sends, electron/server/cli.ts answers.

/** From the app to its server. */
export type ParentMessage = { type: 'stop' }

/** From the server to the app that started it. */
export type ChildMessage = { type: 'ready'; url: string } | { type: 'error'; message: string }
