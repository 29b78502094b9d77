import { findSerialCandidates, type Device, type SerialCandidate } from './Device.js';

export type UpsertOutcome = 'created' | 'updated' | 'unchanged';

/** A registered serial close to one the customer typed: for "did you mean …?". */
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
   */
  closest(serial: string, n?: number, maxDistance?: number): Promise<SerialSuggestion[]>;
  count(): Promise<number>;
}

/** Default "did you mean" reach: a short serial tolerates fewer slips before matching another device. */
export function defaultMaxDistance(key: string): number {
  return key.length < 10 ? 1 : 2;
}

export type SerialLookup =
  | { kind: 'found'; device: Device; candidate: SerialCandidate }
  | { kind: 'unknown'; candidate: SerialCandidate; suggestions: SerialSuggestion[] }
  | { kind: 'no_serial' };

/**
 * Finds the device a customer's message names: every serial-looking token is tried, best first;
 * the first registered one wins. Otherwise the close matches of all the tokens, nearest first,
 * with the token they are closest to (or the best-ranked token when nothing is close).
 */
export async function lookUpSerialInText(registry: DeviceRegistry, text: string, suggestions = 3): Promise<SerialLookup> {
  const candidates = findSerialCandidates(text);
  const best = candidates[0];
  if (!best) return { kind: 'no_serial' };
  for (const candidate of candidates) {
    const device = await registry.get(candidate.key);
    if (device) return { kind: 'found', device, candidate };
  }
  const near = new Map<string, { suggestion: SerialSuggestion; candidate: SerialCandidate; rank: number }>();
  for (const [rank, candidate] of candidates.entries()) {
    for (const suggestion of await registry.closest(candidate.key, suggestions)) {
      const seen = near.get(suggestion.serial);
      if (!seen || suggestion.distance < seen.suggestion.distance) near.set(suggestion.serial, { suggestion, candidate, rank });
    }
  }
  const ranked = [...near.values()].sort((a, b) => a.suggestion.distance - b.suggestion.distance || a.rank - b.rank);
  return {
    kind: 'unknown',
    candidate: ranked[0]?.candidate ?? best,
    suggestions: ranked.slice(0, suggestions).map((r) => r.suggestion),
  };
}
