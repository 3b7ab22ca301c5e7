import { describe, expect, it } from 'vitest'
import { AppError, fromAck, settle, toAck, toAppError, toErrorInfo, unwrap, type Ack, type Result } from '../../electron/shared/result'

describe('AppError', () => {
  it('carries its ErrorInfo, and is rebuilt from one unchanged', () => {
    const error = new AppError('rate_limited', 'Slow down.', { retry_after_ms: 1500 })
    expect(error).toBeInstanceOf(Error)
    expect(error.message).toBe('Slow down.')
    expect(error.code).toBe('rate_limited')
    expect(error.info).toEqual({ code: 'rate_limited', message: 'Slow down.', retry_after_ms: 1500 })
    const again = AppError.from({ code: 'bad_request', message: 'content: is required', field: 'content' })
    expect(again).toBeInstanceOf(AppError)
    expect(again.info).toEqual({ code: 'bad_request', message: 'content: is required', field: 'content' })
  })

  it('turns anything thrown into an ErrorInfo: an AppError as it is, the rest internal', () => {
    const mine = new AppError('not_found', 'No such user.')
    expect(toErrorInfo(mine)).toBe(mine.info)
    expect(toErrorInfo(new Error('disk on fire'))).toEqual({ code: 'internal', message: 'disk on fire' })
    expect(toErrorInfo(new Error('disk on fire'), 'Try again.')).toEqual({ code: 'internal', message: 'Try again.' })
    expect(toErrorInfo('a string')).toEqual({ code: 'internal', message: 'Something went wrong.' })
    expect(toAppError(mine)).toBe(mine)
    expect(toAppError(new TypeError('x is undefined')).info).toEqual({ code: 'internal', message: 'x is undefined' })
  })
})

describe('Result', () => {
  it('settles work into a value or an error, and unwrap throws the error again', async () => {
    expect(await settle(() => 42)).toEqual({ ok: true, value: 42 })
    const failed = await settle(() => Promise.reject(new AppError('forbidden', 'Not yours.')))
    expect(failed).toEqual({ ok: false, error: { code: 'forbidden', message: 'Not yours.' } })
    expect(await settle(() => { throw new Error('secret detail') }, 'Try again.')).toEqual({ ok: false, error: { code: 'internal', message: 'Try again.' } })
    expect(unwrap({ ok: true, value: 'v' })).toBe('v')
    expect(() => unwrap(failed)).toThrow(AppError)
    expect(() => unwrap(failed)).toThrow('Not yours.')
  })

  it('converts to and from the ack wire shape ({ok: true, ...fields} or {ok: false, error})', () => {
    const value: Result<{ message_id: number }> = { ok: true, value: { message_id: 7 } }
    const ack: Ack<{ message_id: number }> = toAck(value)
    expect(ack).toEqual({ ok: true, message_id: 7 })
    expect(fromAck(ack)).toEqual(value)
    const refusal: Result<object> = { ok: false, error: { code: 'bad_request', message: 'payload: is invalid' } }
    expect(toAck(refusal)).toEqual(refusal)
    expect(fromAck(toAck(refusal))).toEqual(refusal)
  })
})
