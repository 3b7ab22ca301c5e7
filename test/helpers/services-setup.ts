// globalSetup of every project that needs PostgreSQL or Redis: one throwaway pair for the whole run.
// The first project to set up starts them and names them in the main process's environment; the
// projects after it find them there and reuse them (startTestServices takes named servers as they
// are, and its stop leaves them alone). The first one's teardown, which runs last, stops them.
import type { TestProject } from 'vitest/node'
import { startTestServices } from './services'

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string
    redisUrl: string
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const services = await startTestServices(process.env)
  process.env.SWITCHBOARD_DEV_POSTGRES = services.postgresUrl
  process.env.SWITCHBOARD_DEV_REDIS = services.redisUrl
  project.provide('postgresUrl', services.postgresUrl)
  project.provide('redisUrl', services.redisUrl)
  return () => services.stop()
}
