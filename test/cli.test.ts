import path from 'node:path';
import { expect, test } from 'vitest';
import { ROOT, runCli } from './helpers/runCli.js';



test('classify: one JSON line out per line in, in order; a bad line gets an error and the rest still run', async () => {
  const input = ['{"text":"my dvr stopped recording"}', 'not json', '{"text":""}', '{"nope":1}', '{"text":"can you fix my netgear router settings"}'].join('\n');
  const { code, stdout } = await runCli('classify.ts', [], { stdin: `${input}\n` });
  expect(code).toBe(0);
  const lines = stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(lines).toHaveLength(5);
  expect(lines[0]).toMatchObject({ text: 'my dvr stopped recording', scope: 'in_scope', clause: null });
  expect(Object.keys(lines[0] ?? {})).toEqual(['text', 'scope', 'clause', 'intent', 'confidence']);
  expect(lines[1]).toHaveProperty('error');
  expect(String(lines[1]?.error)).toMatch(/line 2/);
  expect(lines[2]).toHaveProperty('error');
  expect(lines[3]).toHaveProperty('error');
  expect(lines[4]).toMatchObject({ scope: 'out_of_scope', clause: 'third_party_equipment' });
});

test('eval: prints accuracy, out-of-scope recall, per-label figures and a confusion matrix', async () => {
  const { code, stdout } = await runCli('eval.ts', [path.join(ROOT, 'test', 'heldout.jsonl')], { stdin: '' });
  expect(code).toBe(0);
  expect(stdout).toMatch(/scope accuracy\s+\d+\.\d%/);
  expect(stdout).toMatch(/out-of-scope recall\s+\d+\.\d%/);
  expect(stdout).toMatch(/precision\s+recall/);
  expect(stdout).toMatch(/confusion/);
});

test('eval: a missing file is one clear error and a non-zero exit', async () => {
  const { code, stderr } = await runCli('eval.ts', ['/nonexistent.jsonl'], { stdin: '' });
  expect(code).not.toBe(0);
  expect(stderr).toMatch(/cannot read \/nonexistent\.jsonl/);
});

test('eval --cv K: cross-validation on the training files, each message judged by models that never saw it', async () => {
  const { code, stdout } = await runCli('eval.ts', ['--cv', '5', '--json']);
  expect(code).toBe(0);
  const report = JSON.parse(stdout) as { examples: number; scopeAccuracy: number };
  expect(report.examples).toBeGreaterThanOrEqual(1000);
  // Well above chance (the largest class is ~40%), and below the held-out figure: these are the hard cases.
  expect(report.scopeAccuracy).toBeGreaterThan(0.75);
  const bad = await runCli('eval.ts', ['--cv', '1']);
  expect(bad.code).toBe(1);
  expect(bad.stderr).toMatch(/usage/);
});
