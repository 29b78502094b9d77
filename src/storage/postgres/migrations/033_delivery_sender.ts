import type { Migration } from './index.js';

/** Who a customer message is from when it is not the bot (an agent's line shows under the agent's name). */
export const deliverySender: Migration = {
  version: 33,
  name: 'delivery_sender',
  sql: `ALTER TABLE deliveries ADD COLUMN IF NOT EXISTS sender jsonb;`,
};
