import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import { DeviceSchema, type Device, type DeviceInput } from '../../src/domain/devices/Device.js';
import { DocumentDeviceRegistry } from '../../src/storage/DocumentDeviceRegistry.js';
import { LowdbDocumentStore } from '../../src/storage/LowdbDocumentStore.js';

const temps: string[] = [];
const stores: LowdbDocumentStore[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
  await Promise.all(temps.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'devices-'));
  temps.push(dir);
  return dir;
}

export function device(overrides: Partial<DeviceInput> = {}): Device {
  return DeviceSchema.parse({
    serial: 'NVR16A0009931',
    model: 'NVR16A 16-channel NVR',
    category: 'recorder',
    policyId: 'poe-sec',
    deliveredOn: '2025-03-14',
    price: 429,
    currency: 'USD',
    paidInFull: true,
    phoneOnCard: '+84 28 3910 4455',
    card: { hasSerial: true, hasPurchaseDate: true },
    customerRef: 'CUST-10318',
    ...overrides,
  });
}

/** A registry on a lowdb store in a fresh temp dir; closed and removed after the test. */
export async function openRegistry(): Promise<{ store: LowdbDocumentStore; registry: DocumentDeviceRegistry }> {
  const store = await LowdbDocumentStore.open(await tempDir());
  stores.push(store);
  return { store, registry: new DocumentDeviceRegistry(store) };
}
