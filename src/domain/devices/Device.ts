import { z } from 'zod';
import { isCalendarDate } from '../warranty/calendar.js';
import { DEVICE_CATEGORIES } from '../warranty/WarrantyPolicy.js';

export { DEVICE_CATEGORIES, isCalendarDate };
export type { DeviceCategory } from '../warranty/WarrantyPolicy.js';

/**
 * A device the vendor sold: what the warranty conversation needs to answer without asking the
 * customer for anything the ERP already knows. Pure domain: zod only, no I/O.
 */

/** Shortest and longest registry key a serial may normalise to. */
const MIN_SERIAL_KEY = 6;
const MAX_SERIAL_KEY = 32;

/**
 * The lookup key of a serial: upper case, only letters and digits, and the letters people and
 * OCR confuse with digits folded onto the digit (O→0, I→1, L→1). Both sides of every comparison
 * go through this, so "sl-dvr8-24Ol17-0042" and "SL-DVR8-240117-0042" are the same device.
 * The key is for matching only; the serial as printed is what is shown to the customer.
 */
export function normaliseSerial(text: string): string {
  return text
    .toUpperCase()
    .replace(/[^A-Z0-9]/g, '')
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1');
}

/** True when the text normalises to something shaped like a serial (letters/digits, 6–32, a digit). */
export function isSerialKey(key: string): boolean {
  return key.length >= MIN_SERIAL_KEY && key.length <= MAX_SERIAL_KEY && /^[A-Z0-9]+$/.test(key) && /\d/.test(key);
}

/** The serial as printed, tidied for display: trimmed, upper case, runs of blanks made one space. */
export function displaySerial(text: string): string {
  return text.trim().toUpperCase().replace(/\s+/g, ' ');
}

/** Digits only (a leading + kept), so "+44 (0)20-7946 0958" and "+4402079460958" compare equal. */
export function normalisePhone(text: string): string {
  const digits = text.replace(/\D/g, '');
  return text.trim().startsWith('+') ? `+${digits}` : digits;
}

export const SerialSchema = z
  .string()
  .transform(displaySerial)
  .refine((s) => isSerialKey(normaliseSerial(s)), {
    error: (issue) => `not a serial number (${JSON.stringify(issue.input)}): 6 to 32 letters and digits, at least one digit`,
  });

export const CalendarDateSchema = z
  .string()
  .trim()
  .refine(isCalendarDate, { error: (issue) => `not a calendar date YYYY-MM-DD (${JSON.stringify(issue.input)})` });

/** Policy ids are the file names under knowledge/warranty/ (`poe-sec`, `service-promise`). */
export const PolicyIdSchema = z
  .string()
  .trim()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be a policy id such as "poe-sec" (lower case, digits, dashes)');

const nonEmpty = (what: string) => z.string().trim().min(1, `${what} must not be empty`);

export const DeviceSchema = z
  .object({
    /** As printed on the device (upper case); the registry key is `normaliseSerial(serial)`. */
    serial: SerialSchema,
    model: nonEmpty('model'),
    category: z.enum(DEVICE_CATEGORIES, { error: `must be one of ${DEVICE_CATEGORIES.join(', ')}` }),
    policyId: PolicyIdSchema,
    deliveredOn: CalendarDateSchema,
    price: z.number().finite().min(0, 'must not be negative').optional(),
    currency: z
      .string()
      .trim()
      .toUpperCase()
      .regex(/^[A-Z]{3}$/, 'must be a three-letter ISO 4217 code such as EUR')
      .optional(),
    paidInFull: z.boolean(),
    /** The manufacturer's own warranty period; what a poe-sec accessory is covered for. */
    manufacturerWarrantyMonths: z.number().int('must be a whole number of months').min(1).max(240).optional(),
    /** The phone number written on the warranty card, compared with the one on the product. */
    phoneOnCard: z
      .string()
      .trim()
      .regex(/^\+?[0-9 ()./-]{6,24}$/, 'must be a phone number')
      .refine((p) => normalisePhone(p).replace('+', '').length >= 6, 'must be a phone number')
      .optional(),
    /** What the warranty card records: a card without the serial or the purchase date is incomplete. */
    card: z.object({ hasSerial: z.boolean(), hasPurchaseDate: z.boolean() }),
    customerRef: nonEmpty('customerRef'),
  })
  .superRefine((device, ctx) => {
    // Policy-agnostic on purpose: an accessory's cover comes from its manufacturer under poe-sec,
    // and the registry should not need to know which policies read the field.
    if (device.category === 'accessory' && device.manufacturerWarrantyMonths === undefined) {
      ctx.addIssue({ code: 'custom', path: ['manufacturerWarrantyMonths'], message: 'is required for an accessory' });
    }
    if (device.currency !== undefined && device.price === undefined) {
      ctx.addIssue({ code: 'custom', path: ['price'], message: 'is required when a currency is given' });
    }
  });

export type Device = z.infer<typeof DeviceSchema>;
/** What callers may pass in (before trimming and upper-casing). */
export type DeviceInput = z.input<typeof DeviceSchema>;

/** A serial-looking token found in free text. */
export interface SerialCandidate {
  /** The text as the customer wrote it (tidied for display). */
  text: string;
  /** `normaliseSerial(text)`: what to look up. */
  key: string;
  /** Right after "SN", "S/N", "serial (number|no|#)": the customer said this is the serial. */
  marked: boolean;
}

/** "SN", "S/N", "serial", "serial number", "serial no.", "ser. no", "serial #", optionally followed by is / : / = / #. */
const SERIAL_MARKER = /\b(?:s\s?\/\s?n|sn|ser(?:ial)?\.?(?:\s*(?:number|num|no|nr|#)\.?)?)\s*(?:is\b|[:=#-])?\s*$/i;
/** A token: letters/digits joined by - or _ (no blanks inside). */
const TOKEN = /[A-Za-z0-9]+(?:[-_][A-Za-z0-9]+)*/g;
const DATE_LIKE = /^(?:\d{4}-\d{1,2}-\d{1,2}|\d{1,2}-\d{1,2}-\d{2,4})$/;
/** A token glued to an SN prefix: "SN12345678", "S/N:E1C2…" is handled by the marker. */
const GLUED_MARKER = /^SN[-_]?(?=[A-Z0-9]*\d)/i;

interface Token {
  text: string;
  start: number;
  end: number;
}

/**
 * Serial-looking tokens in free text, best first: those right after a serial marker, then longer
 * before shorter. Groups separated by single blanks are also joined ("e12 3456 789" → E123456789),
 * and every group is offered on its own as well, so the caller tries each against the registry and
 * takes the first that exists. Dates, IP addresses and phone numbers (a leading +) are skipped.
 */
export function findSerialCandidates(text: string): SerialCandidate[] {
  const tokens: Token[] = [];
  for (const m of text.matchAll(TOKEN)) {
    const start = m.index;
    tokens.push({ text: m[0], start, end: start + m[0].length });
  }

  const found: Array<SerialCandidate & { order: number }> = [];
  const seen = new Set<string>();
  const offer = (raw: string, start: number, order: number): void => {
    const display = displaySerial(raw);
    const key = normaliseSerial(display);
    if (!isSerialKey(key) || DATE_LIKE.test(display) || seen.has(key)) return;
    seen.add(key);
    found.push({ text: display, key, marked: SERIAL_MARKER.test(text.slice(0, start)), order });
  };

  // Runs of tokens separated by single blanks, each token holding a digit ("e12 3456 789").
  const joinable = (t: Token): boolean => /\d/.test(t.text) && !isInDottedNumber(text, t);
  let order = 0;
  for (let i = 0; i < tokens.length; i += 1) {
    const first = tokens[i];
    if (!first || !joinable(first)) continue;
    let j = i;
    while (j + 1 < tokens.length) {
      const next = tokens[j + 1];
      const prev = tokens[j];
      if (!next || !prev || !joinable(next) || !/^[ \t]$/.test(text.slice(prev.end, next.start))) break;
      j += 1;
    }
    // A run written "+44 20 7946 0958" is a phone number, not a serial.
    if (text[first.start - 1] === '+') {
      i = j;
      continue;
    }
    // Longest join first, then shorter joins from the same start; later starts follow.
    for (let k = j; k >= i; k -= 1) {
      const last = tokens[k];
      if (!last) continue;
      const raw = text.slice(first.start, last.end);
      offer(raw, first.start, order++);
      const glued = GLUED_MARKER.exec(raw);
      if (glued) offer(raw.slice(glued[0].length), first.start + glued[0].length, order++);
    }
  }
  // Stable: marked first, then longer keys, then in the order they were written.
  return found
    .sort((a, b) => Number(b.marked) - Number(a.marked) || b.key.length - a.key.length || a.order - b.order)
    .map(({ text: t, key, marked }) => ({ text: t, key, marked }));
}

/** At most this many blank-separated groups make a whole message one serial ("sl dvr8 2411 29 0107"). */
const MAX_WHOLE_GROUPS = 6;

/**
 * The whole message as one serial, when it looks like nothing else: letters, digits, blanks and
 * dashes only, at most six groups, most of them holding a digit. A reply to "what is the serial?"
 * typed with blanks anywhere ("sl dvr8 24ll29 0107") is then one serial, where
 * `findSerialCandidates` would leave out the letters-only group. Null otherwise.
 */
export function wholeMessageSerial(text: string): SerialCandidate | null {
  const trimmed = text.trim();
  if (!/^[A-Za-z0-9]+(?:[ \t_-]+[A-Za-z0-9]+)*$/.test(trimmed)) return null;
  const groups = trimmed.split(/[ \t]+/);
  if (groups.length > MAX_WHOLE_GROUPS || groups.filter((g) => /\d/.test(g)).length * 2 < groups.length) return null;
  const display = displaySerial(trimmed);
  const key = normaliseSerial(display);
  return isSerialKey(key) && !DATE_LIKE.test(display) ? { text: display, key, marked: false } : null;
}

/** Part of 192.168.1.64, a firmware version 5.4.0 or a decimal 12.5. */
function isInDottedNumber(text: string, token: Token): boolean {
  const before = text[token.start - 1];
  const after = text[token.end];
  return (before === '.' && /\d/.test(text[token.start - 2] ?? '')) || (after === '.' && /\d/.test(text[token.end + 1] ?? ''));
}
