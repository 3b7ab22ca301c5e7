// npm run backup -- --data <data folder> --out <new folder>: safe while the server runs.
import path from 'node:path'
import { parseArgs } from 'node:util'
import { backupDataDir } from './backup'
import { defaultDataDir } from './config'

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { data: { type: 'string' }, out: { type: 'string' } }, strict: true })
  const data = path.resolve(values.data ?? process.env.SWITCHBOARD_DATA_DIR ?? defaultDataDir())
  if (!values.out) throw new Error('usage: npm run backup -- [--data <data folder>] --out <new folder>')
  const report = await backupDataDir(data, path.resolve(values.out))
  console.log(`Backed up ${data} to ${report.out}: ${report.messages} messages, ${report.files} files, integrity ${report.integrity}.`)
  if (report.integrity !== 'ok') process.exit(1)
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error)
  process.exit(1)
})
