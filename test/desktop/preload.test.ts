import { beforeEach, describe, expect, it, vi } from 'vitest'
import { messengerFromBridge } from '../../electron/shared/bridge-client'
import { APP_EVENTS, INVOKE_CHANNELS } from '../../electron/shared/ipc'
import { AppError } from '../../electron/shared/result'

const electron = vi.hoisted(() => {
  const listeners = new Map<string, Set<(...args: unknown[]) => void>>()
  return {
    listeners,
    contextBridge: { exposeInMainWorld: vi.fn() },
    ipcRenderer: {
      invoke: vi.fn(async (channel: string, ...args: unknown[]) => ({ ok: true, value: { channel, args } })),
      on: vi.fn((channel: string, handler: (...args: unknown[]) => void) => {
        if (!listeners.has(channel)) listeners.set(channel, new Set())
        listeners.get(channel)!.add(handler)
      }),
      removeListener: vi.fn((channel: string, handler: (...args: unknown[]) => void) => listeners.get(channel)?.delete(handler)),
      send: vi.fn(),
      sendSync: vi.fn(),
    },
  }
})
vi.mock('electron', () => ({ contextBridge: electron.contextBridge, ipcRenderer: electron.ipcRenderer }))

async function exposed(): Promise<Record<string, (...args: unknown[]) => any>> {
  vi.resetModules()
  electron.contextBridge.exposeInMainWorld.mockClear()
  await import('../../electron/preload/index')
  expect(electron.contextBridge.exposeInMainWorld).toHaveBeenCalledTimes(1)
  const [key, api] = electron.contextBridge.exposeInMainWorld.mock.calls[0]!
  expect(key).toBe('messenger')
  return api as Record<string, (...args: unknown[]) => any>
}

describe('preload', () => {
  beforeEach(() => {
    electron.listeners.clear()
    vi.clearAllMocks()
  })

  it('exposes exactly the contract’s methods as window.messenger, frozen, and nothing else', async () => {
    const api = await exposed()
    expect(Object.keys(api).sort()).toEqual([...Object.keys(INVOKE_CHANNELS), 'on'].sort())
    expect(Object.isFrozen(api)).toBe(true)
    for (const value of Object.values(api)) expect(typeof value).toBe('function')
    expect(api).not.toHaveProperty('ipcRenderer')
    expect(api).not.toHaveProperty('send')
  })

  it('maps each method to its own channel and passes the arguments through', async () => {
    const api = await exposed()
    for (const [method, channel] of Object.entries(INVOKE_CHANNELS)) {
      const result = await api[method]!(1, 'two')
      expect(result).toEqual({ ok: true, value: { channel, args: [1, 'two'] } })
    }
    expect(new Set(Object.values(INVOKE_CHANNELS)).size).toBe(Object.keys(INVOKE_CHANNELS).length)
    expect(electron.ipcRenderer.send).not.toHaveBeenCalled()
    expect(electron.ipcRenderer.sendSync).not.toHaveBeenCalled()
  })

  it('hands listeners the payload only, on the event’s own name under event:, and returns an unsubscribe that works', async () => {
    const api = await exposed()
    const seen: unknown[] = []
    const off = api.on!('new_message', (payload: unknown) => seen.push(payload))
    const [handler] = electron.listeners.get('event:new_message')!
    handler!({ sender: 'the ipc event' }, { message_id: 1 })
    expect(seen).toEqual([{ message_id: 1 }])
    off()
    expect(electron.listeners.get('event:new_message')!.size).toBe(0)
    expect(() => api.on!('status', 'not a function')).toThrow(TypeError)
  })

  it('listens to no channel outside the app’s events', async () => {
    const api = await exposed()
    for (const name of ['setup:get', 'event:new_message', 'onMessage', '__proto__', 'toString', 42, 'message_edited', 'event:message_deleted', 'reactions', 'pending']) {
      expect(() => api.on!(name, () => {})).toThrow(/no event named/)
    }
    expect([...electron.listeners.keys()]).toEqual([])
    for (const event of APP_EVENTS) api.on!(event, () => {})
    expect([...electron.listeners.keys()].sort()).toEqual(APP_EVENTS.map((e) => `event:${e}`).sort())
  })

  it('carries the message actions: their methods on channels of their own, their events by name', async () => {
    const api = await exposed()
    expect(await api.editMessage!(5, 1, 'fixed')).toEqual({ ok: true, value: { channel: 'chat:edit-message', args: [5, 1, 'fixed'] } })
    expect(await api.react!(5, 1, '👍', true)).toEqual({ ok: true, value: { channel: 'chat:react', args: [5, 1, '👍', true] } })
    for (const method of ['deleteMessage', 'getMessageVersions', 'getPendingActions', 'retryAction', 'discardAction']) expect(typeof api[method]).toBe('function')
    for (const event of ['message_updated', 'message_deleted', 'reaction_updated', 'pending_actions']) {
      const seen: unknown[] = []
      const off = api.on!(event, (payload: unknown) => seen.push(payload))
      const [handler] = electron.listeners.get(`event:${event}`)!
      handler!({ sender: 'the ipc event' }, { message_id: 1 })
      expect(seen).toEqual([{ message_id: 1 }])
      off()
    }
  })
})

describe('messengerFromBridge', () => {
  it('turns error values back into AppErrors with their code', async () => {
    const bridge: Record<string, unknown> = {
      ...Object.fromEntries(Object.keys(INVOKE_CHANNELS).map((m) => [m, async () => ({ ok: false, error: { code: 'forbidden', message: 'Not yours.' } })])),
      on: () => () => {},
    }
    bridge.listConversations = async () => ({ ok: true, value: [] }) as never
    const api = messengerFromBridge(bridge as never)
    await expect(api.listConversations()).resolves.toEqual([])
    const error = await api.startConversation(2).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(AppError)
    expect((error as AppError).info).toEqual({ code: 'forbidden', message: 'Not yours.' })
    expect((error as AppError).message).toBe('Not yours.')
  })
})
