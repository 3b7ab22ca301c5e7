import { INVOKE_CHANNELS, type MessengerBridge } from './ipc'
import type { MessengerApi } from './messenger-api'
import { unwrap, type Result } from './result'

/**
 * The MessengerApi over the preload bridge: Results become values or AppErrors again here,
 * because only an error's message survives contextBridge.
 */
export function messengerFromBridge(bridge: MessengerBridge): MessengerApi {
  const api: Record<string, unknown> = {}
  for (const method of Object.keys(INVOKE_CHANNELS) as (keyof typeof INVOKE_CHANNELS)[]) {
    api[method] = async (...args: unknown[]) => unwrap(await (bridge[method] as (...a: unknown[]) => Promise<Result<unknown>>)(...args))
  }
  api.on = bridge.on
  return api as unknown as MessengerApi
}
