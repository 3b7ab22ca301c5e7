/** DateTime as Prisma writes it into SQLite ("2026-11-27T09:00:00.000+00:00"); raw writers must match, or ordering mixes types. */
export const sqliteTimestamp = (date: Date = new Date()): string => date.toISOString().replace('Z', '+00:00')
