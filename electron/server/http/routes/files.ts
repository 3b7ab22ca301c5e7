import { createReadStream } from 'node:fs'
import type { FastifyInstance } from 'fastify'
import { fileParams } from '../../../shared/schemas'
import type { ServerConfig } from '../../config'
import { AppError } from '../../../shared/result'
import { badRequest, parse } from '../../errors'
import type { Services } from '../../services'
import { consume, type RateLimiters } from '../../services/rate-limits'
import { actorOf } from '../auth'

/** RFC 6266: an ASCII fallback plus the exact UTF-8 name. */
export function contentDisposition(kind: 'inline' | 'attachment', name: string): string {
  const ascii = name.replace(/[^\x20-\x7E]/g, '_').replace(/[\\"]/g, '_')
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`
}

/** Ours (AppError) or the multipart plugin's own refusals (a limit reached), which carry a 4xx. */
const isClientError = (error: unknown): boolean => error instanceof AppError || ((error as { statusCode?: number } | null)?.statusCode ?? 500) < 500

/** A multipart body the parser could not read (no boundary, cut short): the client's mistake, not the server's. */
const unreadable = (error: unknown): AppError => badRequest(`could not be read as multipart/form-data: ${error instanceof Error ? error.message : String(error)}`, 'file')

export function fileRoutes(app: FastifyInstance, services: Services, config: ServerConfig, limits: RateLimiters): void {
  app.post('/api/files', async (request, reply) => {
    const actor = actorOf(request)
    // Refuse what is announced too large before reading a byte of it.
    const announced = Number(request.headers['content-length'] ?? 0)
    if (announced > config.uploadMaxBytes + 64 * 1024) {
      throw new AppError('payload_too_large', `The file is larger than the ${Math.floor(config.uploadMaxBytes / 1024 / 1024)} MiB limit.`)
    }
    if (!request.isMultipart()) throw badRequest('send the file as multipart/form-data in a field named "file"', 'file')
    await consume(limits.upload, actor.user_id, 'You are uploading files too fast')
    const part = await request.file({ limits: { fileSize: config.uploadMaxBytes, files: 1 } }).catch((error: unknown) => {
      throw isClientError(error) ? error : unreadable(error)
    })
    if (!part) throw badRequest('is required', 'file')
    if (part.fieldname !== 'file') throw badRequest('send the file in a field named "file"', 'file')
    const stored = await services.files
      .store(actor, { fileName: part.filename, stream: part.file, truncated: () => part.file.truncated }, config.uploadMaxBytes)
      .catch((error: unknown) => {
        // The body can also break while the file streams (cut short, say): the client's mistake too.
        // A failure on our side (the disk) leaves the upload stream without an error of its own.
        throw part.file.errored && !isClientError(error) ? unreadable(part.file.errored) : error
      })
    return reply.status(201).send(stored)
  })

  app.get('/api/files/:name', async (request, reply) => {
    const { name } = parse(fileParams, request.params, 'path')
    const file = await services.files.openForRead(actorOf(request), name)
    return reply
      .header('Content-Type', file.inline ? file.file_type : file.file_type === 'text/plain' ? 'text/plain; charset=utf-8' : 'application/octet-stream')
      .header('Content-Length', file.size)
      .header('Content-Disposition', contentDisposition(file.inline ? 'inline' : 'attachment', file.file_name))
      .header('X-Content-Type-Options', 'nosniff')
      .header('Content-Security-Policy', "default-src 'none'; sandbox")
      .header('Cache-Control', 'private, max-age=86400, immutable')
      .send(createReadStream(file.path))
  })
}
