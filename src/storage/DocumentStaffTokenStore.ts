import { ETagConflictError, type DocumentStore } from '../domain/ports/DocumentStore.js';
import type { StaffTokenRecord, StaffTokenStore } from '../domain/staff/StaffTokens.js';

export const STAFF_TOKENS_COLLECTION = 'staff-tokens';

/** Staff tokens on the DocumentStore: collection `staff-tokens`, id = SHA-256 hex of the token. */
export class DocumentStaffTokenStore implements StaffTokenStore {
  constructor(private readonly store: DocumentStore) {}

  async create(hash: string, record: StaffTokenRecord): Promise<void> {
    try {
      await this.store.write(STAFF_TOKENS_COLLECTION, hash, record, null);
    } catch (err) {
      if (err instanceof ETagConflictError) throw new Error('DocumentStaffTokenStore.create(): a token with this hash already exists', { cause: err });
      throw err;
    }
  }

  async get(hash: string): Promise<StaffTokenRecord | null> {
    return (await this.store.read<StaffTokenRecord>(STAFF_TOKENS_COLLECTION, [hash])).get(hash)?.value ?? null;
  }

  async put(hash: string, record: StaffTokenRecord): Promise<void> {
    await this.store.write(STAFF_TOKENS_COLLECTION, hash, record);
  }

  async all(): Promise<Array<{ hash: string; record: StaffTokenRecord }>> {
    return (await this.store.list<StaffTokenRecord>(STAFF_TOKENS_COLLECTION)).map((d) => ({ hash: d.id, record: d.value }));
  }
}
