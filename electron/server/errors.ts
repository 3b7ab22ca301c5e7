import type { ZodType } from 'zod'
import { AppError, toErrorInfo, type ErrorCode, type ErrorInfo } from '../shared/result'

/** What a caller sees of a failure that is not theirs to act on (the details go to the log). */
export const INTERNAL_MESSAGE = 'Something went wrong on the server; try again.'

/** HTTP status for each error code; the body is `{ error: ErrorInfo }`. */
export const HTTP_STATUS: Record<ErrorCode, number> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
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

/** An error as a caller may see it: an AppError as it is, anything else hidden behind INTERNAL_MESSAGE. */
export const publicErrorInfo = (error: unknown): ErrorInfo => toErrorInfo(error, INTERNAL_MESSAGE)
