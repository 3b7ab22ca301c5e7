// A host's data folder, copied while the server runs: SQLite's online backup API for the database
// (a consistent snapshot, however busy the server), then the JWT secret and the uploaded files
// (immutable once stored). Restoring is copying the folder back with the server stopped.
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync } from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { sqliteFile } from './db/database'

export interface BackupReport {
  out: string
  messages: number
  files: number
  integrity: string
}

export async function backupDataDir(dataDir: string, out: string): Promise<BackupReport> {
  const source = sqliteFile(dataDir)
  if (!existsSync(source)) throw new Error(`No Switchboard database in ${dataDir}.`)
  if (existsSync(out) && readdirSync(out).length > 0) throw new Error(`${out} is not empty: choose a new folder for the backup.`)
  mkdirSync(out, { recursive: true, mode: 0o700 })
  const db = new Database(source, { readonly: true, fileMustExist: true })
  try {
    // All pages in one step: with steps of 100, every write the running server makes in between
    // restarts the copy, and a busy server would never let it finish. WAL readers block no writer.
    await db.backup(sqliteFile(out), { progress: () => 0x7fffffff })
  } finally {
    db.close()
  }
  const secret = path.join(dataDir, 'jwt-secret')
  if (existsSync(secret)) copyFileSync(secret, path.join(out, 'jwt-secret'))
  const files = path.join(dataDir, 'files')
  let fileCount = 0
  if (existsSync(files)) {
    // Partial uploads (.part) are not files yet.
    cpSync(files, path.join(out, 'files'), { recursive: true, filter: (src) => !src.endsWith('.part') && !src.endsWith('.tmp') })
    fileCount = readdirSync(path.join(out, 'files')).length
  }
  // Read-write, so that closing it checkpoints and removes the -wal and -shm files.
  const copy = new Database(sqliteFile(out))
  try {
    const integrity = copy.pragma('integrity_check', { simple: true }) as string
    const messages = (copy.prepare('SELECT COUNT(*) AS n FROM Message').get() as { n: number }).n
    return { out, messages, files: fileCount, integrity }
  } finally {
    copy.close()
  }
}
