import { existsSync } from 'node:fs'
import path from 'node:path'
import fastifyStatic from '@fastify/static'
import type { FastifyInstance } from 'fastify'

/**
 * The inbox as a web client: the built renderer at `/`, so a browser or a phone on the LAN can use
 * the server it came from. Without a build, `/` says how to make one.
 */
export async function webClientRoutes(app: FastifyInstance, webRoot: string | null): Promise<void> {
  if (webRoot && existsSync(path.join(webRoot, 'index.html'))) {
    await app.register(fastifyStatic, {
      root: webRoot,
      prefix: '/',
      index: ['index.html'],
      wildcard: false,
      dotfiles: 'deny',
      // Hashed assets never change; the page itself is revalidated.
      setHeaders: (res, file) => res.header('Cache-Control', file.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache'),
    })
    return
  }
  app.get('/', async (_request, reply) =>
    reply
      .type('text/plain; charset=utf-8')
      .status(404)
      .send('Switchboard is running, but its web client is not built here. Run `npm run build`, or start the server with `npm run serve`, which builds it.\n'),
  )
}
