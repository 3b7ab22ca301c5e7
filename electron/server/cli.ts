// npm run serve -- --host 127.0.0.1 --port 3000 --data <dir>: the headless server.
import { configFromCli } from './config'
import { createServer } from './create-server'

async function main(): Promise<void> {
  const config = configFromCli(process.argv.slice(2))
  const server = await createServer({ config })
  const url = await server.listen()
  console.log(`Switchboard server listening on ${url} (data: ${config.dataDir})`)

  let stopping = false
  const stop = (signal: string): void => {
    if (stopping) return
    stopping = true
    server.logger.info({ signal }, 'shutting down')
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
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error)
  process.exit(1)
})
