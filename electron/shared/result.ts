// Errors cross every boundary (HTTP, socket acks, IPC) as values with a code a program can act on
// and a message a person can read.

export const ERROR_CODES = [
  'bad_request',
  'unauthorized',
  'forbidden',
  'not_found',
  'conflict',
  'rate_limited',
  'payload_too_large',
  'unavailable',
  'internal',
] as const

export type ErrorCode = (typeof ERROR_CODES)[number]

export interface ErrorInfo {
  code: ErrorCode
  message: string
  /** The offending input field, dotted (`attachments.0.file_url`), when one is to blame. */
  field?: string
  /** For rate_limited: when to try again. */
  retry_after_ms?: number
}

/** The answer to every socket event: `{ok: true, ...value}` or `{ok: false, error}`. */
export type Ack<T extends object = object> = ({ ok: true } & T) | { ok: false; error: ErrorInfo }

export type AckCallback<T extends object = object> = (response: Ack<T>) => void

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
