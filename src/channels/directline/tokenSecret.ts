import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** The file in DATA_DIR holding the generated key (when DIRECT_LINE_TOKEN_SECRET is not set). */
export const TOKEN_SECRET_FILE = 'directline-token-secret';

/**
 * The key the embedded store's Direct Line tokens are signed with when DIRECT_LINE_TOKEN_SECRET is
 * not set: generated once (32 random bytes) and kept in DATA_DIR with mode 0600, so a restart keeps
 * every widget's token valid (its conversation survives too: the feeds are in DATA_DIR). `created`
 * says whether it was made now; `tightened` whether the file's mode had to be set back to 0600.
 */
export async function embeddedTokenSecret(dataDir: string): Promise<{ secret: string; file: string; created: boolean; tightened: boolean }> {
  await mkdir(dataDir, { recursive: true });
  const file = path.join(dataDir, TOKEN_SECRET_FILE);
  const fresh = randomBytes(32).toString('base64url');
  try {
    // Create-only: of two starts racing, one writes and both read the same key.
    await writeFile(file, `${fresh}\n`, { flag: 'wx', mode: 0o600 });
    return { secret: fresh, file, created: true, tightened: false };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const secret = (await readFile(file, 'utf8')).trim();
  if (secret.length < 32) {
    throw new Error(`embeddedTokenSecret(): ${file} holds no usable key (fewer than 32 characters); delete it to have a new one made (open widget chats then end)`);
  }
  let tightened = false;
  if (((await stat(file)).mode & 0o077) !== 0) {
    await chmod(file, 0o600);
    tightened = true;
  }
  return { secret, file, created: false, tightened };
}
