import type { FastifyInstance, FastifyRequest } from 'fastify'
import { AppError } from '../../shared/result'
import type { Services } from '../services'
import type { Actor } from '../services/types'

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null
  }
}

export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '')
  return match?.[1]
}

/** Every route registered after this in the same scope needs `Authorization: Bearer <token>`. */
export function requireAuth(app: FastifyInstance, services: Services): void {
  app.addHook('onRequest', async (request) => {
    const actor = await services.accounts.authenticate(bearerToken(request.headers.authorization))
    if (!actor) throw new AppError('unauthorized', 'Sign in first: send Authorization: Bearer <token> with a valid token.')
    request.actor = actor
  })
}

export function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw new AppError('unauthorized', 'Sign in first.')
  return request.actor
}
