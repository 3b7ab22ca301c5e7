import { randomBytes } from 'node:crypto'
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { SignJWT, jwtVerify } from 'jose'

const ALGORITHM = 'HS256'

/** The HS256 secret, made on first start and kept in the data folder, readable by the owner only. */
export function loadOrCreateSecret(dataDir: string): Uint8Array {
  const file = path.join(dataDir, 'jwt-secret')
  if (!existsSync(file)) {
    try {
      writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' })
    } catch (error) {
      // Another process made it first: use theirs.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
  }
  chmodSync(file, 0o600)
  const secret = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64')
  if (secret.length < 32) throw new Error(`${file} holds a secret shorter than 32 bytes; delete it to make a new one.`)
  return new Uint8Array(secret)
}

export interface TokenService {
  sign(userId: number): Promise<string>
  /** The user id, or null for any token that is malformed, forged or expired. */
  verify(token: string): Promise<number | null>
}

export function createTokenService(secret: Uint8Array, ttl: string): TokenService {
  return {
    sign: (userId) =>
      new SignJWT({}).setProtectedHeader({ alg: ALGORITHM }).setSubject(String(userId)).setIssuedAt().setExpirationTime(ttl).sign(secret),
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, secret, { algorithms: [ALGORITHM] })
        const userId = Number(payload.sub)
        return Number.isSafeInteger(userId) && userId > 0 ? userId : null
      } catch {
        return null
      }
    },
  }
}
