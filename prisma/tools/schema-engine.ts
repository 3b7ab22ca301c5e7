// Developer tooling only (never shipped): Prisma's schema engine as WebAssembly, because the CLI's
// native engine cannot be downloaded here. It diffs the migrations folder against the schema, which
// both writes new migrations (new-migration.ts) and proves there is no drift (a test).
import { readdirSync, readFileSync, existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3'
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

const noFilters = { externalTables: [], externalEnums: [] }

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

/** Opens adapters that accept scripts, and remembers them: engine.free() does not close them. */
function trackedFactory(url: string): { factory: SqlMigrationAwareDriverAdapterFactory; dispose(): Promise<void> } {
  const inner = new PrismaBetterSqlite3({ url })
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
  const adapters = trackedFactory(url)
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
    const result = await engine.applyMigrations({ migrationsList: readMigrations(migrationsDir), filters: noFilters })
    return result.appliedMigrationNames
  })
}

/** The SQL that takes a database from the migrations folder's end state to the schema; '' when none. */
export async function diffMigrationsToSchema(migrationsDir: string, schemaPath: string): Promise<string> {
  return withEngine(schemaPath, ':memory:', async (engine, files) => {
    const result = await engine.diff({
      from: { tag: 'migrations', ...readMigrations(migrationsDir) },
      to: { tag: 'schemaDatamodel', files },
      script: true,
      exitCode: null,
      filters: noFilters,
    })
    const sql = result.stdout ?? ''
    return /^-- This is an empty migration\.\s*$/.test(sql) ? '' : sql
  })
}
