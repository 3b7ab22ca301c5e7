// setupFile: the run's PostgreSQL and Redis (test/helpers/services-setup.ts) as the environment
// variables the helpers, the schema tools and the benchmark read.
import { inject } from 'vitest'

process.env.SWITCHBOARD_DEV_POSTGRES = inject('postgresUrl')
process.env.SWITCHBOARD_DEV_REDIS = inject('redisUrl')
