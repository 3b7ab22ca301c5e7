import { INVOKE_CHANNELS, type MessengerBridge } from './ipc'
import { MessengerError, type MessengerApi } from './messenger-api'
import type { ErrorInfo } from './result'

/**
 * The MessengerApi over the preload bridge: results become values or MessengerErrors again here,
 * because only an error's message survives contextBridge.
 */
export function messengerFromBridge(bridge: MessengerBridge): MessengerApi {
  const api: Record<string, unknown> = {}
  for (const method of Object.keys(INVOKE_CHANNELS) as (keyof typeof INVOKE_CHANNELS)[]) {
    api[method] = async (...args: unknown[]) => {
      const result = await (bridge[method] as (...a: unknown[]) => Promise<{ ok: boolean; value?: unknown; error?: ErrorInfo }>)(...args)
      if (!result.ok) throw new MessengerError(result.error as ErrorInfo)
      return result.value
    }
  }
  for (const [method, listen] of Object.entries(bridge)) {
    if (method.startsWith('on')) api[method] = listen
  }
  return api as unknown as MessengerApi
}
