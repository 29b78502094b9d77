/**
 * The Teams app package to upload (Teams admin centre, or Apps → Manage your apps → Upload):
 *
 *   MicrosoftAppId=<the Azure Bot's app id> npm run --silent teams:package
 *
 * Reads appPackage/manifest.json, fills `${{MICROSOFT_APP_ID}}`, generates the two icons and writes
 * dist/teams-app.zip (the path is printed on stdout). Exit 1 with one line on stderr when the app
 * id is missing or not a GUID.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError, loadTeamsPackageConfig } from '../config.js';
import { teamsAppFiles, zip } from '../channels/teams/appPackage.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..', ...(path.basename(path.resolve(import.meta.dirname, '..', '..')) === 'dist' ? ['..'] : []));

async function main(): Promise<void> {
  let appId: string;
  let vendorName: string;
  try {
    ({ appId, vendorName } = loadTeamsPackageConfig());
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`teams:package: ${err.message}\n`);
    process.exit(1);
  }
  const template = await readFile(path.join(ROOT, 'appPackage', 'manifest.json'), 'utf8');
  const out = path.join(ROOT, 'dist', 'teams-app.zip');
  await mkdir(path.dirname(out), { recursive: true });
  await writeFile(out, zip(teamsAppFiles(template, appId, vendorName)));
  process.stdout.write(`${path.relative(process.cwd(), out) || out}\n`);
}

main().catch((err: Error) => {
  process.stderr.write(`teams:package: ${err.message}\n`);
  process.exit(1);
});
