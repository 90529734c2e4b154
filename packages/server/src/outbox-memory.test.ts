import {
  describeDeliveredCountsContract,
  describeOutboxContract,
} from '../test/outbox-contract.ts';
import { memoryOutbox } from './outbox-memory.ts';

describeOutboxContract('memoryOutbox', () => memoryOutbox());
describeDeliveredCountsContract('memoryOutbox', () => memoryOutbox());
