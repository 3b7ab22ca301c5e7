// setupFile of the `postgres` project: every test server of the run on the run's PostgreSQL
// (test/helpers/server.ts gives each data folder a schema of its own).
process.env.SWITCHBOARD_TEST_POSTGRES = process.env.SWITCHBOARD_DEV_POSTGRES
