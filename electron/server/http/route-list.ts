import type { FastifyInstance } from 'fastify'

export interface RouteEntry {
  method: string
  url: string
}

/**
 * Every route as it is registered, by whichever plugin: `onRoute` sees them all. Tests that must hold
 * every route to account (authorization, fuzzing) read this list instead of keeping one by hand.
 * Call it before any route is added.
 */
export function recordRoutes(app: FastifyInstance): readonly RouteEntry[] {
  const routes: RouteEntry[] = []
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.push({ method, url: route.url })
  })
  return routes
}
