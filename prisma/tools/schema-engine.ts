// Developer tooling only (never shipped): Prisma's schema engine as WebAssembly, because the CLI's
// native engine cannot be downloaded here. It diffs the migrations folder against the schema, which
// both writes new migrations (new-migration.ts) and proves there is no drift (a test).
import { randomUUID } from 'node:crypto'
import { readdirSync, readFileSync, existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3'
import { PrismaPg } from '@prisma/adapter-pg'
import {
  bindMigrationAwareSqlAdapterFactory,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
} from '@prisma/driver-adapter-utils'
import type * as EngineExports from '@prisma/schema-engine-wasm'
import type { MigrationList, SchemaEngine } from '@prisma/schema-engine-wasm'

// Node has WebAssembly; TypeScript declares it only with the DOM library, which this project leaves out.
type WasmExports = Record<string, unknown>
declare const WebAssembly: {
  Module: new (bytes: Buffer) => object
  Instance: new (module: object, imports: Record<string, unknown>) => { exports: WasmExports }
}

type EngineModule = typeof EngineExports & {
  __wbg_set_wasm(exports: WasmExports): void
}

/**
 * Tables the migrations make by hand, which Prisma cannot describe: the search index (an FTS5 table
 * and its shadow tables on SQLite, a table of its own on PostgreSQL). Left out of every diff.
 */
const SEARCH_TABLES = ['MessageSearch', 'MessageSearchState', 'MessageSearch_data', 'MessageSearch_idx', 'MessageSearch_content', 'MessageSearch_docsize', 'MessageSearch_config']
const filters = { externalTables: SEARCH_TABLES, externalEnums: [] }

let loaded: Promise<EngineModule> | undefined
/** Once per process: the JS glue caches views of the wasm memory, so a second instance corrupts them. */
const loadEngineModule = (): Promise<EngineModule> => (loaded ??= instantiateEngine())

async function instantiateEngine(): Promise<EngineModule> {
  const require = createRequire(__filename)
  const bgPath = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg')
  // The package's entry imports the .wasm file as an ES module, which Node cannot do: wire it by hand.
  // The engine reports panics through this global; without it a panic hides behind a TypeError.
  const g = globalThis as { PRISMA_WASM_PANIC_REGISTRY?: { set_message(message: string): void } }
  g.PRISMA_WASM_PANIC_REGISTRY ??= { set_message: (message) => console.error(`schema engine panic: ${message}`) }
  const bg = (await import(bgPath)) as EngineModule
  const wasm = new WebAssembly.Module(readFileSync(path.join(path.dirname(bgPath), 'schema_engine_bg.wasm')))
  const instance = new WebAssembly.Instance(wasm, { './schema_engine_bg.js': bg })
  bg.__wbg_set_wasm(instance.exports)
  ;(instance.exports.__wbindgen_start as () => void)()
  return bg
}

/** better-sqlite3 refuses several statements in one executeRaw; the shadow-database replay sends them. */
function allowScripts(adapter: SqlDriverAdapter): SqlDriverAdapter {
  const executeRaw = adapter.executeRaw.bind(adapter)
  adapter.executeRaw = async (query) => {
    try {
      return await executeRaw(query)
    } catch (error) {
      if (query.args.length === 0 && /more than one statement/i.test(String(error))) {
        await adapter.executeScript(query.sql)
        return 0
      }
      throw error
    }
  }
  return adapter
}

/** The local PostgreSQL the developer tools use for shadow databases (trust auth, as on CI). */
// A PostgreSQL to diff against: the one the tests started (or the developer named), else DATABASE_URL, else a local one.
export const DEV_POSTGRES_URL = process.env.SWITCHBOARD_DEV_POSTGRES || (process.env.DATABASE_URL?.startsWith('postgres') ? process.env.DATABASE_URL : 'postgresql://postgres@127.0.0.1:5432/test')

/** Parts, not a connection string: the adapter's shadow database overrides `database`, which a string would win over. */
function pgConfig(url: string): { host: string; port: number; user: string; password?: string; database: string } {
  const u = new URL(url)
  return { host: u.hostname, port: Number(u.port || 5432), user: decodeURIComponent(u.username || 'postgres'), ...(u.password ? { password: decodeURIComponent(u.password) } : {}), database: u.pathname.slice(1) || 'postgres' }
}

/**
 * PrismaPg, with a shadow database that is dropped after its own connections close (the adapter's
 * drops it first, which PostgreSQL refuses while they are open).
 */
function postgresFactory(url: string): SqlMigrationAwareDriverAdapterFactory {
  const config = pgConfig(url)
  const main = new PrismaPg(config)
  return {
    provider: main.provider,
    adapterName: main.adapterName,
    connect: () => main.connect(),
    connectToShadowDb: async () => {
      const admin = await main.connect()
      const database = `switchboard_shadow_${randomUUID().replaceAll('-', '')}`
      await admin.executeScript(`CREATE DATABASE "${database}"`)
      const shadow = await new PrismaPg({ ...config, database }).connect()
      const dispose = shadow.dispose.bind(shadow)
      let disposed: Promise<void> | undefined
      shadow.dispose = () =>
        (disposed ??= (async () => {
          await dispose()
          await admin.executeScript(`DROP DATABASE IF EXISTS "${database}"`)
          await admin.dispose()
        })())
      return shadow
    },
  }
}

const isPostgres = (schemaPath: string): boolean => /provider\s*=\s*"postgresql"/.test(readFileSync(schemaPath, 'utf8'))

/** Opens adapters that accept scripts, and remembers them: engine.free() does not close them. */
function trackedFactory(schemaPath: string, url: string): { factory: SqlMigrationAwareDriverAdapterFactory; dispose(): Promise<void> } {
  const inner: SqlMigrationAwareDriverAdapterFactory = isPostgres(schemaPath) ? postgresFactory(url) : new PrismaBetterSqlite3({ url })
  const opened: SqlDriverAdapter[] = []
  const track = (adapter: SqlDriverAdapter): SqlDriverAdapter => {
    opened.push(adapter)
    return allowScripts(adapter)
  }
  return {
    factory: {
      provider: inner.provider,
      adapterName: inner.adapterName,
      connect: async () => track(await inner.connect()),
      connectToShadowDb: async () => track(await inner.connectToShadowDb()),
    },
    dispose: async () => {
      await Promise.all(opened.map((adapter) => adapter.dispose()))
    },
  }
}

export function readMigrations(baseDir: string): MigrationList {
  const folders = existsSync(baseDir)
    ? readdirSync(baseDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()
    : []
  const lockPath = path.join(baseDir, 'migration_lock.toml')
  return {
    baseDir,
    lockfile: { path: 'migration_lock.toml', content: existsSync(lockPath) ? readFileSync(lockPath, 'utf8') : null },
    shadowDbInitScript: '',
    migrationDirectories: folders.map((name) => ({
      path: name,
      migrationFile: { path: 'migration.sql', content: { tag: 'ok', value: readFileSync(path.join(baseDir, name, 'migration.sql'), 'utf8') } },
    })),
  }
}

async function withEngine<T>(schemaPath: string, url: string, use: (engine: SchemaEngine, files: { path: string; content: string }[]) => Promise<T>): Promise<T> {
  const bg = await loadEngineModule()
  const files = [{ path: path.basename(schemaPath), content: readFileSync(schemaPath, 'utf8') }]
  const adapters = trackedFactory(schemaPath, url)
  const engine: SchemaEngine = await bg.SchemaEngine.new(
    { datamodels: files.map((f) => [f.path, f.content]) },
    () => {},
    bindMigrationAwareSqlAdapterFactory(adapters.factory),
  )
  try {
    return await use(engine, files)
  } finally {
    engine.free()
    await adapters.dispose()
  }
}

/** What Prisma's `migrate deploy` does to the database at `url`: the names of the migrations it applies. */
export async function prismaMigrateDeploy(url: string, migrationsDir: string, schemaPath: string): Promise<string[]> {
  return withEngine(schemaPath, url, async (engine) => {
    const result = await engine.applyMigrations({ migrationsList: readMigrations(migrationsDir), filters })
    return result.appliedMigrationNames
  })
}

type DiffSource = Parameters<SchemaEngine['diff']>[0]['from']

/** The SQL from `from` to the schema at `schemaPath`; '' when there is nothing to do. */
async function diffToSchema(schemaPath: string, from: DiffSource): Promise<string> {
  return withEngine(schemaPath, isPostgres(schemaPath) ? DEV_POSTGRES_URL : ':memory:', async (engine, files) => {
    const result = await engine.diff({ from, to: { tag: 'schemaDatamodel', files }, script: true, exitCode: null, filters })
    const sql = result.stdout ?? ''
    return /^-- This is an empty migration\.\s*$/.test(sql) ? '' : sql
  })
}

/** The SQL that takes a database from the migrations folder's end state to the schema (SQLite: replayed in memory). */
export function diffMigrationsToSchema(migrationsDir: string, schemaPath: string): Promise<string> {
  return diffToSchema(schemaPath, { tag: 'migrations', ...readMigrations(migrationsDir) })
}

/**
 * The SQL from one schema to another, without a database (`from` null: from nothing). PostgreSQL
 * migrations are written this way: the wasm engine cannot introspect PostgreSQL through the adapter
 * ("Column type 'char' could not be deserialized"), so it cannot replay them in a shadow database.
 */
export function diffSchemas(from: string | null, schemaPath: string): Promise<string> {
  return diffToSchema(schemaPath, from === null ? { tag: 'empty' } : { tag: 'schemaDatamodel', files: [{ path: 'previous.prisma', content: from }] })
}
