/**
 * Staff API tokens, in the configured store (STORE, DATA_DIR / DATABASE_URL).
 *
 *   npm run --silent staff -- create-token --name NAME [--display-name "Dana Lee"]
 *                                                        prints the new token (once) on stdout
 *   npm run --silent staff -- set-display-name --name NAME --display-name "Dana Lee"
 *                                                        what customers see on NAME's messages
 *   npm run --silent staff -- revoke-token --name NAME   revokes every token of NAME
 *   npm run --silent staff -- list-tokens                one JSON line per token: name and dates
 *
 * Only a token's SHA-256 is stored: a lost token cannot be shown again, create a new one. Token
 * creation and revocation go to the audit log (actor "cli"). Errors are one line on stderr; exit 2
 * on a usage error, 1 when the store cannot be opened or nothing was revoked.
 * Works while the bot runs: on PostgreSQL directly, on the embedded store through the running
 * server's admin socket (DATA_DIR/admin.sock). The logic is in staffAdmin/staffCli.ts.
 */
import { staffCli } from '../staffAdmin/staffCli.js';
import { exitWith } from './loadTriage.js';

staffCli(process.argv.slice(2), process.env, {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
})
  .then((code) => {
    process.exitCode = code;
  })
  .catch(exitWith);
