// The server's one entry: `npm run serve -- --host 127.0.0.1 --port 3000 --data <dir>` for the headless
// server, and the process the desktop app starts in host mode (an Electron utilityProcess, or a
// child_process.fork), which it tells when it is ready and asks to stop.
import type { ChildMessage, ParentMessage } from '../shared/host-messages'
import { configFromCli } from './config'
import { createServer } from './create-server'


interface ParentPort {
  postMessage(message: unknown): void
  on(event: 'message', listener: (event: { data: unknown }) => void): void
}

// utilityProcess children get process.parentPort; fork() children get process.send.
const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort

function tellParent(message: ChildMessage): void {
  if (parentPort) parentPort.postMessage(message)
  else process.send?.(message)
}

function onParentMessage(listener: (message: ParentMessage) => void): void {
  if (parentPort) parentPort.on('message', (event) => listener(event.data as ParentMessage))
  else if (process.send) process.on('message', (message) => listener(message as ParentMessage))
}

async function main(): Promise<void> {
  const config = configFromCli(process.argv.slice(2))
  const server = await createServer({ config })
  const url = await server.listen()
  console.log(`Switchboard server listening on ${url} (data: ${config.dataDir})`)
  tellParent({ type: 'ready', url })

  let stopping = false
  const stop = (why: string): void => {
    if (stopping) return
    stopping = true
    server.logger.info({ why }, 'shutting down')
    server.close().then(
      () => process.exit(0),
      (err: unknown) => {
        server.logger.error({ err }, 'shutdown failed')
        process.exit(1)
      },
    )
  }
  process.on('SIGTERM', () => stop('SIGTERM'))
  process.on('SIGINT', () => stop('SIGINT'))
  onParentMessage((message) => {
    if (message?.type === 'stop') stop('asked by the app')
  })
  // The app that started us is gone: do not outlive it.
  process.on('disconnect', () => stop('parent gone'))
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error)
  console.error(message)
  tellParent({ type: 'error', message })
  process.exit(1)
})
