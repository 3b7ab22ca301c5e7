import type { FastifyInstance } from 'fastify'
import { messageIdParams, reactionParams } from '../../../shared/schemas'
import { parse } from '../../errors'
import type { Services } from '../../services'
import { actorOf } from '../auth'

/** What people do to a message once sent (the edit itself is the PATCH of chat.ts, beside the seed's mark-read). */
export function actionRoutes(app: FastifyInstance, services: Services): void {
  app.delete('/api/messages/:messageId', async (request) => {
    const { messageId } = parse(messageIdParams, request.params, 'path')
    return services.actions.remove(actorOf(request), messageId)
  })

  app.get('/api/messages/:messageId/edits', async (request) => {
    const { messageId } = parse(messageIdParams, request.params, 'path')
    return services.actions.versions(actorOf(request), messageId)
  })

  app.put('/api/messages/:messageId/reactions/:emoji', async (request) => {
    const { messageId, emoji } = parse(reactionParams, request.params, 'path')
    return services.actions.react(actorOf(request), messageId, emoji, true)
  })

  app.delete('/api/messages/:messageId/reactions/:emoji', async (request) => {
    const { messageId, emoji } = parse(reactionParams, request.params, 'path')
    return services.actions.react(actorOf(request), messageId, emoji, false)
  })
}
