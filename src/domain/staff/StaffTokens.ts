import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';

/** What is stored for one token: never the token itself, only its SHA-256 (the document id). */
export interface StaffTokenRecord {
  name: string;
  /** What customers see on the agent's messages ("Dana Lee"); the name when absent. */
  displayName?: string;
  createdAt: string;
  revokedAt?: string;
}

/** The staff tokens port the domain owns; implemented on the DocumentStore. */
export interface StaffTokenStore {
  /** Stores a new token record under its hash; rejects if the hash exists (create-only). */
  create(hash: string, record: StaffTokenRecord): Promise<void>;
  get(hash: string): Promise<StaffTokenRecord | null>;
  /** Replaces the record stored under `hash` (revocation). */
  put(hash: string, record: StaffTokenRecord): Promise<void>;
  all(): Promise<Array<{ hash: string; record: StaffTokenRecord }>>;
}

/** A staff member's name as it appears in tickets ("staff:dana") and the audit log. */
export const StaffNameSchema = z
  .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') })
  .regex(/^[a-z0-9][a-z0-9._-]{1,39}$/i, 'must be 2–40 characters: letters, digits, ".", "_" or "-", starting with a letter or digit');

/** The agent's name as customers see it: plain text, one line, 1–60 characters. */
export const StaffDisplayNameSchema = z
  .string({ error: 'must be a string' })
  .trim()
  .min(1, 'must not be empty')
  .max(60, 'must be at most 60 characters')
  .regex(/^[^\p{Cc}\p{Cf}<>]+$/u, 'must be plain text on one line (no control characters or < >)');

/** Every token starts with this, so a leaked one is recognisable (secret scanners, logs). */
export const STAFF_TOKEN_PREFIX = 'cst_';
/** 32 random bytes in base64url are 43 characters. */
const TOKEN_SHAPE = /^cst_[A-Za-z0-9_-]{43}$/;

/** The SHA-256 of a token in hex: the only form a token is stored in. */
export function hashStaffToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export interface StaffTokenInfo {
  name: string;
  displayName?: string;
  createdAt: string;
  revokedAt?: string;
}

/**
 * Bearer tokens for the staff API. A token is shown once, when it is created; only its hash is
 * kept, so the store (or a backup of it) cannot be used to sign in. Lookup is by hash, so no
 * constant-time comparison is needed: nothing about the stored hashes leaks through timing.
 */
export class StaffTokens {
  constructor(
    private readonly store: StaffTokenStore,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * Creates a token for `name` and returns its plaintext: the only time it is ever available.
   * `displayName` is what customers see on the agent's messages; without it, the display name of
   * the staff member's other live tokens (if any), else the name.
   */
  async create(name: string, displayName?: string): Promise<string> {
    const parsed = StaffNameSchema.safeParse(name);
    if (!parsed.success) throw new StaffNameError(name, parsed.error.issues[0]?.message ?? 'invalid');
    const shown = displayName === undefined ? await this.displayNameOf(parsed.data) : parseDisplayName(displayName);
    const token = `${STAFF_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
    await this.store.create(hashStaffToken(token), { name: parsed.data, ...(shown ? { displayName: shown } : {}), createdAt: this.now().toISOString() });
    return token;
  }

  /** The staff member a token belongs to, or null when it is malformed, unknown or revoked. */
  async verify(token: string | undefined | null): Promise<{ name: string; displayName?: string } | null> {
    if (typeof token !== 'string' || !TOKEN_SHAPE.test(token)) return null;
    const record = await this.store.get(hashStaffToken(token));
    if (!record || record.revokedAt) return null;
    return { name: record.name, ...(record.displayName ? { displayName: record.displayName } : {}) };
  }

  /** Sets the display name on every live token of `name`; resolves with how many tokens changed. */
  async setDisplayName(name: string, displayName: string): Promise<number> {
    const shown = parseDisplayName(displayName);
    let changed = 0;
    for (const { hash, record } of await this.store.all()) {
      if (record.name !== name || record.revokedAt) continue;
      await this.store.put(hash, { ...record, displayName: shown });
      changed += 1;
    }
    return changed;
  }

  /** The display name a staff member's live tokens carry, if any. */
  private async displayNameOf(name: string): Promise<string | undefined> {
    return (await this.store.all()).find(({ record }) => record.name === name && !record.revokedAt && record.displayName)?.record.displayName;
  }

  /** Revokes every live token of `name`; resolves with how many were revoked. */
  async revoke(name: string): Promise<number> {
    const at = this.now().toISOString();
    let revoked = 0;
    for (const { hash, record } of await this.store.all()) {
      if (record.name !== name || record.revokedAt) continue;
      await this.store.put(hash, { ...record, revokedAt: at });
      revoked += 1;
    }
    return revoked;
  }

  /** Names and dates only, oldest first; never hashes or tokens. */
  async list(): Promise<StaffTokenInfo[]> {
    return (await this.store.all())
      .map(({ record }) => ({ name: record.name, ...(record.displayName ? { displayName: record.displayName } : {}), createdAt: record.createdAt, ...(record.revokedAt ? { revokedAt: record.revokedAt } : {}) }))
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.name.localeCompare(b.name));
  }
}

function parseDisplayName(displayName: string): string {
  const parsed = StaffDisplayNameSchema.safeParse(displayName);
  if (!parsed.success) throw new StaffDisplayNameError(displayName, parsed.error.issues[0]?.message ?? 'invalid');
  return parsed.data;
}

export class StaffDisplayNameError extends Error {
  constructor(
    readonly displayName: string,
    reason: string,
  ) {
    super(`StaffTokens: display name ${JSON.stringify(displayName.slice(0, 80))} ${reason}`);
    this.name = 'StaffDisplayNameError';
  }
}

export class StaffNameError extends Error {
  constructor(
    readonly staffName: string,
    reason: string,
  ) {
    super(`StaffTokens.create(): name ${JSON.stringify(staffName)} ${reason}`);
    this.name = 'StaffNameError';
  }
}
