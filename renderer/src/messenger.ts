// The one door to the app: window.messenger (the desktop bridge) when the preload put it there,
// otherwise the web client's adapter over ChatClient talking to the page's own server. The adapter
// (and socket.io-client with it) is a chunk of its own, loaded only in the browser: the desktop
// renderer never runs it.
import { inject, type App, type InjectionKey } from 'vue'
import { messengerFromBridge } from '../../electron/shared/bridge-client'
import type { MessengerBridge } from '../../electron/shared/ipc'
import type { MessengerApi } from '../../electron/shared/messenger-api'

declare global {
  interface Window {
    messenger?: MessengerBridge
  }
}

export const MESSENGER: InjectionKey<MessengerApi> = Symbol('messenger')

/** The desktop app (the preload put its bridge here) rather than a browser. */
export function isDesktop(): boolean {
  return typeof window !== 'undefined' && !!window.messenger
}

export async function resolveMessenger(): Promise<MessengerApi> {
  if (window.messenger) return messengerFromBridge(window.messenger)
  const { createWebMessenger } = await import('../../electron/client/web-messenger')
  return createWebMessenger({
    origin: window.location.origin,
    storage: window.localStorage,
    openWindow: (url) => window.open(url, '_blank', 'noopener,noreferrer'),
  })
}

export function provideMessenger(app: App, messenger: MessengerApi): void {
  app.provide(MESSENGER, messenger)
}

export function useMessenger(): MessengerApi {
  const messenger = inject(MESSENGER)
  if (!messenger) throw new Error('No MessengerApi provided')
  return messenger
}
