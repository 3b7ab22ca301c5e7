import { execFile, execFileSync } from 'node:child_process'
import { promisify } from 'node:util'
import { readdirSync } from 'node:fs'
import path from 'node:path'
import { expect, it } from 'vitest'
import type { MessageDto, UploadedFileDto } from '../../electron/shared/dto'
import { Api, pair } from '../helpers/api'
import { noLimits, startServer, tempDir } from '../helpers/server'

const ROOT = path.resolve(__dirname, '../..')

it('backs up a running, busy server with npm run backup, and the copy serves as a data folder', async () => {
  const live = await startServer(noLimits)
  const { ada, bob, conversationId } = await pair(live.url)
  const form = new FormData()
  form.append('file', new Blob(['keep me']), 'keep.txt')
  const file = (await ada.api.request<UploadedFileDto>('POST', '/api/files', form)).body
  await ada.api.post(`/api/messages/${conversationId}`, { content: 'with a file', sender_id: ada.user.user_id, attachments: [{ file_url: file.file_url }] })
  for (let i = 0; i < 200; i++) await ada.api.post(`/api/messages/${conversationId}`, { content: `before ${i}`, sender_id: ada.user.user_id })

  // Keep writing while the backup runs.
  let writing = true
  const writer = (async () => {
    let i = 0
    while (writing) await bob.api.post(`/api/messages/${conversationId}`, { content: `during ${i++}`, sender_id: bob.user.user_id })
  })()
  const out = path.join(tempDir(), 'backup')
  // A child process of its own, so the server (in this process) keeps serving while the backup runs.
  const { stdout: printed } = await promisify(execFile)('npm', ['run', '--silent', 'backup', '--', '--data', live.dataDir, '--out', out], { cwd: ROOT, encoding: 'utf8' })
  writing = false
  await writer
  await live.close()
  expect(printed).toMatch(/messages, 1 files, integrity ok/)
  expect(readdirSync(out).sort()).toEqual(['files', 'jwt-secret', 'switchboard.db'])

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
    const contents = history.map((m) => m.content)
    expect(contents.slice(0, 201)).toEqual(['with a file', ...Array.from({ length: 200 }, (_, i) => `before ${i}`)])
    // Whatever was written during the backup is there up to a point, with no gap.
    const during = contents.slice(201)
    expect(during).toEqual(during.map((_, i) => `during ${i}`))
    const got = await fetch(restored.url + file.file_url, { headers: { authorization: `Bearer ${bob.token}` } })
    expect(await got.text()).toBe('keep me')
  } finally {
    await restored.close()
  }
})

it('refuses to back up into a folder that is not empty', async () => {
  const live = await startServer()
  await live.close({ keepData: true })
  expect(() => execFileSync('npm', ['run', '--silent', 'backup', '--', '--data', live.dataDir, '--out', live.dataDir], { cwd: ROOT, encoding: 'utf8', stdio: 'pipe' })).toThrow(/not empty/)
})
