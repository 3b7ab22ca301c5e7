import type { FastifyError, FastifyInstance } from 'fastify'
import { AppError, type ErrorCode, type ErrorInfo } from '../../shared/result'
import { HTTP_STATUS, INTERNAL_MESSAGE } from '../errors'

const CODE_BY_STATUS: Record<number, ErrorCode> = { 401: 'unauthorized', 403: 'forbidden', 404: 'not_found', 409: 'conflict', 413: 'payload_too_large', 429: 'rate_limited' }

/** Every failure answers `{ error: { code, message, field? } }` with the matching status. */
export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
    let info: ErrorInfo
    if (error instanceof AppError) {
      info = error.info
    } else if (error.statusCode === 413 || error.code === 'FST_REQ_FILE_TOO_LARGE') {
      info = { code: 'payload_too_large', message: 'The request body is too large.' }
    } else if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
      // Fastify's own refusals: malformed JSON, wrong content type, and the like.
      info = { code: CODE_BY_STATUS[error.statusCode] ?? 'bad_request', message: error.message }
    } else {
      request.log.error({ err: error }, 'request failed')
      info = { code: 'internal', message: INTERNAL_MESSAGE }
    }
    if (info.retry_after_ms !== undefined) void reply.header('Retry-After', Math.ceil(info.retry_after_ms / 1000))
    return reply.status(HTTP_STATUS[info.code]).send({ error: info })
  })
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({ error: { code: 'not_found', message: `No route ${request.method} ${request.url.split('?')[0]}.` } }),
  )
}
