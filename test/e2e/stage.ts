import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, inject } from 'vitest'
import type { ServerConfig } from '../../electron/server/config'
import { noLimits, startServer, type TestServer } from '../helpers/server'
import { launch, Stage } from './browser'

/** A server with the built web client and a Chromium for the file's tests; torn down after them. */
export function useStage(config: Partial<ServerConfig> = {}): { readonly stage: Stage; readonly server: TestServer } {
  let srv: TestServer
  let browser: Browser
  let stage: Stage
  beforeAll(async () => {
    srv = await startServer({ ...noLimits, webRoot: inject('webRoot'), ...config })
    browser = await launch()
    stage = new Stage(srv.url, browser)
  })
  afterAll(async () => {
    await browser?.close()
    await srv?.close()
  })
  return {
    get stage() {
      return stage
    },
    get server() {
      return srv
    },
  }
}
