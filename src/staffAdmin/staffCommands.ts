import { z } from 'zod';
import type { AuditLog } from '../domain/staff/AuditLog.js';
import { StaffDisplayNameSchema, StaffNameSchema, type StaffTokens } from '../domain/staff/StaffTokens.js';

/** What the staff CLI (and the admin socket on its behalf) can do with tokens. */
export const StaffCommandSchema = z.discriminatedUnion('command', [
  z.strictObject({ command: z.literal('create-token'), name: StaffNameSchema, 'display-name': StaffDisplayNameSchema.optional() }),
  /** What customers see on the agent's messages, on every live token of the name. */
  z.strictObject({ command: z.literal('set-display-name'), name: StaffNameSchema, 'display-name': StaffDisplayNameSchema }),
  z.strictObject({ command: z.literal('revoke-token'), name: StaffNameSchema }),
  z.strictObject({ command: z.literal('list-tokens') }),
]);
export type StaffCommand = z.infer<typeof StaffCommandSchema>;

const StaffTokenInfoSchema = z.strictObject({ name: z.string(), displayName: z.string().optional(), createdAt: z.string(), revokedAt: z.string().optional() });

export const StaffCommandResultSchema = z.discriminatedUnion('kind', [
  /** The token in plain text: shown this once, never stored. */
  z.strictObject({ kind: z.literal('created'), name: z.string(), token: z.string() }),
  z.strictObject({ kind: z.literal('revoked'), name: z.string(), revoked: z.number().int().positive() }),
  z.strictObject({ kind: z.literal('renamed'), name: z.string(), displayName: z.string(), tokens: z.number().int().positive() }),
  z.strictObject({ kind: z.literal('tokens'), tokens: z.array(StaffTokenInfoSchema) }),
]);
export type StaffCommandResult = z.infer<typeof StaffCommandResultSchema>;

/** `revoke-token` for a name with no live token (the CLI exits 1). */
export class NoLiveTokenError extends Error {
  constructor(
    readonly staffName: string,
    command = 'revoke-token',
  ) {
    super(`staff ${command}: no live token named ${JSON.stringify(staffName)}`);
    this.name = 'NoLiveTokenError';
  }
}

/**
 * Runs one command on the token store and records creation and revocation in the audit log
 * (actor "cli": a person with access to the server's configuration or data directory). Used by
 * the CLI on a store it opened itself, and by a running server's admin socket.
 */
export async function runStaffCommand(command: StaffCommand, deps: { tokens: Pick<StaffTokens, 'create' | 'revoke' | 'list' | 'setDisplayName'>; audit: Pick<AuditLog, 'record'> }, detail?: Record<string, unknown>): Promise<StaffCommandResult> {
  switch (command.command) {
    case 'create-token': {
      const displayName = command['display-name'];
      const token = await deps.tokens.create(command.name, displayName);
      await deps.audit.record({ actor: 'cli', action: 'token.create', target: command.name, ...(detail || displayName ? { detail: { ...detail, ...(displayName ? { displayName } : {}) } } : {}) });
      return { kind: 'created', name: command.name, token };
    }
    case 'set-display-name': {
      const displayName = command['display-name'];
      const changed = await deps.tokens.setDisplayName(command.name, displayName);
      if (changed === 0) throw new NoLiveTokenError(command.name, 'set-display-name');
      await deps.audit.record({ actor: 'cli', action: 'token.display_name', target: command.name, detail: { displayName, tokens: changed, ...detail } });
      return { kind: 'renamed', name: command.name, displayName, tokens: changed };
    }
    case 'revoke-token': {
      const revoked = await deps.tokens.revoke(command.name);
      if (revoked === 0) throw new NoLiveTokenError(command.name);
      await deps.audit.record({ actor: 'cli', action: 'token.revoke', target: command.name, detail: { revoked, ...detail } });
      return { kind: 'revoked', name: command.name, revoked };
    }
    case 'list-tokens':
      return { kind: 'tokens', tokens: await deps.tokens.list() };
  }
}
