// The desktop controller with Electron's parts replaced by recorders: shared by the controller tests
// and the browser test of the desktop path.
import path from 'node:path'
import { vi } from 'vitest'
import { DesktopController, type ControllerDeps } from '../../electron/main/controller'
import { SettingsStore } from '../../electron/main/settings'
import { TokenVault, type SafeStorageLike } from '../../electron/main/token-vault'
import { forkServer } from './fork-server'
import { tempDir } from './server'

/** Stands in for the OS keychain: reversible, but the bytes on disk are not the token. */
export const fakeSafeStorage = (backend: 'gnome_libsecret' | 'basic_text' = 'gnome_libsecret', available = true): SafeStorageLike => ({
  isAsyncEncryptionAvailable: async () => available,
  encryptStringAsync: async (s: string) => Buffer.from([...Buffer.from(s)].map((b) => b ^ 0x5a)),
  decryptStringAsync: async (b: Buffer) => ({ result: Buffer.from([...b].map((x) => x ^ 0x5a)).toString(), shouldReEncrypt: false }),
  getSelectedStorageBackend: () => backend,
})

export interface Harness {
  controller: DesktopController
  deps: ControllerDeps
  sent: { channel: string; payload: unknown }[]
  notifications: { title: string; body: string; onClick(): void }[]
  badge: number[]
  focused: { value: boolean }
  userDataDir: string
}

/** A DesktopController in plain Node with recording stand-ins for Electron; host mode forks the real server entry. */
export async function harness(userDataDir = tempDir(), safeStorage = fakeSafeStorage(), options: { send?: ControllerDeps['send'] } = {}): Promise<Harness> {
  const sent: Harness['sent'] = []
  const notifications: Harness['notifications'] = []
  const badge: number[] = []
  const focused = { value: true }
  const deps: ControllerDeps = {
    settings: new SettingsStore(path.join(userDataDir, 'settings.json')),
    vault: new TokenVault(safeStorage, path.join(userDataDir, 'session.json'), 'linux'),
    userDataDir,
    spawnServer: forkServer,
    discovery: { browse: vi.fn(async () => [{ name: 'Office', url: 'http://10.0.0.2:47300', addresses: ['10.0.0.2'] }]), advertise: vi.fn(() => ({ stop: async () => {} })) },
    lanAddresses: () => ['192.168.1.20'],
    hostName: () => 'test-host',
    version: '0.1.0',
    openExternal: vi.fn(async () => {}),
    notify: (n) => notifications.push(n),
    send: (channel, payload) => {
      sent.push({ channel, payload })
      options.send?.(channel, payload)
    },
    windowFocused: () => focused.value,
    showWindow: vi.fn(),
    setBadge: (n) => badge.push(n),
    log: { info: () => {}, warn: () => {} },
  }
  const controller = new DesktopController(deps)
  await controller.start()
  return { controller, deps, sent, notifications, badge, focused, userDataDir }
}
