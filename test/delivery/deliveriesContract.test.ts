import { describe } from 'vitest';
import { InMemoryCustomerDeliveries } from '../../src/domain/delivery/InMemoryCustomerDeliveries.js';
import { PgCustomerDeliveries } from '../../src/storage/postgres/PgCustomerDeliveries.js';
import { freshDatabase, postgresAvailable } from '../helpers/postgres.js';
import { customerDeliveriesContract } from './deliveriesContract.js';

const available = await postgresAvailable('the delivery queue contract on PostgreSQL');

describe('CustomerDeliveries contract: in memory', () => {
  customerDeliveriesContract(async (messenger, options) => {
    const deliveries = new InMemoryCustomerDeliveries(messenger, options);
    return { deliveries, close: () => deliveries.drain(0) };
  });
});

describe.skipIf(!available)('CustomerDeliveries contract: PostgreSQL (deliveries table)', () => {
  customerDeliveriesContract(async (messenger, options) => {
    const database = await freshDatabase();
    // A short poll, so retries due are picked up quickly (the default is 1 s).
    const deliveries = new PgCustomerDeliveries(database, messenger, { ...options, pollIntervalMs: 20 });
    return { deliveries, close: () => deliveries.drain(1_000) };
  });
});
