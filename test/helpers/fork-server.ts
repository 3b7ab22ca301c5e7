import { fork } from 'node:child_process'
import path from 'node:path'
import type { SpawnServer } from '../../electron/main/host'

const CLI = path.resolve(__dirname, '../../electron/server/cli.ts')

/** The Node stand-in for Electron's utilityProcess.fork: the real server entry in a child process. */
export const forkServer: SpawnServer = (args) => {
  const child = fork(CLI, args, { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] })
  return {
    onMessage: (listener) => child.on('message', listener),
    onExit: (listener) => child.on('exit', (code) => listener(code)),
    postMessage: (message) => child.send(message as object),
    kill: () => child.kill('SIGKILL'),
  }
}
