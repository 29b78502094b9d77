/**
 * Staff API tokens, in the configured store (STORE, DATA_DIR / DATABASE_URL).
 *
 *   npm run --silent staff -- create-token --name NAME   prints the new token (once) on stdout
 *   npm run --silent staff -- revoke-token --name NAME   revokes every token of NAME
 *   npm run --silent staff -- list-tokens                one JSON line per token: name and dates
 *
 * Only a token's SHA-256 is stored: a lost token cannot be shown again, create a new one. Token
 * creation and revocation go to the audit log (actor "cli"). Errors are one line on stderr; exit 2
 * on a usage error, 1 when the store cannot be opened or nothing was revoked.
 * With the lowdb store, stop the bot first: one process owns a data directory.
 */
import { z } from 'zod';
import { loadConfig } from '../config.js';
import { AuditLog } from '../domain/staff/AuditLog.js';
import { StaffNameSchema, StaffTokens } from '../domain/staff/StaffTokens.js';
import { describeZodError } from '../knowledge/jsonl.js';
import { DocumentAuditStore } from '../storage/DocumentAuditStore.js';
import { DocumentStaffTokenStore } from '../storage/DocumentStaffTokenStore.js';
import { openStore } from '../storage/openStore.js';
import { exitWith } from './loadTriage.js';

const USAGE = 'usage: npm run --silent staff -- create-token --name NAME | revoke-token --name NAME | list-tokens';

const CommandSchema = z.discriminatedUnion('command', [
  z.object({ command: z.literal('create-token'), name: StaffNameSchema }).strict(),
  z.object({ command: z.literal('revoke-token'), name: StaffNameSchema }).strict(),
  z.object({ command: z.literal('list-tokens') }).strict(),
]);
type Command = z.infer<typeof CommandSchema>;

class UsageError extends Error {}

/** `COMMAND [--flag VALUE | --flag=VALUE]...` into an object for the schema. */
function parseArgs(argv: readonly string[]): Command {
  const [command, ...rest] = argv;
  const fields: Record<string, string> = {};
  for (let i = 0; i < rest.length; i += 1) {
    const arg = rest[i] ?? '';
    const match = /^--([a-z][a-z-]*)(?:=(.*))?$/.exec(arg);
    if (!match?.[1]) throw new UsageError(`staff: unexpected argument ${JSON.stringify(arg)}; ${USAGE}`);
    const key = match[1];
    let value = match[2];
    if (value === undefined) {
      value = rest[i + 1];
      if (value === undefined || value.startsWith('--')) throw new UsageError(`staff: --${key} needs a value; ${USAGE}`);
      i += 1;
    }
    if (key in fields) throw new UsageError(`staff: --${key} given twice`);
    fields[key] = value;
  }
  const parsed = CommandSchema.safeParse({ command, ...fields });
  if (!parsed.success) {
    const known = ['create-token', 'revoke-token', 'list-tokens'];
    if (!command || !known.includes(command)) throw new UsageError(`staff: unknown command ${JSON.stringify(command ?? '')}; ${USAGE}`);
    throw new UsageError(`staff ${command}: ${describeZodError(parsed.error).replace(/Unrecognized key/, 'unknown option')}; ${USAGE}`);
  }
  return parsed.data;
}

async function main(): Promise<void> {
  let command: Command;
  try {
    command = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(2);
  }
  const store = await openStore(loadConfig());
  try {
    const tokens = new StaffTokens(new DocumentStaffTokenStore(store));
    const audit = new AuditLog(new DocumentAuditStore(store));
    switch (command.command) {
      case 'create-token': {
        const token = await tokens.create(command.name);
        await audit.record({ actor: 'cli', action: 'token.create', target: command.name });
        process.stdout.write(`${token}\n`);
        break;
      }
      case 'revoke-token': {
        const revoked = await tokens.revoke(command.name);
        if (revoked === 0) throw new Error(`staff revoke-token: no live token named ${JSON.stringify(command.name)}`);
        await audit.record({ actor: 'cli', action: 'token.revoke', target: command.name, detail: { revoked } });
        process.stdout.write(`${JSON.stringify({ name: command.name, revoked })}\n`);
        break;
      }
      case 'list-tokens': {
        process.stdout.write((await tokens.list()).map((t) => `${JSON.stringify(t)}\n`).join(''));
        break;
      }
    }
  } finally {
    await store.close();
  }
}

main().catch(exitWith);
