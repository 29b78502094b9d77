import { expect, test } from 'vitest';
import type { Handoff } from '../../src/domain/handoff/Handoff.js';
import { HandoffStateError } from '../../src/domain/handoff/HandoffService.js';
import { HandoffAlreadyOpenError, type HandoffStore } from '../../src/domain/handoff/HandoffStore.js';
import { FixedClock, request, serviceOn } from './fakes.js';

/**
 * Two handles on one fresh, empty store: two instances of the bot sharing it (two stores on one
 * DocumentStore, or two pools on one PostgreSQL schema).
 */
export type HandoffStorePair = () => Promise<{ a: HandoffStore; b: HandoffStore }>;

export function handoff(id: string, overrides: Partial<Handoff> = {}): Handoff {
  return {
    id,
    status: 'waiting',
    reason: 'asked',
    customer: { channelId: 'webchat', userId: 'u1' },
    conversationKey: 'webchat/c1',
    address: { conversation: { id: 'c1' } },
    transcript: [],
    requestedAt: '2024-03-04T09:00:00.000Z',
    ...overrides,
  };
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** The behaviour every HandoffStore must have; run once per engine (memory, lowdb, PostgreSQL). */
export function handoffStoreContract(open: HandoffStorePair): void {
  test('a created handoff is read back; an unknown id is null; a taken id is refused and the first kept', async () => {
    const { a, b } = await open();
    await a.create(handoff('H-000001', { summary: 'no video' }));
    expect(await b.get('H-000001')).toEqual(handoff('H-000001', { summary: 'no video' }));
    expect(await a.get('H-000404')).toBeNull();
    await expect(b.create(handoff('H-000001', { conversationKey: 'webchat/other', reason: 'not_helping' }))).rejects.toThrow(/H-000001" already exists/);
    expect((await a.get('H-000001'))?.reason).toBe('asked');
  });

  test('numbers are unique across both handles under concurrency', async () => {
    const { a, b } = await open();
    const numbers = await Promise.all(range(30).map((i) => (i % 2 ? a : b).nextNumber()));
    expect(new Set(numbers).size).toBe(30);
    expect(numbers.every((n) => Number.isSafeInteger(n) && n > 0)).toBe(true);
  });

  test('one open handoff per conversation: a second is refused naming the first; closed ones do not count', async () => {
    const { a, b } = await open();
    await a.create(handoff('H-000001'));
    const refused = await b.create(handoff('H-000002')).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(HandoffAlreadyOpenError);
    expect((refused as HandoffAlreadyOpenError).open?.id).toBe('H-000001');
    expect((refused as HandoffAlreadyOpenError).conversationKey).toBe('webchat/c1');
    expect(await a.get('H-000002')).toBeNull();
    // An active handoff is open too.
    await a.update('H-000001', (h) => ({ ...h, status: 'active', agent: 'dana' }));
    await expect(b.create(handoff('H-000003'))).rejects.toBeInstanceOf(HandoffAlreadyOpenError);
    // A closed handoff may always be stored; once the open one closes, the conversation may ask again.
    await b.create(handoff('H-000004', { status: 'closed' }));
    await b.update('H-000001', (h) => ({ ...h, status: 'closed' }));
    expect(await a.findOpen('webchat/c1')).toBeNull();
    await b.create(handoff('H-000005'));
    expect((await a.findOpen('webchat/c1'))?.id).toBe('H-000005');
    // Other conversations are not affected.
    await a.create(handoff('H-000006', { conversationKey: 'webchat/c2' }));
    expect((await b.findOpen('webchat/c2'))?.id).toBe('H-000006');
    expect(await b.findOpen('webchat/unknown')).toBeNull();
  });

  test('30 conversations created twice at once on two handles: exactly one open handoff each', async () => {
    const { a, b } = await open();
    const results = await Promise.allSettled(
      range(30).flatMap((i) => [
        a.create(handoff(`H-${String(2 * i + 1).padStart(6, '0')}`, { conversationKey: `webchat/c${i}` })),
        b.create(handoff(`H-${String(2 * i + 2).padStart(6, '0')}`, { conversationKey: `webchat/c${i}` })),
      ]),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(30);
    const refusals = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    expect(refusals).toHaveLength(30);
    expect(refusals.every((e) => e instanceof HandoffAlreadyOpenError)).toBe(true);
    const waiting = await a.waiting();
    expect(waiting).toHaveLength(30);
    expect(new Set(waiting.map((h) => h.conversationKey)).size).toBe(30);
    for (const i of range(30)) {
      const winner = await b.findOpen(`webchat/c${i}`);
      expect(winner?.conversationKey).toBe(`webchat/c${i}`);
      // The refusal named the winner.
      const refusal = refusals.find((e) => e instanceof HandoffAlreadyOpenError && e.conversationKey === `webchat/c${i}`) as HandoffAlreadyOpenError | undefined;
      expect(refusal?.open?.id).toBe(winner?.id);
    }
  });

  test('concurrent updates on both handles are all kept; an unknown id is null; a throwing change writes nothing', async () => {
    const { a, b } = await open();
    await a.create(handoff('H-000001'));
    await Promise.all(range(8).map((i) => (i % 2 ? a : b).update('H-000001', (h) => ({ ...h, transcript: [...h.transcript, { at: 'x', from: 'customer', text: `m${i}` }] }))));
    expect((await a.get('H-000001'))?.transcript.map((l) => l.text).sort()).toEqual(range(8).map((i) => `m${i}`));
    expect(await b.update('H-000404', (h) => h)).toBeNull();
    await expect(
      a.update('H-000001', () => {
        throw new Error('not allowed');
      }),
    ).rejects.toThrow('not allowed');
    expect((await b.get('H-000001'))?.status).toBe('waiting');
  });

  test('two agents accepting at once on two handles: exactly one wins, the other sees it active', async () => {
    const { a, b } = await open();
    for (const round of range(10)) {
      const id = `H-${String(round + 1).padStart(6, '0')}`;
      await a.create(handoff(id, { conversationKey: `webchat/c${round}` }));
      const accept = (store: HandoffStore, agent: string) =>
        store.update(id, (h) => {
          if (h.status !== 'waiting') throw new Error(`${id} is ${h.status} (${h.agent ?? ''})`);
          return { ...h, status: 'active', agent };
        });
      const results = await Promise.allSettled([accept(a, 'dana'), accept(b, 'sam')]);
      const won = results.flatMap((r) => (r.status === 'fulfilled' && r.value ? [r.value.agent] : []));
      expect(won).toHaveLength(1);
      const lost = results.find((r) => r.status === 'rejected');
      expect(lost?.status === 'rejected' && (lost.reason as Error).message).toBe(`${id} is active (${won[0]})`);
      expect((await a.get(id))?.agent).toBe(won[0]);
    }
  });

  test('list and waiting(): oldest request first (then id), one status or all', async () => {
    const { a, b } = await open();
    await a.create(handoff('H-000003', { conversationKey: 'webchat/c3', requestedAt: '2024-03-04T09:02:00.000Z' }));
    await b.create(handoff('H-000001', { conversationKey: 'webchat/c1', requestedAt: '2024-03-04T09:05:00.000Z' }));
    await a.create(handoff('H-000002', { conversationKey: 'webchat/c2', requestedAt: '2024-03-04T09:02:00.000Z' }));
    await b.create(handoff('H-000004', { conversationKey: 'webchat/c4', requestedAt: '2024-03-04T08:00:00.000Z', status: 'active' }));
    await a.create(handoff('H-000005', { conversationKey: 'webchat/c5', requestedAt: '2024-03-04T07:00:00.000Z', status: 'closed' }));
    expect((await b.waiting()).map((h) => h.id)).toEqual(['H-000002', 'H-000003', 'H-000001']);
    expect((await a.list('waiting')).map((h) => h.id)).toEqual(['H-000002', 'H-000003', 'H-000001']);
    expect((await a.list('active')).map((h) => h.id)).toEqual(['H-000004']);
    expect((await b.list('closed')).map((h) => h.id)).toEqual(['H-000005']);
    expect((await a.list()).map((h) => h.id)).toEqual(['H-000005', 'H-000004', 'H-000002', 'H-000003', 'H-000001']);
    await a.update('H-000002', (h) => ({ ...h, status: 'active' }));
    expect((await b.waiting()).map((h) => h.id)).toEqual(['H-000003', 'H-000001']);
  });
}

/** Two HandoffService instances (two bot instances) on one store: the races the store must settle. */
export function handoffServiceRaces(open: HandoffStorePair): void {
  test('"talk to a person" sent to two instances at once for 30 conversations: one open handoff each', async () => {
    const { a, b } = await open();
    const clock = new FixedClock();
    const one = serviceOn(a, clock);
    const two = serviceOn(b, clock);
    const results = await Promise.all(range(30).flatMap((i) => [one.service.request(request(`c${i}`)), two.service.request(request(`c${i}`))]));
    for (const i of range(30)) {
      const pair = [results[2 * i], results[2 * i + 1]];
      expect(pair.map((r) => r?.kind).sort()).toEqual(['already', 'queued']);
      const ids = pair.map((r) => (r && 'handoff' in r ? r.handoff.id : null));
      expect(ids[0]).toBe(ids[1]);
    }
    const waiting = await one.service.list('waiting');
    expect(waiting).toHaveLength(30);
    expect(new Set(waiting.map((h) => h.conversationKey)).size).toBe(30);
    expect(await two.service.list()).toHaveLength(30);
    // Queue positions are one ordered query: 1…30, as both instances see them.
    const positions = await Promise.all(waiting.map((h) => two.service.position(h.id)));
    expect(positions).toEqual(range(30).map((i) => i + 1));
  });

  test('two agents accepting one handoff on two instances at once: one wins, the other gets HandoffStateError', async () => {
    const { a, b } = await open();
    const one = serviceOn(a);
    const two = serviceOn(b);
    const queued = await one.service.request(request('c1'));
    if (queued.kind !== 'queued') throw new Error(`expected queued, got ${queued.kind}`);
    const results = await Promise.allSettled([one.service.accept(queued.handoff.id, 'dana'), two.service.accept(queued.handoff.id, 'sam')]);
    const won = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value.agent] : []));
    expect(won).toHaveLength(1);
    const lost = results.find((r) => r.status === 'rejected');
    expect(lost?.status === 'rejected' ? lost.reason : null).toBeInstanceOf(HandoffStateError);
    expect((await two.service.get(queued.handoff.id))?.agent).toBe(won[0]);
  });
}
