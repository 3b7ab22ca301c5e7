// Errors cross every boundary (HTTP, socket acks, IPC) as values with a code a program can act on
// and a message a person can read; on either side of a boundary they are thrown as one AppError.

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

/** The one error the server, the client, main and the renderer throw: an ErrorInfo with a stack. */
export class AppError extends Error {
  readonly info: ErrorInfo

  constructor(code: ErrorCode, message: string, extra: Pick<ErrorInfo, 'field' | 'retry_after_ms'> = {}) {
    super(message)
    this.name = 'AppError'
    this.info = { code, message, ...extra }
  }

  /** An error that arrived as a value (an HTTP body, an ack, an IPC result) thrown again. */
  static from(info: ErrorInfo): AppError {
    const { code, message, ...extra } = info
    return new AppError(code, message, extra)
  }

  get code(): ErrorCode {
    return this.info.code
  }
}

/**
 * Any thrown value as an ErrorInfo: an AppError says what it is; anything else is `internal`, with
 * `internalMessage` when its own message must not leave the process (the server's).
 */
export function toErrorInfo(error: unknown, internalMessage?: string): ErrorInfo {
  if (error instanceof AppError) return error.info
  return { code: 'internal', message: internalMessage ?? (error instanceof Error ? error.message : 'Something went wrong.') }
}

/** Any thrown value as an AppError (see toErrorInfo). */
export const toAppError = (error: unknown): AppError => (error instanceof AppError ? error : AppError.from(toErrorInfo(error)))

/** What an operation answers across IPC: its value, or why not. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: ErrorInfo }

/** The answer to every socket event, as the wire carries it: `{ok: true, ...value}` or `{ok: false, error}`. */
export type Ack<T extends object = object> = ({ ok: true } & T) | { ok: false; error: ErrorInfo }

export type AckCallback<T extends object = object> = (response: Ack<T>) => void

/** Runs `work` and answers its value or its error as a Result; it never rejects. */
export async function settle<T>(work: () => T | Promise<T>, internalMessage?: string): Promise<Result<T>> {
  try {
    return { ok: true, value: await work() }
  } catch (error) {
    return { ok: false, error: toErrorInfo(error, internalMessage) }
  }
}

/** A Result's value, or its error thrown as an AppError. */
export function unwrap<T>(result: Result<T>): T {
  if (!result.ok) throw AppError.from(result.error)
  return result.value
}

/** The one place a Result becomes the ack's wire shape (its value's fields spread beside `ok`). */
export const toAck = <T extends object>(result: Result<T>): Ack<T> => (result.ok ? { ok: true, ...result.value } : result)

/** … and back: the ack's fields (without `ok`) as the value. */
export function fromAck<T extends object>(ack: Ack<T>): Result<T> {
  if (!ack.ok) return { ok: false, error: ack.error }
  const { ok: _ok, ...value } = ack
  return { ok: true, value: value as unknown as T }
}
