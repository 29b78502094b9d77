import { afterAll, describe, expect, test } from 'vitest';
import { PgDatabase } from '../../src/storage/postgres/PgDatabase.js';
import { PgHandoffStore } from '../../src/storage/postgres/PgHandoffStore.js';
import { handoff, handoffServiceRaces, handoffStoreContract } from '../handoff/handoffStoreContract.js';
import { freshSchema, pgUrl, postgresAvailable } from '../helpers/postgres.js';

const available = await postgresAvailable('PgHandoffStore');

const opened: PgDatabase[] = [];
afterAll(async () => {
  await Promise.all(opened.splice(0).map((db) => db.close()));
});

/** Two instances: two pools (two PgDatabase) on one fresh schema, migrated by whichever opens first. */
async function twoInstances(): Promise<{ one: PgDatabase; two: PgDatabase }> {
  const schema = freshSchema();
  // One after the other: CREATE SCHEMA IF NOT EXISTS itself races (the migrations do not).
  const one = await PgDatabase.open(pgUrl, { schema, max: 5 });
  const two = await PgDatabase.open(pgUrl, { schema, max: 5 });
  opened.push(one, two);
  return { one, two };
}

const pair = async () => {
  const { one, two } = await twoInstances();
  return { a: new PgHandoffStore(one), b: new PgHandoffStore(two) };
};

describe.skipIf(!available)('PgHandoffStore (PostgreSQL)', () => {
  handoffStoreContract(pair);
  handoffServiceRaces(pair);

  test('the database itself refuses a second open handoff of a conversation, whoever writes it', async () => {
    const { one } = await twoInstances();
    await new PgHandoffStore(one).create(handoff('H-000001'));
    await expect(
      one.pool.query("INSERT INTO handoffs (id, status, conversation_key, requested_at, doc) VALUES ('H-000002', 'active', 'webchat/c1', now(), '{}')"),
    ).rejects.toThrow(/handoffs_one_open_per_conversation/);
  });

  test('the queue, the relay look-up and the open check are answered from indexes', async () => {
    const { one } = await twoInstances();
    const store = new PgHandoffStore(one);
    await store.create(handoff('H-000001'));
    await one.transaction(async (client) => {
      // A table this small would be read sequentially anyway; forbid that (and bitmap scans, which
      // lose the order) to see that an index answers each query, in order, without a sort.
      await client.query('SET LOCAL enable_seqscan = off');
      await client.query('SET LOCAL enable_bitmapscan = off');
      const plan = async (sql: string, params: unknown[] = []) =>
        (await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`, params)).rows.map((r) => r['QUERY PLAN']).join('\n');
      expect(await plan(`SELECT doc FROM handoffs WHERE status = 'waiting' ORDER BY requested_at, id COLLATE "C"`)).toMatch(/^Index Scan using handoffs_queue/);
      expect(await plan("SELECT doc FROM handoffs WHERE conversation_key = $1 AND status IN ('waiting', 'active')", ['webchat/c1'])).toMatch(
        /handoffs_one_open_per_conversation/,
      );
    });
  });
});
