import { DeviceSchema, normaliseSerial, type Device } from '../domain/devices/Device.js';
import { defaultMaxDistance, type DeviceRegistry, type SerialSuggestion, type UpsertOutcome } from '../domain/devices/DeviceRegistry.js';
import { editDistance } from '../domain/devices/editDistance.js';
import { describeZodError } from '../knowledge/jsonl.js';
import { ETagConflictError, type DocumentStore } from '../domain/ports/DocumentStore.js';

export const DEVICES_COLLECTION = 'devices';
/** Concurrent upserts of one serial retry on an eTag conflict at most this often. */
const MAX_ATTEMPTS = 5;

interface IndexEntry {
  serial: string;
  model: string;
}

/**
 * The device registry on the DocumentStore port: collection `devices`, one document per device,
 * id = `normaliseSerial(serial)`.
 *
 * `closest()` and `count()` use an in-memory index of serials, built from one `list()` on first use
 * and kept up to date by this instance's upserts, so a "did you mean" does not read the whole
 * collection. Devices written by another process (a second bot on PostgreSQL, the import CLI)
 * reach `get()` at once but the index only after `reloadIndex()` or a restart.
 */
export class DocumentDeviceRegistry implements DeviceRegistry {
  private index: Promise<Map<string, IndexEntry>> | null = null;

  constructor(private readonly store: DocumentStore) {}

  async get(serial: string): Promise<Device | null> {
    const key = normaliseSerial(serial);
    if (key === '') return null;
    const doc = (await this.store.read(DEVICES_COLLECTION, [key])).get(key);
    return doc ? parseStored(key, doc.value) : null;
  }

  async upsert(device: Device): Promise<UpsertOutcome> {
    const parsed = DeviceSchema.safeParse(device);
    if (!parsed.success) throw new Error(`DocumentDeviceRegistry.upsert(): invalid device: ${describeZodError(parsed.error)}`);
    const value = parsed.data;
    const key = normaliseSerial(value.serial);
    const index = await this.loadIndex();
    for (let attempt = 1; ; attempt += 1) {
      const stored = (await this.store.read(DEVICES_COLLECTION, [key])).get(key);
      if (stored && canonicalJson(stored.value) === canonicalJson(value)) return 'unchanged';
      try {
        // An update names the eTag it read, so a concurrent change is re-read, not overwritten;
        // a create names none: two creators of one serial are both upserts, the last one wins.
        await this.store.write(DEVICES_COLLECTION, key, value, stored?.eTag);
      } catch (err) {
        if (err instanceof ETagConflictError && attempt < MAX_ATTEMPTS) continue;
        throw err;
      }
      index.set(key, { serial: value.serial, model: value.model });
      return stored ? 'updated' : 'created';
    }
  }

  async closest(serial: string, n = 3, maxDistance?: number): Promise<SerialSuggestion[]> {
    const key = normaliseSerial(serial);
    if (key === '' || n <= 0) return [];
    const limit = maxDistance ?? defaultMaxDistance(key);
    const found: Array<SerialSuggestion & { key: string }> = [];
    for (const [other, entry] of await this.loadIndex()) {
      const distance = editDistance(key, other, limit);
      if (distance <= limit) found.push({ serial: entry.serial, model: entry.model, distance, key: other });
    }
    return found
      .sort((a, b) => a.distance - b.distance || a.key.localeCompare(b.key))
      .slice(0, n)
      .map(({ serial: s, model, distance }) => ({ serial: s, model, distance }));
  }

  async count(): Promise<number> {
    return (await this.loadIndex()).size;
  }

  /** Rebuilds the index from the store: after another process imported devices. */
  async reloadIndex(): Promise<void> {
    this.index = null;
    await this.loadIndex();
  }

  private loadIndex(): Promise<Map<string, IndexEntry>> {
    if (!this.index) {
      const loading = this.buildIndex();
      // A failed load (store down) is retried on the next call instead of being remembered.
      loading.catch(() => {
        if (this.index === loading) this.index = null;
      });
      this.index = loading;
    }
    return this.index;
  }

  private async buildIndex(): Promise<Map<string, IndexEntry>> {
    const index = new Map<string, IndexEntry>();
    for (const doc of await this.store.list(DEVICES_COLLECTION)) {
      const device = parseStored(doc.id, doc.value);
      index.set(doc.id, { serial: device.serial, model: device.model });
    }
    return index;
  }
}

function parseStored(key: string, value: unknown): Device {
  const parsed = DeviceSchema.safeParse(value);
  if (!parsed.success) throw new Error(`DocumentDeviceRegistry: stored device "${key}" is invalid: ${describeZodError(parsed.error)}`);
  return parsed.data;
}

/** JSON with object keys sorted and undefined members dropped: equal devices give equal text. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
