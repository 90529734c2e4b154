import {
  describeDeliveredCountsContract,
  describeOutboxContract,
} from '../test/outbox-contract.ts';
import { describeOriginContract } from '../test/outbox-origin-contract.ts';
import { memoryOutbox, memoryOutboxConversion } from './outbox-memory.ts';

describeOutboxContract('memoryOutbox', () => memoryOutbox());
describeOriginContract(
  'memoryOutbox',
  () => memoryOutbox(),
  async (store, id) => memoryOutboxConversion(store, id),
);
describeDeliveredCountsContract('memoryOutbox', () => memoryOutbox());
