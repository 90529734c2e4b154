import {
  describeDeliveredCountsContract,
  describeOutboxContract,
} from '../../test/outbox-contract.ts';
import { describeOriginContract } from '../../test/outbox-origin-contract.ts';
import { freshSchema, pgUrl } from '../../test/postgres/db.ts';
import { postgresOutbox } from './outbox.ts';
import { pg } from './pg.ts';

const open = () =>
  postgresOutbox({ connectionString: pgUrl(), schema: freshSchema(), maxConnections: 4 });

describeOutboxContract('postgresOutbox', open);
const schemas = new WeakMap<object, string>();
describeOriginContract(
  'postgresOutbox',
  () => {
    const schema = freshSchema();
    const store = postgresOutbox({ connectionString: pgUrl(), schema, maxConnections: 4 });
    schemas.set(store, schema);
    return store;
  },
  // What the table itself holds, whatever the row's state.
  async (store, id) => {
    const client = new pg.Client(pgUrl());
    await client.connect();
    try {
      const { rows } = await client.query<{ payload: string }>(
        `SELECT payload FROM "${schemas.get(store)}".twclid_outbox WHERE id = $1`,
        [id],
      );
      return rows[0] && JSON.parse(rows[0].payload);
    } finally {
      await client.end();
    }
  },
);
describeDeliveredCountsContract('postgresOutbox', open);
