// prisma/schema.prisma is the one source of truth; the PostgreSQL schema is derived from it (provider
// and client output are all that differ). `npm run db:postgres-schema` writes it; a test fails when
// the committed copy is out of step.
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'

export const ROOT = path.resolve(__dirname, '../..')
export const SQLITE_SCHEMA = path.join(ROOT, 'prisma/schema.prisma')
export const POSTGRES_SCHEMA = path.join(ROOT, 'prisma/postgres/schema.prisma')

export function derivePostgresSchema(sqlite: string): string {
  const header = '// GENERATED from prisma/schema.prisma by `npm run db:postgres-schema`: edit that file, not this one.\n'
  const out = sqlite
    .replace(/provider\s*=\s*"sqlite"/, 'provider = "postgresql"')
    .replace('output       = "../electron/server/db/generated/sqlite"', 'output       = "../../electron/server/db/generated/postgres"')
  if (out === sqlite || !out.includes('generated/postgres')) throw new Error('prisma/schema.prisma no longer has the shape this script expects')
  return header + out
}

if (require.main === module) {
  writeFileSync(POSTGRES_SCHEMA, derivePostgresSchema(readFileSync(SQLITE_SCHEMA, 'utf8')))
  console.log(`Wrote ${path.relative(ROOT, POSTGRES_SCHEMA)}`)
}
