import type { FastifyInstance } from 'fastify'
import type { HealthDto } from '../../../shared/dto'
import { loginBody, registerBody } from '../../../shared/schemas'
import { parse } from '../../errors'
import type { Services } from '../../services'
import { version } from '../../version'

export function publicRoutes(app: FastifyInstance, services: Services): void {
  const started = Date.now()

  app.get('/api/health', async (): Promise<HealthDto> => ({ status: 'ok', version, uptime_s: Math.round((Date.now() - started) / 1000) }))

  app.post('/api/auth/register', async (request, reply) => {
    const body = parse(registerBody, request.body)
    return reply.status(201).send(await services.accounts.register(body, request.ip))
  })

  app.post('/api/auth/login', async (request) => {
    const body = parse(loginBody, request.body)
    return services.accounts.login(body, request.ip)
  })
}
