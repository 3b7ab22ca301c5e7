import { readdirSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { safeFileName } from '../../electron/server/services/files'
import type { MessageDto, UploadedFileDto } from '../../electron/shared/dto'
import { pair, person, type Person } from '../helpers/api'
import { noLimits, startServer, type TestServer } from '../helpers/server'

// The smallest valid PNG: 1×1 transparent pixel.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64')

let srv: TestServer
let ada: Person
let bob: Person
let eve: Person
let conversationId: number

beforeAll(async () => {
  srv = await startServer({ ...noLimits, uploadMaxBytes: 64 * 1024 })
  ;({ ada, bob, conversationId } = await pair(srv.url))
  eve = await person(srv.url, 'eve')
})
afterAll(() => srv.close())

function form(bytes: Buffer | string, name: string, claimedType = 'application/octet-stream'): FormData {
  const data = new FormData()
  data.append('file', new Blob([bytes], { type: claimedType }), name)
  return data
}

async function upload(who: Person, bytes: Buffer | string, name: string, claimedType?: string) {
  return who.api.request<UploadedFileDto & { error?: any }>('POST', '/api/files', form(bytes, name, claimedType))
}

async function attach(who: Person, file: UploadedFileDto): Promise<MessageDto> {
  const res = await who.api.post(`/api/messages/${conversationId}`, { content: '', sender_id: who.user.user_id, attachments: [{ file_url: file.file_url, file_name: file.file_name, file_type: 'text/html' }] })
  expect(res.status).toBe(201)
  return res.body
}

const storedFiles = (): string[] => readdirSync(path.join(srv.dataDir, 'files'))

describe('upload', () => {
  it('stores a file under a generated name, with the type sniffed from its bytes', async () => {
    const res = await upload(ada, PNG, 'holiday photo.png', 'text/html')
    expect(res.status).toBe(201)
    expect(res.body).toEqual({ file_url: expect.stringMatching(/^\/api\/files\/[0-9a-f-]{36}$/), file_name: 'holiday photo.png', file_type: 'image/png', size: PNG.length })
    expect(storedFiles()).toContain(res.body.file_url.split('/').pop())
  })

  it('calls text text and unknown bytes octet-stream, whatever the name says', async () => {
    expect((await upload(ada, 'plain words\n', 'notes.png')).body.file_type).toBe('text/plain')
    expect((await upload(ada, Buffer.from([0, 1, 2, 3, 250, 251]), 'x.jpg')).body.file_type).toBe('application/octet-stream')
  })

  it('makes hostile names safe', async () => {
    expect((await upload(ada, 'a', '../../etc/passwd')).body.file_name).toBe('passwd')
    expect((await upload(ada, 'a', '..\\..\\boot.ini')).body.file_name).toBe('boot.ini')
    expect((await upload(ada, 'a', '.htaccess')).body.file_name).toBe('htaccess')
    // A hand-built multipart body, so the control characters arrive raw.
    const boundary = 'xBOUNDARYx'
    const raw = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="bell\u0007\ttab\u001b.txt"\r\nContent-Type: text/plain\r\n\r\nhello\r\n--${boundary}--\r\n`
    const res = await ada.api.request('POST', '/api/files', raw, { 'content-type': `multipart/form-data; boundary=${boundary}` })
    expect(res.status).toBe(201)
    expect(res.body.file_name).toBe('belltab.txt')
    for (const name of storedFiles()) expect(name).toMatch(/^[0-9a-f-]{36}$/)
  })

  it('refuses a file over the limit with 413 and keeps no partial file', async () => {
    const before = storedFiles().length
    const res = await upload(ada, Buffer.alloc(65 * 1024, 1), 'big.bin')
    expect(res.status).toBe(413)
    expect(res.body.error.code).toBe('payload_too_large')
    expect(storedFiles()).toHaveLength(before)
    expect(storedFiles().filter((f) => f.endsWith('.part'))).toEqual([])
  })

  it('refuses an upload that is not multipart, or has no file', async () => {
    expect((await ada.api.post('/api/files', { file: 'x' })).status).toBe(400)
    const empty = new FormData()
    empty.append('note', 'no file here')
    expect((await ada.api.request('POST', '/api/files', empty)).status).toBe(400)
  })
})

describe('safeFileName', () => {
  it.each([
    ['a/b/c.txt', 'c.txt'],
    ['C:\\Users\\x\\d.doc', 'd.doc'],
    ['..', 'file'],
    ['', 'file'],
    [undefined, 'file'],
    ['quote"d\r\n.txt', 'quoted.txt'],
    ['x'.repeat(300), 'x'.repeat(200)],
    ['résumé 📄.pdf', 'résumé 📄.pdf'],
  ])('%j becomes %j', (input, expected) => {
    expect(safeFileName(input)).toBe(expected)
  })
})

describe('attachments and downloads', () => {
  it('attaches an upload with our type and size, and serves it to participants only', async () => {
    const file = (await upload(ada, PNG, 'dot.png')).body
    const message = await attach(ada, file)
    expect(message.attachments).toEqual([{ attachment_id: expect.any(Number), message_id: message.message_id, file_url: file.file_url, file_name: 'dot.png', file_type: 'image/png', size: PNG.length }])

    const got = await fetch(srv.url + file.file_url, { headers: { authorization: `Bearer ${bob.token}` } })
    expect(got.status).toBe(200)
    expect(Buffer.from(await got.arrayBuffer())).toEqual(PNG)
    expect(got.headers.get('content-type')).toBe('image/png')
    expect(got.headers.get('content-disposition')).toBe(`inline; filename="dot.png"; filename*=UTF-8''dot.png`)
    expect(got.headers.get('x-content-type-options')).toBe('nosniff')
    expect(got.headers.get('content-security-policy')).toContain('sandbox')

    expect((await eve.api.get(file.file_url)).status).toBe(403)
    expect((await eve.api.get('/api/files/00000000-0000-0000-0000-000000000000')).status).toBe(404)
    expect((await eve.api.get('/api/files/..%2F..%2Fswitchboard.db')).status).toBe(400)
  })

  it('serves an HTML file that poses as an image inert, as a download', async () => {
    const file = (await upload(ada, '<html><script>alert(1)</script></html>', 'cute-cat.png', 'image/png')).body
    expect(file.file_type).toBe('text/plain')
    await attach(ada, file)
    const got = await fetch(srv.url + file.file_url, { headers: { authorization: `Bearer ${bob.token}` } })
    expect(got.headers.get('content-type')).toBe('text/plain; charset=utf-8')
    expect(got.headers.get('content-disposition')).toMatch(/^attachment;/)
    expect(got.headers.get('x-content-type-options')).toBe('nosniff')
  })

  it('lets the uploader fetch their own file before sending it', async () => {
    const file = (await upload(ada, 'draft', 'draft.txt')).body
    expect((await ada.api.get(file.file_url)).status).toBe(200)
    expect((await bob.api.get(file.file_url)).status).toBe(403)
  })

  it("refuses to attach someone else's upload or an outside URL, storing nothing", async () => {
    const file = (await upload(ada, PNG, 'mine.png')).body
    const count = await srv.server.database.db.message.count()
    const stolen = await bob.api.post(`/api/messages/${conversationId}`, { content: 'look', sender_id: bob.user.user_id, attachments: [{ file_url: file.file_url, file_name: 'x', file_type: 'image/png' }] })
    expect(stolen.status).toBe(400)
    expect(stolen.body.error.field).toBe('attachments.0.file_url')
    const outside = await bob.api.post(`/api/messages/${conversationId}`, { content: 'look', sender_id: bob.user.user_id, attachments: [{ file_url: 'https://evil.example/x.png', file_name: 'x', file_type: 'image/png' }] })
    expect(outside.status).toBe(400)
    expect(await srv.server.database.db.message.count()).toBe(count)
  })
})
