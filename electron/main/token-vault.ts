// The sign-in token, encrypted with the OS keychain through Electron's safeStorage (async API), in a
// file of its own. Where no keychain is available the token is kept for this run only.
import type { SafeStorage } from 'electron'
import { JsonFile } from './file-store'

export type SafeStorageLike = Pick<SafeStorage, 'isAsyncEncryptionAvailable' | 'encryptStringAsync' | 'decryptStringAsync' | 'getSelectedStorageBackend'>

export interface StoredSession {
  server_url: string
  token: string
}

export interface VaultStatus {
  /** False when the token cannot be encrypted here, so it is not written to disk. */
  persistent: boolean
  /** Set when the platform's protection is weak (Linux without a keyring stores with a fixed key). */
  warning: string | null
}

export class TokenVault {
  private readonly json: JsonFile<{ server_url: string; token: string }>
  private memory: StoredSession | null = null

  constructor(
    private readonly safeStorage: SafeStorageLike,
    file: string,
    private readonly platform: NodeJS.Platform = process.platform,
  ) {
    this.json = new JsonFile(file)
  }

  async status(): Promise<VaultStatus> {
    if (!(await this.safeStorage.isAsyncEncryptionAvailable())) {
      return { persistent: false, warning: 'No secure storage is available: you will need to sign in again after restarting Switchboard.' }
    }
    if (this.platform === 'linux' && this.safeStorage.getSelectedStorageBackend() === 'basic_text') {
      return { persistent: true, warning: 'No keyring (GNOME Keyring or KWallet) was found: your sign-in is stored with weak protection.' }
    }
    return { persistent: true, warning: null }
  }

  async save(session: StoredSession): Promise<VaultStatus> {
    const status = await this.status()
    this.memory = session
    if (!status.persistent) return status
    const encrypted = await this.safeStorage.encryptStringAsync(session.token)
    await this.json.write({ server_url: session.server_url, token: encrypted.toString('base64') })
    return status
  }

  async load(): Promise<StoredSession | null> {
    if (this.memory) return this.memory
    const stored = await this.json.read().catch(() => null)
    if (!stored || !(await this.safeStorage.isAsyncEncryptionAvailable())) return null
    try {
      const { result, shouldReEncrypt } = await this.safeStorage.decryptStringAsync(Buffer.from(stored.token, 'base64'))
      this.memory = { server_url: stored.server_url, token: result }
      if (shouldReEncrypt) await this.save(this.memory)
      return this.memory
    } catch {
      return null // encrypted by another machine or user: sign in again
    }
  }

  async clear(): Promise<void> {
    this.memory = null
    await this.json.remove()
  }
}
