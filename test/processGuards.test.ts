import { spawn } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, test } from 'vitest';
import { containProcessErrors, describeThrown } from '../src/processGuards.js';

const ROOT = path.resolve(import.meta.dirname, '..');

function runNode(script: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, env: { ...process.env, NODE_ENV: 'production' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const moduleUrl = (file: string) => JSON.stringify(pathToFileURL(path.join(ROOT, file)).href);

describe('containProcessErrors', () => {
  test('a process with the guards logs an unhandled rejection and an uncaught exception, and keeps running', async () => {
    const script = `
      import { containProcessErrors } from ${moduleUrl('src/processGuards.ts')};
      import { createLogger } from ${moduleUrl('src/logger.ts')};
      containProcessErrors(createLogger('info'));
      const err = new Error('boom');
      err.customer = 'my address is 1 Main Street';
      Promise.reject(err);
      Promise.reject('card 4111 1111 1111 1111');
      setTimeout(() => { throw new TypeError('kaboom'); }, 0);
      setTimeout(() => process.stdout.write('still alive\\n'), 0);
    `;
    const { code, stdout, stderr } = await runNode(script);
    expect(stderr).not.toMatch(/kaboom|boom/);
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines.at(-1)).toBe('still alive');
    const logs = lines.slice(0, -1).map((l) => JSON.parse(l) as { level: number; msg: string; err: { name: string; message: string; stack?: string } });
    // Which comes first, the rejections or the timer, is up to the event loop: compare by name.
    const byName = new Map(logs.map((l) => [l.err.name, l]));
    expect(logs).toHaveLength(3);
    expect(byName.get('Error')?.err).toMatchObject({ message: 'boom', stack: expect.stringMatching(/boom/) });
    expect(byName.get('NonError')?.err.message).toBe('a value of type string was thrown');
    expect(byName.get('TypeError')).toMatchObject({ level: 60, err: { message: 'kaboom' } });
    expect(stdout).not.toMatch(/Main Street|4111/);
  });

  test('without the guards the same rejection ends the process (what the guards prevent)', async () => {
    const { code } = await runNode(`Promise.reject(new Error('boom'));`);
    expect(code).not.toBe(0);
  });

  test('logs name, message and stack only, and the returned function removes both handlers', () => {
    const before = { rejection: process.listeners('unhandledRejection'), exception: process.listeners('uncaughtException') };
    const logged: Array<{ level: string; obj: unknown; msg: string }> = [];
    const logger = {
      error: (obj: unknown, msg: string) => logged.push({ level: 'error', obj, msg }),
      fatal: (obj: unknown, msg: string) => logged.push({ level: 'fatal', obj, msg }),
    };
    const remove = containProcessErrors(logger as unknown as Parameters<typeof containProcessErrors>[0]);
    const added = {
      rejection: process.listeners('unhandledRejection').filter((l) => !before.rejection.includes(l)),
      exception: process.listeners('uncaughtException').filter((l) => !before.exception.includes(l)),
    };
    expect(added.rejection).toHaveLength(1);
    expect(added.exception).toHaveLength(1);
    // Called directly: emitting on `process` would also reach the test runner's own handlers.
    const err = Object.assign(new RangeError('too deep'), { body: { text: 'customer words' } });
    added.rejection[0]?.(err, Promise.resolve());
    added.exception[0]?.(new Error('oops'), 'uncaughtException');
    expect(logged).toEqual([
      { level: 'error', obj: { err: { name: 'RangeError', message: 'too deep', stack: err.stack } }, msg: expect.stringMatching(/unhandled promise rejection/) },
      { level: 'fatal', obj: { err: expect.objectContaining({ name: 'Error', message: 'oops' }), origin: 'uncaughtException' }, msg: expect.stringMatching(/uncaught exception/) },
    ]);
    remove();
    expect(process.listeners('unhandledRejection')).toEqual(before.rejection);
    expect(process.listeners('uncaughtException')).toEqual(before.exception);
  });

  test('a thrown value that is not an Error is described by its type only', () => {
    expect(describeThrown({ text: 'secret' })).toEqual({ name: 'NonError', message: 'a value of type object was thrown' });
    expect(describeThrown(null)).toEqual({ name: 'NonError', message: 'a value of type null was thrown' });
  });
});
