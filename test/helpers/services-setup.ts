// globalSetup of every project that needs PostgreSQL or Redis: one throwaway pair for the whole run,
// shared by the projects (global setups run in one main process), stopped after the last of them.
import type { TestProject } from 'vitest/node'
import { startTestServices, type TestServices } from './services'

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string
    redisUrl: string
  }
}

const shared = globalThis as typeof globalThis & { switchboardServices?: { services: Promise<TestServices>; users: number } }

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  shared.switchboardServices ??= { services: startTestServices(), users: 0 }
  const entry = shared.switchboardServices
  entry.users += 1
  const services = await entry.services
  project.provide('postgresUrl', services.postgresUrl)
  project.provide('redisUrl', services.redisUrl)
  return async () => {
    entry.users -= 1
    if (entry.users === 0) {
      shared.switchboardServices = undefined
      await services.stop()
    }
  }
}
