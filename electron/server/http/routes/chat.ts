import type { FastifyInstance } from 'fastify'
import {
  conversationIdParams,
  createConversationBody,
  messageIdParams,
  messagesQuery,
  patchMessageBody,
  sendMessageBody,
  userIdParams,
  usersQuery,
} from '../../../shared/schemas'
import { parse } from '../../errors'
import type { Services } from '../../services'
import { actorOf } from '../auth'

/** The seed's REST routes and the user search; each is a thin call into the service layer. */
export function chatRoutes(app: FastifyInstance, services: Services): void {
  app.get('/api/me', async (request) => actorOf(request))

  app.get('/api/users', async (request) => {
    const { query } = parse(usersQuery, request.query, 'query')
    return services.accounts.search(actorOf(request), query)
  })

  app.get('/api/conversations/:userId', async (request) => {
    const { userId } = parse(userIdParams, request.params, 'path')
    return services.conversations.list(actorOf(request), userId)
  })

  app.post('/api/conversations', async (request, reply) => {
    const body = parse(createConversationBody, request.body)
    const { conversation, created } = await services.conversations.getOrCreateDirect(actorOf(request), body.participant1_id, body.participant2_id)
    return reply.status(created ? 201 : 200).send(conversation)
  })

  app.get('/api/messages/:conversationId', async (request) => {
    const { conversationId } = parse(conversationIdParams, request.params, 'path')
    const page = parse(messagesQuery, request.query, 'query')
    return services.messages.list(actorOf(request), conversationId, page)
  })

  app.post('/api/messages/:conversationId', async (request, reply) => {
    const { conversationId } = parse(conversationIdParams, request.params, 'path')
    const body = parse(sendMessageBody, request.body)
    const { message, duplicate } = await services.messages.send(actorOf(request), conversationId, body)
    return reply.status(duplicate ? 200 : 201).send(message)
  })

  // The seed's mark-read ({is_read: true}), or an edit ({content}).
  app.patch('/api/messages/:messageId', async (request) => {
    const { messageId } = parse(messageIdParams, request.params, 'path')
    const body = parse(patchMessageBody, request.body)
    if ('content' in body) return services.actions.edit(actorOf(request), messageId, body.content)
    return services.messages.markRead(actorOf(request), messageId)
  })
}
