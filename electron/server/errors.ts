import type { ZodType } from 'zod'
import type { ErrorCode, ErrorInfo } from '../shared/result'

/** An error a caller caused or may act on; anything else is reported as `internal`. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly extra: Pick<ErrorInfo, 'field' | 'retry_after_ms'> = {},
  ) {
    super(message)
    this.name = 'AppError'
  }

  toInfo(): ErrorInfo {
    return { code: this.code, message: this.message, ...this.extra }
  }
}

export const badRequest = (message: string, field?: string): AppError =>
  new AppError('bad_request', field ? `${field}: ${message}` : message, field ? { field } : {})
export const forbidden = (message: string): AppError => new AppError('forbidden', message)
export const notFound = (message: string): AppError => new AppError('not_found', message)

/** Parses input with a contract schema; the first problem becomes a 400 that names the field. */
export function parse<T>(schema: ZodType<T>, input: unknown, what = 'body'): T {
  // A missing body is an empty object, so the first missing field is named; null stays null.
  const result = schema.safeParse(input === undefined ? {} : input)
  if (result.success) return result.data
  const issue = result.error.issues[0]
  const path = issue?.path ?? []
  const field = path.length > 0 ? path.join('.') : undefined
  const missing = field !== undefined && issue?.code === 'invalid_type' && valueAt(input, path) === undefined
  const message = missing ? 'is required' : (issue?.message ?? 'is invalid')
  throw badRequest(field ? message : `${what}: ${message}`, field)
}

function valueAt(input: unknown, path: PropertyKey[]): unknown {
  let value = input
  for (const key of path) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, key)) return undefined
    value = (value as Record<PropertyKey, unknown>)[key]
  }
  return value
}

export function toErrorInfo(error: unknown): ErrorInfo {
  if (error instanceof AppError) return error.toInfo()
  return { code: 'internal', message: 'Something went wrong on the server; try again.' }
}
