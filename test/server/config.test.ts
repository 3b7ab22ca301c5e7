import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { configFromCli, defaultConfig, defaultDataDir, SOURCE_MIGRATIONS_DIR, SOURCE_POSTGRES_MIGRATIONS_DIR } from '../../electron/server/config'
import { postgresTarget } from '../../electron/server/db/database'

describe('configFromCli', () => {
  it('defaults to loopback, port 3000 and a folder in the home directory', () => {
    const c = configFromCli([], {})
    expect(c).toMatchObject({ host: '127.0.0.1', port: 3000, corsOrigins: [] })
    expect(path.isAbsolute(c.dataDir)).toBe(true)
  })

  it('takes the environment, and flags over the environment', () => {
    const env = { SWITCHBOARD_HOST: '0.0.0.0', SWITCHBOARD_PORT: '4000', SWITCHBOARD_DATA_DIR: '/tmp/env-data' }
    expect(configFromCli([], env)).toMatchObject({ host: '0.0.0.0', port: 4000, dataDir: '/tmp/env-data' })
    expect(configFromCli(['--host', '127.0.0.2', '--port', '5000', '--data', 'rel'], env)).toMatchObject({ host: '127.0.0.2', port: 5000, dataDir: path.resolve('rel') })
  })

  it('reads upload size and CORS origins', () => {
    const c = configFromCli(['--upload-max-bytes', '1024', '--cors-origin', 'http://a.test', '--cors-origin', 'http://b.test'], {})
    expect(c.uploadMaxBytes).toBe(1024)
    expect(c.corsOrigins).toEqual(['http://a.test', 'http://b.test'])
    expect(configFromCli([], { SWITCHBOARD_CORS_ORIGINS: 'http://x.test, http://y.test' }).corsOrigins).toEqual(['http://x.test', 'http://y.test'])
  })

  it('reads the per-user send limit as points/seconds', () => {
    expect(configFromCli(['--send-rate', '500/5'], {}).sendRate).toEqual({ points: 500, windowSeconds: 5 })
    expect(configFromCli([], { SWITCHBOARD_SEND_RATE: '100/1' }).sendRate).toEqual({ points: 100, windowSeconds: 1 })
    expect(() => configFromCli(['--send-rate', 'fast'], {})).toThrow(/Invalid send rate/)
  })

  it('reads the register limit per address and the edit window', () => {
    expect(configFromCli(['--register-rate', '500/60'], {}).registerRate).toEqual({ points: 500, windowSeconds: 60 })
    expect(configFromCli([], { SWITCHBOARD_REGISTER_RATE: '10/1' }).registerRate).toEqual({ points: 10, windowSeconds: 1 })
    expect(() => configFromCli(['--register-rate', 'lots'], {})).toThrow(/Invalid register rate/)
    expect(configFromCli([], {}).editWindowMs).toBe(24 * 60 * 60 * 1000)
    expect(configFromCli(['--edit-window-minutes', '15'], {}).editWindowMs).toBe(15 * 60_000)
    expect(configFromCli([], { SWITCHBOARD_EDIT_WINDOW_MINUTES: '0' }).editWindowMs).toBe(0)
    expect(() => configFromCli(['--edit-window-minutes=-5'], {})).toThrow(/Invalid edit window/)
    expect(() => configFromCli(['--edit-window-minutes', '1.5'], {})).toThrow(/Invalid edit window/)
  })

  it('keeps the search index unless told off, and reads the search rate', () => {
    expect(configFromCli([], {}).searchIndex).toBe(true)
    expect(configFromCli(['--search-index', 'off'], {}).searchIndex).toBe(false)
    expect(configFromCli([], { SWITCHBOARD_SEARCH_INDEX: 'off' }).searchIndex).toBe(false)
    expect(configFromCli(['--search-index', 'on'], { SWITCHBOARD_SEARCH_INDEX: 'off' }).searchIndex).toBe(true)
    expect(() => configFromCli(['--search-index', 'no'], {})).toThrow(/Invalid search index setting/)
    expect(configFromCli([], {}).searchRate).toEqual({ points: 120, windowSeconds: 60 })
    expect(configFromCli(['--search-rate', '10/1'], {}).searchRate).toEqual({ points: 10, windowSeconds: 1 })
    expect(configFromCli([], { SWITCHBOARD_SEARCH_RATE: '5/60' }).searchRate).toEqual({ points: 5, windowSeconds: 60 })
    expect(() => configFromCli(['--search-rate', 'many'], {})).toThrow(/Invalid search rate/)
  })

  it('refuses bad values and unknown flags with a message', () => {
    expect(() => configFromCli(['--port', '70000'], {})).toThrow(/Invalid port/)
    expect(() => configFromCli(['--upload-max-bytes', '0'], {})).toThrow(/Invalid upload size/)
    expect(() => configFromCli(['--prot', '1'], {})).toThrow(/Unknown option/)
  })

  it('switches to PostgreSQL with DATABASE_URL (or --database-url), with its own migrations', () => {
    expect(configFromCli([], {})).toMatchObject({ databaseUrl: null, migrationsDir: SOURCE_MIGRATIONS_DIR })
    const pg = configFromCli([], { DATABASE_URL: 'postgresql://chat@db.internal:5432/switchboard?schema=team' })
    expect(pg).toMatchObject({ databaseUrl: 'postgresql://chat@db.internal:5432/switchboard?schema=team', migrationsDir: SOURCE_POSTGRES_MIGRATIONS_DIR })
    expect(configFromCli(['--database-url', 'postgres://a@b/c', '--migrations', 'mine'], {})).toMatchObject({ databaseUrl: 'postgres://a@b/c', migrationsDir: path.resolve('mine') })
    expect(() => configFromCli([], { DATABASE_URL: 'mysql://root@localhost/db' })).toThrow(/Invalid database URL/)
    expect(postgresTarget('postgresql://chat@db:5432/sb?schema=team&sslmode=require')).toEqual({ connectionString: 'postgresql://chat@db:5432/sb?sslmode=require', schema: 'team' })
    expect(postgresTarget('postgresql://chat@db:5432/sb').schema).toBe('public')
  })

  it('keeps data where each platform expects it', () => {
    expect(defaultDataDir({ XDG_DATA_HOME: '/xdg' }, 'linux')).toBe('/xdg/switchboard-server')
    expect(defaultDataDir({}, 'linux')).toMatch(/\.local\/share\/switchboard-server$/)
    expect(defaultDataDir({}, 'darwin')).toMatch(/Library\/Application Support\/Switchboard Server$/)
    expect(defaultDataDir({ APPDATA: 'C:\\Users\\a\\AppData\\Roaming' }, 'win32')).toContain('Switchboard Server')
  })

  it('lets overrides replace single defaults', () => {
    expect(defaultConfig({ port: 0 }).sendRate).toEqual(defaultConfig().sendRate)
  })
})
