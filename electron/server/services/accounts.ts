import type { AuthResultDto, UserDto } from '../../shared/dto'
import { LIMITS } from '../../shared/limits'
import type { LoginBody, RegisterBody } from '../../shared/schemas'
import { dummyHash, hashPassword, verifyPassword } from '../auth/passwords'
import type { TokenService } from '../auth/tokens'
import { userSelect, type Db } from '../db/client'
import { toUserDto } from '../db/mappers'
import { AppError } from '../../shared/result'
import { isUniqueViolation } from './prisma-errors'
import { consume, tooMany, type RateLimiters } from './rate-limits'
import type { Actor } from './types'

const USER_CACHE_MAX = 10_000

export class AccountService {
  // A user's id, username and display name never change once created, so every request need not
  // read them again (a query saved on every REST call and socket handshake).
  private readonly users = new Map<number, Actor>()

  constructor(
    private readonly db: Db,
    private readonly tokens: TokenService,
    private readonly limits: RateLimiters,
  ) {}

  async register(input: RegisterBody, address: string): Promise<AuthResultDto> {
    await consume(this.limits.register, address, 'Too many accounts were created from this address')
    const password_hash = await hashPassword(input.password)
    try {
      const user = await this.db.user.create({
        data: { username: input.username, display_name: input.display_name ?? input.username, password_hash },
        select: userSelect,
      })
      return { token: await this.tokens.sign(user.user_id), user: toUserDto(user) }
    } catch (error) {
      if (isUniqueViolation(error)) throw new AppError('conflict', `The username "${input.username}" is taken; choose another.`, { field: 'username' })
      throw error
    }
  }

  async login(input: LoginBody, address: string): Promise<AuthResultDto> {
    // Failures count per username and address: a guesser is slowed, the real user elsewhere is not.
    // They count per address too, so trying one password on many usernames is slowed as well.
    const key = `${input.username}|${address}`
    const [seen, fromAddress] = await Promise.all([this.limits.loginFailures.get(key), this.limits.loginFailuresPerAddress.get(address)])
    if (seen && seen.remainingPoints <= 0) throw tooMany(seen.msBeforeNext, 'Too many failed sign-ins for this username')
    if (fromAddress && fromAddress.remainingPoints <= 0) throw tooMany(fromAddress.msBeforeNext, 'Too many failed sign-ins from this address')
    const user = await this.db.user.findUnique({ where: { username: input.username } })
    const ok = await verifyPassword(input.password, user?.password_hash ?? (await dummyHash()))
    if (!user || !ok) {
      await Promise.all([this.limits.loginFailures.penalty(key, 1), this.limits.loginFailuresPerAddress.penalty(address, 1)])
      throw new AppError('unauthorized', 'Wrong username or password.')
    }
    // A success forgives this username's failures, not the address's: signing in to one's own account
    // between guesses at others must not reset the count.
    await this.limits.loginFailures.delete(key)
    return { token: await this.tokens.sign(user.user_id), user: toUserDto(user) }
  }

  /** The user a token names, or null when the token is bad or the user is gone. */
  async authenticate(token: string | undefined): Promise<Actor | null> {
    if (!token) return null
    const userId = await this.tokens.verify(token)
    if (userId === null) return null
    const cached = this.users.get(userId)
    if (cached) return cached
    const user = await this.db.user.findUnique({ where: { user_id: userId }, select: userSelect })
    if (user) {
      if (this.users.size >= USER_CACHE_MAX) this.users.delete(this.users.keys().next().value as number)
      this.users.set(userId, user)
    }
    return user
  }

  async search(actor: Actor, query: string | undefined): Promise<UserDto[]> {
    const q = (query ?? '').trim()
    const users = await this.db.user.findMany({
      where: {
        user_id: { not: actor.user_id },
        ...(q ? { OR: [{ username: { contains: q.toLowerCase() } }, { display_name: { contains: q } }] } : {}),
      },
      select: userSelect,
      orderBy: { username: 'asc' },
      take: LIMITS.searchResultsMax,
    })
    return users.map(toUserDto)
  }
}
