import { readFile } from 'node:fs/promises';
import type { DeviceRegistry } from '../domain/devices/DeviceRegistry.js';
import { DeviceCsvError, importDevices, parseDevicesCsv, type ImportSummary } from './importDevicesCsv.js';

/**
 * On first start, fills an empty registry from the shipped sample (knowledge/devices/sample-registry.csv)
 * so the embedded default can answer warranty questions out of the box. A registry that already
 * holds devices is left alone. The sample is ours: a bad row is a bug to fix, so it stops start-up
 * before anything is written.
 */
export async function seedRegistryIfEmpty(registry: DeviceRegistry, file: string): Promise<{ seeded: false } | ({ seeded: true } & ImportSummary)> {
  if ((await registry.count()) > 0) return { seeded: false };
  let csv: string;
  try {
    csv = await readFile(file, 'utf8');
  } catch (err) {
    throw new DeviceCsvError(`cannot read ${file}: ${(err as Error).message}`);
  }
  const parsed = parseDevicesCsv(csv);
  const first = parsed.errors[0];
  if (first) throw new DeviceCsvError(`${file}: ${first.message}${parsed.errors.length > 1 ? ` (and ${parsed.errors.length - 1} more)` : ''}`);
  return { seeded: true, ...(await importDevices(registry, parsed)) };
}
