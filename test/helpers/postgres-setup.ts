// globalSetup of the `postgres` project: the test servers' schemas (t_…) left by a killed or
// keep-data run are dropped before and after the suite.
import pg from 'pg'

async function dropTestSchemas(): Promise<void> {
  const client = new pg.Client({ connectionString: process.env.SWITCHBOARD_TEST_POSTGRES ?? 'postgresql://postgres@127.0.0.1:5432/test' })
  await client.connect()
  try {
    const { rows } = await client.query<{ name: string }>(`SELECT schema_name AS name FROM information_schema.schemata WHERE schema_name ~ '^t_[0-9a-f]{20}$'`)
    for (const { name } of rows) await client.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`)
  } finally {
    await client.end()
  }
}

export default async function setup(): Promise<() => Promise<void>> {
  await dropTestSchemas()
  return dropTestSchemas
}
