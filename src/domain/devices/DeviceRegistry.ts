import { findSerialCandidates, wholeMessageSerial, type Device, type SerialCandidate } from './Device.js';

export type UpsertOutcome = 'created' | 'updated' | 'unchanged';

/**
 * A registered serial close to one someone typed. For staff tools only: it names another
 * customer's device, so it is never shown to a customer (see `lookUpSerialInText`).
 */
export interface SerialSuggestion {
  /** As printed on the device. */
  serial: string;
  model: string;
  /** Edits (Damerau–Levenshtein on normalised serials) between what was typed and this serial. */
  distance: number;
}

/**
 * The device registry port the domain owns. Every method accepts a serial in any printed form
 * ("sl dvr8 24Ol17 0042"): implementations look it up by `normaliseSerial`.
 */
export interface DeviceRegistry {
  get(serial: string): Promise<Device | null>;
  /** Stores the device under its normalised serial; an identical device is not written again. */
  upsert(device: Device): Promise<UpsertOutcome>;
  /**
   * Up to `n` registered serials nearest to `serial`, nearest first, none further than
   * `maxDistance` (default: 1 edit for serials shorter than 10 characters, 2 otherwise).
   * Staff-side: the result belongs to other customers.
   */
  closest(serial: string, n?: number, maxDistance?: number): Promise<SerialSuggestion[]>;
  count(): Promise<number>;
}

/** Default "did you mean" reach: a short serial tolerates fewer slips before matching another device. */
export function defaultMaxDistance(key: string): number {
  return key.length < 10 ? 1 : 2;
}

/**
 * What a customer's message names. `unknown` deliberately carries nothing from the registry: the
 * serial typed is proof of holding the device, so a near miss must not show whose serial is close
 * (or that one is), only the customer's own text to re-type.
 */
export type SerialLookup =
  | { kind: 'found'; device: Device; candidate: SerialCandidate }
  | { kind: 'unknown'; candidate: SerialCandidate }
  | { kind: 'no_serial' };

/**
 * Finds the device a customer's message names: the whole message when it is only a serial, then
 * every serial-looking token, best first; the first registered one (after normalisation: case,
 * blanks, dashes, O/0, I/L/1) wins. Otherwise the best-ranked candidate, so the customer can be
 * asked to check it against the label.
 */
export async function lookUpSerialInText(registry: DeviceRegistry, text: string): Promise<SerialLookup> {
  const whole = wholeMessageSerial(text);
  const candidates = [...(whole ? [whole] : []), ...findSerialCandidates(text).filter((c) => c.key !== whole?.key)];
  const best = candidates[0];
  if (!best) return { kind: 'no_serial' };
  for (const candidate of candidates) {
    const device = await registry.get(candidate.key);
    if (device) return { kind: 'found', device, candidate };
  }
  return { kind: 'unknown', candidate: best };
}
