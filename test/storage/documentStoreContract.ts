import { expect, test } from 'vitest';
import { ETagConflictError, type DocumentStore } from '../../src/domain/ports/DocumentStore.js';

/** A store under test, and a way to get a fresh instance on the same data (a restart). */
export interface StoreFixture {
  open(): Promise<DocumentStore>;
}

/** The behaviour both DocumentStore implementations must have; run once per adapter. */
export function documentStoreContract(fixture: () => StoreFixture): void {
  test('a written document is read back, and survives closing and reopening the store', async () => {
    const f = fixture();
    const first = await f.open();
    const eTag = await first.write('tickets', 'T-1001', { status: 'open', notes: ['camera 3 no video'] });
    await first.close();
    const second = await f.open();
    const found = await second.read<{ status: string }>('tickets', ['T-1001', 'T-missing']);
    expect(found.get('T-1001')).toEqual({ value: { status: 'open', notes: ['camera 3 no video'] }, eTag });
    expect(found.has('T-missing')).toBe(false);
    await second.close();
  });

  test('a write carrying a stale eTag is rejected and the stored document is kept', async () => {
    const store = await fixture().open();
    const v1 = await store.write('conversation-state', 'c1', { step: 1 });
    const v2 = await store.write('conversation-state', 'c1', { step: 2 }, v1);
    expect(v2).not.toBe(v1);
    await expect(store.write('conversation-state', 'c1', { step: 'stale' }, v1)).rejects.toBeInstanceOf(ETagConflictError);
    expect((await store.read('conversation-state', ['c1'])).get('c1')?.value).toEqual({ step: 2 });
    // '*' and no eTag mean last writer wins, as in botbuilder's MemoryStorage.
    await store.write('conversation-state', 'c1', { step: 3 }, '*');
    await store.write('conversation-state', 'c1', { step: 4 });
    expect((await store.read('conversation-state', ['c1'])).get('c1')?.value).toEqual({ step: 4 });
    await store.close();
  });

  test('of concurrent writers holding the same eTag exactly one wins; writes to different documents all land', async () => {
    const store = await fixture().open();
    const base = await store.write('counters', 'shared', { n: 0 });
    const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => store.write('counters', 'shared', { n: i + 1 }, base)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    await Promise.all(Array.from({ length: 200 }, (_, i) => store.write('many', `doc-${i}`, { i })));
    const all = await store.list<{ i: number }>('many');
    expect(all.map((d) => d.value.i).sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    await store.close();
  });

  test('a create-only write (eTag null) is rejected when the document exists: of concurrent creators one wins', async () => {
    const store = await fixture().open();
    const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => store.write('sequences', 'tickets', { value: i }, null)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected').every((r) => r.reason instanceof ETagConflictError)).toBe(true);
    await store.close();
  });

  test('read-modify-write retried on conflict loses no increment under concurrency', async () => {
    const store = await fixture().open();
    await store.write('counters', 'visits', { n: 0 });
    const increment = async (): Promise<void> => {
      for (;;) {
        const doc = (await store.read<{ n: number }>('counters', ['visits'])).get('visits');
        if (!doc) throw new Error('missing');
        try {
          await store.write('counters', 'visits', { n: doc.value.n + 1 }, doc.eTag);
          return;
        } catch (err) {
          if (!(err instanceof ETagConflictError)) throw err;
        }
      }
    };
    await Promise.all(Array.from({ length: 25 }, increment));
    expect((await store.read<{ n: number }>('counters', ['visits'])).get('visits')?.value.n).toBe(25);
    await store.close();
  });

  test('delete removes documents; expireIdle removes only documents idle since the cut-off', async () => {
    const store = await fixture().open();
    await store.write('conversation-state', 'old', { x: 1 });
    await store.write('conversation-state', 'gone', { x: 1 });
    await store.delete('conversation-state', ['gone', 'never-existed']);
    await new Promise((r) => setTimeout(r, 30));
    const cutOff = new Date();
    await new Promise((r) => setTimeout(r, 30));
    await store.write('conversation-state', 'fresh', { x: 2 });
    expect(await store.expireIdle('conversation-state', cutOff)).toBe(1);
    expect([...(await store.read('conversation-state', ['old', 'gone', 'fresh'])).keys()]).toEqual(['fresh']);
    expect(await store.expireIdle('empty-collection', new Date())).toBe(0);
    await store.close();
  });

  test('ids with slashes, unicode and long keys are kept apart', async () => {
    const store = await fixture().open();
    const ids = ['webchat/conversations/a/b/', 'webchat/conversations/a/b', 'slack/users/üser 1/', 'x'.repeat(500)];
    await Promise.all(ids.map((id, i) => store.write('bot-state', id, { i })));
    const found = await store.read<{ i: number }>('bot-state', ids);
    expect(ids.map((id) => found.get(id)?.value.i)).toEqual([0, 1, 2, 3]);
    await store.close();
  });
}
