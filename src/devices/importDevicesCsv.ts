/**
 * Imports the vendor's ERP export of sold devices into the registry. Every row is validated on its
 * own: a bad row is reported with its line number and the good ones are still imported. Devices
 * already stored with the same data are not written again, so re-importing a file changes nothing.
 *
 * Columns (header row, any order, case and spaces/dashes in names ignored):
 *   required: serial, model, category, policy_id, delivered_on, paid_in_full,
 *             card_has_serial, card_has_purchase_date, customer_ref
 *   optional: price, currency, manufacturer_warranty_months, phone_on_card
 * Booleans are yes/no, true/false, y/n or 1/0; dates YYYY-MM-DD; prices plain decimals (1299.00).
 */
import { z } from 'zod';
import { DeviceSchema, normaliseSerial, type Device } from '../domain/devices/Device.js';
import type { DeviceRegistry } from '../domain/devices/DeviceRegistry.js';
import { parseCsv } from './csv.js';

export const REQUIRED_COLUMNS = [
  'serial',
  'model',
  'category',
  'policy_id',
  'delivered_on',
  'paid_in_full',
  'card_has_serial',
  'card_has_purchase_date',
  'customer_ref',
] as const;
export const OPTIONAL_COLUMNS = ['price', 'currency', 'manufacturer_warranty_months', 'phone_on_card'] as const;
const ALL_COLUMNS: readonly string[] = [...REQUIRED_COLUMNS, ...OPTIONAL_COLUMNS];

/** Device field path → the column a user fixes. */
const COLUMN_OF: Record<string, string> = {
  serial: 'serial',
  model: 'model',
  category: 'category',
  policyId: 'policy_id',
  deliveredOn: 'delivered_on',
  price: 'price',
  currency: 'currency',
  paidInFull: 'paid_in_full',
  manufacturerWarrantyMonths: 'manufacturer_warranty_months',
  phoneOnCard: 'phone_on_card',
  'card.hasSerial': 'card_has_serial',
  'card.hasPurchaseDate': 'card_has_purchase_date',
  customerRef: 'customer_ref',
};

export interface RowError {
  line: number;
  message: string;
}

export interface ImportSummary {
  imported: number;
  updated: number;
  unchanged: number;
  errors: RowError[];
}

export interface ParsedDevices {
  devices: Array<{ line: number; device: Device }>;
  errors: RowError[];
}

export interface ParseOptions {
  /** Known policy ids (the files under knowledge/warranty/); when given, any other id is a bad row. */
  policyIds?: ReadonlySet<string>;
  /** `YYYY-MM-DD`; when given, a delivery after it is a bad row. */
  today?: string;
}

/** The file as a whole is unusable (no header, a wrong header): nothing is imported. */
export class DeviceCsvError extends Error {
  constructor(message: string) {
    super(`registry import: ${message}`);
    this.name = 'DeviceCsvError';
  }
}

const TRUE = new Set(['yes', 'y', 'true', '1']);
const FALSE = new Set(['no', 'n', 'false', '0']);

const cell = z.string().optional();
const blank = (v: string | undefined): v is undefined => v === undefined || v.trim() === '';

const yesNo = cell.transform((v, ctx) => {
  if (blank(v)) {
    ctx.addIssue({ code: 'custom', message: 'is required (yes or no)' });
    return z.NEVER;
  }
  const word = v.trim().toLowerCase();
  if (TRUE.has(word)) return true;
  if (FALSE.has(word)) return false;
  ctx.addIssue({ code: 'custom', message: `expected yes or no, got ${JSON.stringify(v)}` });
  return z.NEVER;
});

const optionalNumber = (pattern: RegExp, what: string) =>
  cell.transform((v, ctx) => {
    if (blank(v)) return undefined;
    if (!pattern.test(v.trim())) {
      ctx.addIssue({ code: 'custom', message: `expected ${what}, got ${JSON.stringify(v)}` });
      return z.NEVER;
    }
    return Number(v.trim());
  });

const optionalText = cell.transform((v) => (blank(v) ? undefined : v.trim()));
const text = cell.transform((v) => v ?? '');

/** One CSV row by column name, coerced to the types DeviceSchema then checks. */
const RowSchema = z
  .object({
    serial: text,
    model: text,
    category: cell.transform((v) => (v ?? '').trim().toLowerCase()),
    policy_id: cell.transform((v) => (v ?? '').trim().toLowerCase()),
    delivered_on: text,
    price: optionalNumber(/^\d+(\.\d+)?$/, 'a plain number such as 1299.00'),
    currency: optionalText,
    paid_in_full: yesNo,
    manufacturer_warranty_months: optionalNumber(/^\d+$/, 'a whole number of months'),
    phone_on_card: optionalText,
    card_has_serial: yesNo,
    card_has_purchase_date: yesNo,
    customer_ref: text,
  })
  .transform((r) => ({
    serial: r.serial,
    model: r.model,
    category: r.category,
    policyId: r.policy_id,
    deliveredOn: r.delivered_on,
    price: r.price,
    currency: r.currency,
    paidInFull: r.paid_in_full,
    manufacturerWarrantyMonths: r.manufacturer_warranty_months,
    phoneOnCard: r.phone_on_card,
    card: { hasSerial: r.card_has_serial, hasPurchaseDate: r.card_has_purchase_date },
    customerRef: r.customer_ref,
  }));

function columnName(raw: string): string {
  return raw.trim().toLowerCase().replace(/[\s-]+/g, '_');
}

function describeRowError(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.join('.');
      const column = COLUMN_OF[path] ?? path;
      return column ? `${column}: ${issue.message}` : issue.message;
    })
    .join('; ');
}

/**
 * Parses and validates an ERP export without touching the registry. Throws DeviceCsvError when the
 * header is missing or wrong; row problems are returned by line number.
 */
export function parseDevicesCsv(csv: string, options: ParseOptions = {}): ParsedDevices {
  const records = parseCsv(csv);
  const header = records[0];
  if (!header) throw new DeviceCsvError('the file is empty (expected a header row)');
  if (!header.ok) throw new DeviceCsvError(`line ${header.line}: header: ${header.error}`);
  const columns = header.fields.map(columnName);
  const unknown = columns.filter((c) => !ALL_COLUMNS.includes(c));
  const missing = REQUIRED_COLUMNS.filter((c) => !columns.includes(c));
  const duplicate = columns.filter((c, i) => columns.indexOf(c) !== i);
  const problems = [
    missing.length > 0 ? `missing column(s) ${missing.join(', ')}` : '',
    unknown.length > 0 ? `unknown column(s) ${unknown.map((c) => JSON.stringify(c)).join(', ')}` : '',
    duplicate.length > 0 ? `repeated column(s) ${duplicate.join(', ')}` : '',
  ].filter(Boolean);
  if (problems.length > 0) {
    throw new DeviceCsvError(`line ${header.line}: header: ${problems.join('; ')} (columns are ${ALL_COLUMNS.join(', ')})`);
  }

  const devices: ParsedDevices['devices'] = [];
  const errors: RowError[] = [];
  const firstLineOf = new Map<string, number>();
  for (const record of records.slice(1)) {
    const { line } = record;
    if (!record.ok) {
      errors.push({ line, message: `line ${line}: ${record.error}` });
      continue;
    }
    if (record.fields.length !== columns.length) {
      errors.push({ line, message: `line ${line}: expected ${columns.length} fields, got ${record.fields.length}` });
      continue;
    }
    const row = Object.fromEntries(columns.map((c, i) => [c, record.fields[i]]));
    const coerced = RowSchema.safeParse(row);
    const parsed = coerced.success ? DeviceSchema.safeParse(coerced.data) : coerced;
    if (!parsed.success) {
      errors.push({ line, message: `line ${line}: ${describeRowError(parsed.error)}` });
      continue;
    }
    const device = parsed.data;
    if (options.policyIds && !options.policyIds.has(device.policyId)) {
      const known = [...options.policyIds].sort().join(', ');
      errors.push({ line, message: `line ${line}: policy_id: unknown policy "${device.policyId}" (known: ${known})` });
      continue;
    }
    if (options.today && device.deliveredOn > options.today) {
      errors.push({ line, message: `line ${line}: delivered_on: ${device.deliveredOn} is after today (${options.today})` });
      continue;
    }
    const key = normaliseSerial(device.serial);
    const first = firstLineOf.get(key);
    if (first !== undefined) {
      errors.push({ line, message: `line ${line}: serial: ${device.serial} is already on line ${first}` });
      continue;
    }
    firstLineOf.set(key, line);
    devices.push({ line, device });
  }
  return { devices, errors };
}

/** Upserts parsed devices one by one (awaited in order) and counts what happened. */
export async function importDevices(registry: DeviceRegistry, parsed: ParsedDevices): Promise<ImportSummary> {
  const summary: ImportSummary = { imported: 0, updated: 0, unchanged: 0, errors: [...parsed.errors] };
  for (const { device } of parsed.devices) {
    const outcome = await registry.upsert(device);
    if (outcome === 'created') summary.imported += 1;
    else if (outcome === 'updated') summary.updated += 1;
    else summary.unchanged += 1;
  }
  return summary;
}

/** Parses, validates and imports an ERP export; see parseDevicesCsv and importDevices. */
export async function importDevicesCsv(registry: DeviceRegistry, csv: string, options: ParseOptions = {}): Promise<ImportSummary> {
  return importDevices(registry, parseDevicesCsv(csv, options));
}
