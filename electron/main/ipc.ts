import type { IpcMain, IpcMainInvokeEvent, WebFrameMain } from 'electron'
import { INVOKE_CHANNELS, type InvokeMethod } from '../shared/ipc'
import { IPC_ARGS, type IpcArgs } from '../shared/ipc-schemas'
import type { MessengerApi } from '../shared/messenger-api'
import { settle, type Result } from '../shared/result'

/** What main does for each invoke method: the MessengerApi's methods, on validated arguments. */
export type MessengerHandlers = {
  [K in InvokeMethod]: (...args: IpcArgs[K]) => ReturnType<MessengerApi[K]>
}

/**
 * One ipcMain.handle per channel. Each call must come from the app's own top frame, and its
 * arguments must pass the contract's schema; anything else is refused before a handler runs.
 */
export function registerIpcHandlers(
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>,
  handlers: MessengerHandlers,
  isTrustedFrame: (frame: WebFrameMain | null) => boolean,
): () => void {
  const channels = Object.entries(INVOKE_CHANNELS) as [InvokeMethod, string][]
  for (const [method, channel] of channels) {
    ipcMain.handle(channel, async (event: IpcMainInvokeEvent, ...args: unknown[]): Promise<Result<unknown>> => {
      if (!isTrustedFrame(event.senderFrame)) {
        return { ok: false, error: { code: 'forbidden', message: 'This window may not call the app.' } }
      }
      const parsed = IPC_ARGS[method].safeParse(args)
      if (!parsed.success) {
        const issue = parsed.error.issues[0]
        const where = issue?.path.length ? `argument ${issue.path.join('.')}` : 'arguments'
        return { ok: false, error: { code: 'bad_request', message: `${method}: ${where} ${issue?.message ?? 'are invalid'}` } }
      }
      const handler = handlers[method] as (...a: unknown[]) => Promise<unknown>
      return settle(() => handler(...(parsed.data as unknown[])))
    })
  }
  return () => {
    for (const [, channel] of channels) ipcMain.removeHandler(channel)
  }
}
