import type { FastifyInstance } from 'fastify'
import { addMembersBody, conversationIdParams, createGroupBody, memberParams, messageIdParams, patchConversationBody, patchMemberBody } from '../../../shared/schemas'
import { parse } from '../../errors'
import type { Services } from '../../services'
import { actorOf } from '../auth'

/** Groups: create, rename and mute, members and roles, and who has read a message. */
export function groupRoutes(app: FastifyInstance, services: Services): void {
  app.post('/api/groups', async (request, reply) => {
    const body = parse(createGroupBody, request.body)
    return reply.status(201).send(await services.groups.create(actorOf(request), body))
  })

  app.patch('/api/conversations/:conversationId', async (request) => {
    const { conversationId } = parse(conversationIdParams, request.params, 'path')
    return services.groups.update(actorOf(request), conversationId, parse(patchConversationBody, request.body))
  })

  app.post('/api/conversations/:conversationId/members', async (request) => {
    const { conversationId } = parse(conversationIdParams, request.params, 'path')
    const { user_ids } = parse(addMembersBody, request.body)
    return services.groups.addMembers(actorOf(request), conversationId, user_ids)
  })

  app.delete('/api/conversations/:conversationId/members/:userId', async (request) => {
    const { conversationId, userId } = parse(memberParams, request.params, 'path')
    return services.groups.removeMember(actorOf(request), conversationId, userId)
  })

  app.patch('/api/conversations/:conversationId/members/:userId', async (request) => {
    const { conversationId, userId } = parse(memberParams, request.params, 'path')
    const { role } = parse(patchMemberBody, request.body)
    return services.groups.setRole(actorOf(request), conversationId, userId, role)
  })

  app.get('/api/messages/:messageId/reads', async (request) => {
    const { messageId } = parse(messageIdParams, request.params, 'path')
    return services.messages.reads(actorOf(request), messageId)
  })
}
