import { execFile, execFileSync } from 'node:child_process'
import { promisify } from 'node:util'
import { readdirSync } from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { expect, it } from 'vitest'
import { sqliteFile } from '../../electron/server/db/database'
import type { MessageDto, UploadedFileDto } from '../../electron/shared/dto'
import { Api, pair, type Person } from '../helpers/api'
import { noLimits, startServer, tempDir } from '../helpers/server'

const ROOT = path.resolve(__dirname, '../..')

interface Written {
  content: string
  message_id: number
  acked_at: number
}

it('backs up a running server while it writes, into a consistent snapshot that serves as a data folder', async () => {
  const live = await startServer(noLimits)
  const { ada, bob, conversationId } = await pair(live.url)
  const upload = async (who: Person, text: string): Promise<UploadedFileDto> => {
    const form = new FormData()
    form.append('file', new Blob([text]), `${text}.txt`)
    return (await who.api.request<UploadedFileDto>('POST', '/api/files', form)).body
  }
  const adaFile = await upload(ada, 'keep me')
  const bobFile = await upload(bob, 'bob file')
  await ada.api.post(`/api/messages/${conversationId}`, { content: 'with a file', sender_id: ada.user.user_id, attachments: [{ file_url: adaFile.file_url }] })
  for (let i = 0; i < 200; i++) await ada.api.post(`/api/messages/${conversationId}`, { content: `before ${i}`, sender_id: ada.user.user_id })

  // Two writers keep writing, each message with an attachment (a message is three writes: the row,
  // its attachment, the conversation's bump), from before the backup starts until after it ends.
  let backupDone = false
  const write = async (who: Person, file: UploadedFileDto, name: string): Promise<Written[]> => {
    const written: Written[] = []
    let after = 0
    while (!backupDone || after++ < 5) {
      const content = `${name} ${written.length}`
      const res = await who.api.post<MessageDto>(`/api/messages/${conversationId}`, { content, sender_id: who.user.user_id, attachments: [{ file_url: file.file_url }] })
      if (res.status !== 201) throw new Error(`write failed: ${res.status}`)
      written.push({ content, message_id: res.body.message_id, acked_at: Date.now() })
    }
    return written
  }
  const writers = Promise.all([write(ada, adaFile, 'ada during'), write(bob, bobFile, 'bob during')])
  const out = path.join(tempDir(), 'backup')
  const startedAt = Date.now()
  // A child process of its own, so the server (in this process) keeps serving while the backup runs.
  const { stdout: printed } = await promisify(execFile)('npm', ['run', '--silent', 'backup', '--', '--data', live.dataDir, '--out', out], { cwd: ROOT, encoding: 'utf8' })
  const endedAt = Date.now()
  backupDone = true
  const during = (await writers).flat()
  await live.close()
  expect(printed).toMatch(/messages, 2 files, integrity ok/)
  expect(readdirSync(out).sort()).toEqual(['files', 'jwt-secret', 'switchboard.db'])

  // The copy is one point in the server's history: every message up to it, whole, and nothing after.
  const copy = new Database(sqliteFile(out), { readonly: true })
  const rows = copy.prepare('SELECT m.message_id, m.content, m.created_at, COUNT(a.attachment_id) AS attachments FROM Message m LEFT JOIN MessageAttachment a ON a.message_id = m.message_id GROUP BY m.message_id ORDER BY m.message_id').all() as { message_id: number; content: string; created_at: string; attachments: number }[]
  const orphans = (copy.prepare('SELECT COUNT(*) AS n FROM MessageAttachment WHERE message_id NOT IN (SELECT message_id FROM Message)').get() as { n: number }).n
  const bumped = (copy.prepare('SELECT updated_at FROM Conversation WHERE conversation_id = ?').get(conversationId) as { updated_at: string }).updated_at
  copy.close()
  expect(printed).toContain(`: ${rows.length} messages,`)
  const snapshot = rows.at(-1)!.message_id
  const present = new Map(rows.map((r) => [r.message_id, r]))
  const inCopy = during.filter((w) => present.has(w.message_id))
  const notInCopy = during.filter((w) => !present.has(w.message_id))
  console.log(
    `backup: ${during.length} messages written while it ran (${during.filter((w) => w.acked_at > startedAt && w.acked_at < endedAt).length} acknowledged between its start and end, ${endedAt - startedAt} ms): ${inCopy.length} in the copy, ${notInCopy.length} after its snapshot (${notInCopy.filter((w) => w.acked_at < endedAt).length} of them before it ended)`,
  )
  // Written while the backup ran, on both sides of its snapshot.
  expect(inCopy.filter((w) => w.acked_at > startedAt).length, 'writes during the backup, in the copy').toBeGreaterThan(0)
  expect(notInCopy.filter((w) => w.acked_at < endedAt).length, 'writes during the backup, after its snapshot').toBeGreaterThan(0)
  // Every message acknowledged before the backup started is in it, and the copy holds exactly the messages up to its snapshot point.
  for (const w of during.filter((w) => w.acked_at < startedAt)) expect(present.has(w.message_id), w.content).toBe(true)
  for (const w of during) expect(present.has(w.message_id), w.content).toBe(w.message_id <= snapshot)
  // Each message in the copy is whole (its attachment is there), nothing refers to a missing one, and
  // the conversation was last bumped by the newest message in the copy, not by one after it.
  for (const w of inCopy) expect(present.get(w.message_id)!.attachments, w.content).toBe(1)
  expect(orphans).toBe(0)
  expect(bumped).toBe(rows.at(-1)!.created_at)

  // Restore: the backup folder is a data folder. Old tokens still work (the secret came along).
  const restored = await startServer({ dataDir: out })
  try {
    const api = new Api(restored.url, bob.token)
    const history: MessageDto[] = []
    let before: number | undefined
    for (;;) {
      const page = (await api.get<MessageDto[]>(`/api/messages/${conversationId}?limit=200${before ? `&before=${before}` : ''}`)).body
      if (page.length === 0) break
      history.unshift(...page)
      before = page[0]!.message_id
    }
    expect(history.map((m) => m.content)).toEqual(['with a file', ...Array.from({ length: 200 }, (_, i) => `before ${i}`), ...inCopy.sort((a, b) => a.message_id - b.message_id).map((w) => w.content)])
    for (const [name, file] of [['keep me', adaFile], ['bob file', bobFile]] as const) {
      const got = await fetch(restored.url + file.file_url, { headers: { authorization: `Bearer ${bob.token}` } })
      expect(await got.text()).toBe(name)
    }
  } finally {
    await restored.close()
  }
})

it('refuses to back up into a folder that is not empty', async () => {
  const live = await startServer()
  await live.close({ keepData: true })
  expect(() => execFileSync('npm', ['run', '--silent', 'backup', '--', '--data', live.dataDir, '--out', live.dataDir], { cwd: ROOT, encoding: 'utf8', stdio: 'pipe' })).toThrow(/not empty/)
})
