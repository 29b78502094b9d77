/**
 * The staff token CLI's logic (src/cli/staff.ts runs it with the process's argv, env and streams;
 * tests call it in-process).
 *
 * On PostgreSQL the CLI writes to the database directly: the server reads tokens from the store
 * on every request (no cache), so a new token works at once and a revoked one stops at once. On
 * the embedded store, when DATA_DIR is locked by a running server, the CLI asks that server over
 * its admin socket (DATA_DIR/admin.sock) instead; with no server running it opens DATA_DIR itself.
 */
import { ConfigError, loadConfig, type Config } from '../config.js';
import { AuditLog } from '../domain/staff/AuditLog.js';
import { StaffTokens } from '../domain/staff/StaffTokens.js';
import { describeZodError } from '../knowledge/jsonl.js';
import { DataDirLockedError } from '../storage/LowdbDocumentStore.js';
import { openStores, type SupportStores } from '../storage/SupportStores.js';
import { AdminSocketUnavailableError, adminSocketPath, sendAdminCommand } from './adminSocket.js';
import { runStaffCommand, StaffCommandSchema, type StaffCommand, type StaffCommandResult } from './staffCommands.js';

export const STAFF_USAGE =
  'usage: npm run --silent staff -- create-token --name NAME [--display-name "SHOWN NAME"] | set-display-name --name NAME --display-name "SHOWN NAME" | revoke-token --name NAME | list-tokens';
const COMMANDS = ['create-token', 'set-display-name', 'revoke-token', 'list-tokens'];

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

class UsageError extends Error {}

/** Runs one staff command; resolves with the exit code (0 ok, 1 failed, 2 usage). */
export async function staffCli(argv: readonly string[], env: NodeJS.ProcessEnv, io: CliIo): Promise<number> {
  let command: StaffCommand;
  let config: Config;
  try {
    command = parseArgs(argv);
  } catch (err) {
    io.stderr(`${(err as Error).message}\n`);
    return 2;
  }
  try {
    config = loadConfig(env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    io.stderr(`${err.message}\n`);
    return 1;
  }
  let result: StaffCommandResult;
  try {
    result = await execute(command, config);
  } catch (err) {
    io.stderr(`${(err as Error).message.split('\n')[0]}\n`);
    return 1;
  }
  switch (result.kind) {
    case 'created':
      io.stdout(`${result.token}\n`);
      break;
    case 'revoked':
      io.stdout(`${JSON.stringify({ name: result.name, revoked: result.revoked })}\n`);
      break;
    case 'renamed':
      io.stdout(`${JSON.stringify({ name: result.name, displayName: result.displayName, tokens: result.tokens })}\n`);
      break;
    case 'tokens':
      io.stdout(result.tokens.map((t) => `${JSON.stringify(t)}\n`).join(''));
      break;
  }
  return 0;
}

/** On the store itself, or through the running server that holds DATA_DIR. */
async function execute(command: StaffCommand, config: Config): Promise<StaffCommandResult> {
  let stores: SupportStores;
  try {
    stores = await openStores(config);
  } catch (err) {
    if (!(err instanceof DataDirLockedError)) throw err;
    return throughServer(command, config, err);
  }
  try {
    return await runStaffCommand(command, { tokens: new StaffTokens(stores.staffTokens), audit: new AuditLog(stores.audit) });
  } finally {
    await stores.close();
  }
}

async function throughServer(command: StaffCommand, config: Config, locked: DataDirLockedError): Promise<StaffCommandResult> {
  const socketPath = adminSocketPath(config.dataDir);
  if (!socketPath) throw new Error(`staff: ${locked.message} Its admin socket path is too long to reach; stop the bot to run this command.`);
  let response;
  try {
    response = await sendAdminCommand(socketPath, command);
  } catch (err) {
    if (err instanceof AdminSocketUnavailableError) {
      throw new Error(`staff: ${locked.message} Its ${err.message}: a server older than the admin socket? Stop it to run this command.`);
    }
    throw err;
  }
  if (!response.ok) throw new Error(response.error);
  return response.result;
}

/** `COMMAND [--flag VALUE | --flag=VALUE]...` into an object for the schema. */
function parseArgs(argv: readonly string[]): StaffCommand {
  const [command, ...rest] = argv;
  const fields: Record<string, string> = {};
  for (let i = 0; i < rest.length; i += 1) {
    const arg = rest[i] ?? '';
    const match = /^--([a-z][a-z-]*)(?:=(.*))?$/.exec(arg);
    if (!match?.[1]) throw new UsageError(`staff: unexpected argument ${JSON.stringify(arg)}; ${STAFF_USAGE}`);
    const key = match[1];
    let value = match[2];
    if (value === undefined) {
      value = rest[i + 1];
      if (value === undefined || value.startsWith('--')) throw new UsageError(`staff: --${key} needs a value; ${STAFF_USAGE}`);
      i += 1;
    }
    if (key in fields) throw new UsageError(`staff: --${key} given twice`);
    fields[key] = value;
  }
  const parsed = StaffCommandSchema.safeParse({ command, ...fields });
  if (!parsed.success) {
    if (!command || !COMMANDS.includes(command)) throw new UsageError(`staff: unknown command ${JSON.stringify(command ?? '')}; ${STAFF_USAGE}`);
    throw new UsageError(`staff ${command}: ${describeZodError(parsed.error).replace(/Unrecognized key/, 'unknown option')}; ${STAFF_USAGE}`);
  }
  return parsed.data;
}
