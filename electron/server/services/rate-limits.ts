import { RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible'
import type { RateLimit, ServerConfig } from '../config'
import { AppError } from '../../shared/result'

export interface RateLimiters {
  send: RateLimiterAbstract
  loginFailures: RateLimiterAbstract
  loginFailuresPerAddress: RateLimiterAbstract
  register: RateLimiterAbstract
  typing: RateLimiterAbstract
  upload: RateLimiterAbstract
  groups: RateLimiterAbstract
  search: RateLimiterAbstract
}

const memory = (limit: RateLimit, keyPrefix: string): RateLimiterAbstract =>
  new RateLimiterMemory({ points: limit.points, duration: limit.windowSeconds, keyPrefix })

/** In-process counters; the scale-out setup swaps in Redis-backed ones with the same interface. */
export function memoryRateLimiters(config: ServerConfig): RateLimiters {
  return {
    send: memory(config.sendRate, 'send'),
    loginFailures: memory(config.loginFailures, 'login'),
    loginFailuresPerAddress: memory(config.loginFailuresPerAddress, 'login-address'),
    register: memory(config.registerRate, 'register'),
    typing: memory(config.typingRate, 'typing'),
    upload: memory(config.uploadRate, 'upload'),
    groups: memory(config.groupRate, 'groups'),
    search: memory(config.searchRate, 'search'),
  }
}

export function tooMany(msBeforeNext: number, what: string): AppError {
  const seconds = Math.max(1, Math.ceil(msBeforeNext / 1000))
  return new AppError('rate_limited', `${what}; try again in ${seconds} s.`, { retry_after_ms: msBeforeNext })
}

/** Takes one point or throws a rate_limited error that says when to retry. */
export async function consume(limiter: RateLimiterAbstract, key: string | number, what: string): Promise<void> {
  try {
    await limiter.consume(key)
  } catch (error) {
    if (error instanceof RateLimiterRes) throw tooMany(error.msBeforeNext, what)
    throw error
  }
}
