import type { FastifyInstance } from 'fastify'
import { searchQuery } from '../../../shared/schemas'
import { parse } from '../../errors'
import type { Services } from '../../services'
import { actorOf } from '../auth'

/** GET /api/search: messages the caller may read that hold every term (electron/shared/search-text.ts). */
export function searchRoutes(app: FastifyInstance, services: Services): void {
  app.get('/api/search', async (request) => services.search.search(actorOf(request), parse(searchQuery, request.query, 'query')))
}
