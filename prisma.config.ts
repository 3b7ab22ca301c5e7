import { defineConfig } from 'prisma/config'

// Used by developers' Prisma commands only. The server applies prisma/migrations itself at
// start-up (electron/server/db/migrate.ts): a packaged app has no CLI.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'file:./dev.db' },
})
