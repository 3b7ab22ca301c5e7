import { spawn, type ChildProcess } from 'node:child_process'
import path from 'node:path'

const ROOT = path.resolve(__dirname, '../..')

export interface ServerProcess {
  url: string
  pid: number
  stop(): Promise<void>
}

/** Starts a node script that prints "listening on <url>" (the Switchboard CLI, or the raw ceiling server). */
export function startProcess(script: string, args: string[], env: Record<string, string> = {}, nodeArgs: string[] = []): Promise<ServerProcess> {
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', path.join(ROOT, script), ...args], {
    cwd: ROOT,
    env: { ...process.env, SWITCHBOARD_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  let output = ''
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      output += d
      const match = /listening on (http:\/\/\S+)/.exec(output)
      if (match) {
        child.stdout!.removeAllListeners('data')
        child.stdout!.resume()
        resolve({
          url: match[1]!,
          pid: child.pid!,
          stop: () =>
            new Promise((done) => {
              if (child.exitCode !== null) return done()
              child.once('exit', () => done())
              child.kill('SIGTERM')
            }),
        })
      }
    })
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}: ${output}`)))
  })
}

export const startSwitchboard = (dataDir: string): Promise<ServerProcess> =>
  startProcess('electron/server/cli.ts', ['--host', '127.0.0.1', '--port', '0', '--data', dataDir], { SWITCHBOARD_SEND_RATE: '100000000/1' })

export const startRawSocketServer = (): Promise<ServerProcess> => startProcess('bench/raw-socket-server.ts', [])
