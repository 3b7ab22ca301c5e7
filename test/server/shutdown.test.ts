import path from 'node:path'
import { expect, it } from 'vitest'
import type { MessageDto } from '../../electron/shared/dto'
import { Api, pair } from '../helpers/api'
import { noLimits, startServer } from '../helpers/server'
import { call, closeAllSockets, connect } from '../helpers/sockets'

it('finishes the writes under way when it closes, refuses new ones, and loses no acknowledged message', async () => {
  const srv = await startServer(noLimits)
  const { ada, bob, conversationId } = await pair(srv.url)
  const socket = await connect(srv.url, ada.token)
  const acks: Promise<any>[] = []
  for (let i = 0; i < 200; i++) {
    acks.push(call(socket, 'send_message', { conversation_id: conversationId, content: `burst ${i}`, sender_id: ada.user.user_id, client_id: `burst-${i}` }).catch((e: Error) => ({ ok: false, error: { code: 'lost', message: e.message } })))
  }
  // Close while the burst is being stored: once the first of it is acknowledged.
  await acks[0]
  const closed = srv.close({ keepData: true })
  const results = await Promise.all(acks)
  await closed
  closeAllSockets()
  const acked = results.filter((r) => r.ok).map((r) => r.message as MessageDto)
  const refused = results.filter((r) => !r.ok)
  expect(acked.length).toBeGreaterThan(0)
  for (const r of refused) expect(['unavailable', 'lost']).toContain(r.error.code)

  const again = await startServer({ ...noLimits, dataDir: srv.dataDir })
  const stored = (await new Api(again.url, bob.token).get<MessageDto[]>(`/api/messages/${conversationId}?limit=200`)).body
  const storedIds = new Set(stored.map((m) => m.message_id))
  for (const m of acked) expect(storedIds.has(m.message_id), `acked ${m.client_id} was lost`).toBe(true)
  console.log(`shutdown under load: ${acked.length} acked and kept, ${refused.length} refused (outbox resends those), ${stored.length} stored`)
  await again.close()
  expect(path.isAbsolute(srv.dataDir)).toBe(true)
})

it('closes promptly after serving a file download', async () => {
  const srv = await startServer(noLimits)
  const { ada, bob, conversationId } = await pair(srv.url)
  const form = new FormData()
  form.append('file', new Blob(['bytes to fetch']), 'f.txt')
  const file = (await ada.api.request('POST', '/api/files', form)).body
  await ada.api.post(`/api/messages/${conversationId}`, { content: '', sender_id: ada.user.user_id, attachments: [{ file_url: file.file_url }] })
  const got = await fetch(srv.url + file.file_url, { headers: { authorization: `Bearer ${bob.token}` } })
  expect(await got.text()).toBe('bytes to fetch')
  const closed = srv.close().then(() => 'closed')
  expect(await Promise.race([closed, new Promise((r) => setTimeout(() => r('still open after 5 s'), 5000))])).toBe('closed')
})
