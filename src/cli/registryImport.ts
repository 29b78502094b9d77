/**
 * Imports or updates devices from the vendor's ERP export into the configured store (STORE,
 * DATA_DIR / DATABASE_URL), validating every row.
 *
 *   npm run registry:import -- FILE.csv
 *
 * Prints one JSON line {"file","imported","updated","unchanged","rejected"} and then one JSON
 * line {"line","error"} per bad row. Exits 0 once the file was read (even with bad rows: the good
 * ones are imported), 1 when the file cannot be read, its header is wrong or the store cannot open.
 * With the lowdb store, stop the bot first: one process owns a data directory.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { loadConfig } from '../config.js';
import { importDevices, parseDevicesCsv } from '../devices/importDevicesCsv.js';
import { DocumentDeviceRegistry } from '../storage/DocumentDeviceRegistry.js';
import { openStore } from '../storage/openStore.js';
import { exitWith } from './loadTriage.js';


/** Policy ids are the file names under knowledge/warranty/; no directory yet means no check. */
async function shippedPolicyIds(knowledgeDir: string): Promise<Set<string> | undefined> {
  const names = await readdir(path.join(knowledgeDir, 'warranty')).catch(() => null);
  const ids = names?.filter((n) => n.endsWith('.json')).map((n) => n.slice(0, -'.json'.length));
  return ids && ids.length > 0 ? new Set(ids) : undefined;
}

/** The local calendar date, as the ERP writes delivery dates. */
function localDate(now: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

async function main(): Promise<void> {
  const file = process.argv[2];
  if (!file) throw new Error('usage: npm run registry:import -- FILE.csv');
  const config = loadConfig();
  let csv: string;
  try {
    csv = await readFile(file, 'utf8');
  } catch (err) {
    throw new Error(`registry import: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const parsed = parseDevicesCsv(csv, { policyIds: await shippedPolicyIds(config.knowledgeDir), today: localDate(new Date()) });

  const store = await openStore(config);
  try {
    const summary = await importDevices(new DocumentDeviceRegistry(store), parsed);
    const out = [
      { file, imported: summary.imported, updated: summary.updated, unchanged: summary.unchanged, rejected: summary.errors.length },
      ...summary.errors.map((e) => ({ line: e.line, error: e.message })),
    ];
    process.stdout.write(out.map((o) => `${JSON.stringify(o)}\n`).join(''));
  } finally {
    await store.close();
  }
}

main().catch(exitWith);
