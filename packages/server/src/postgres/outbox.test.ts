import {
  describeDeliveredCountsContract,
  describeOutboxContract,
} from '../../test/outbox-contract.ts';
import { freshSchema, pgUrl } from '../../test/postgres/db.ts';
import { postgresOutbox } from './outbox.ts';

describeOutboxContract('postgresOutbox', () =>
  postgresOutbox({ connectionString: pgUrl(), schema: freshSchema(), maxConnections: 4 }),
);
describeDeliveredCountsContract('postgresOutbox', () =>
  postgresOutbox({ connectionString: pgUrl(), schema: freshSchema(), maxConnections: 4 }),
);
