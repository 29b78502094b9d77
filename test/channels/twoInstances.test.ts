import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { PgDatabase } from '../../src/storage/postgres/PgDatabase.js';
import { postgresStores, type SupportStores } from '../../src/storage/SupportStores.js';
import { freshSchema, pgUrl, postgresAvailable } from '../helpers/postgres.js';
import { botMessages, call, openEventStream, openStream, poll, say, startConversation } from './clients.js';
import { startWidgetApp } from './widgetApp.js';

/**
 * Two instances on one PostgreSQL database (two pools, two buses, two desks, two HTTP servers),
 * with no sticky sessions: a visitor and an agent switch instance request by request.
 */
const available = await postgresAvailable('two instances on one PostgreSQL database');

describe.skipIf(!available)('two instances on PostgreSQL', () => {
  let a: Awaited<ReturnType<typeof startWidgetApp>>;
  let b: Awaited<ReturnType<typeof startWidgetApp>>;
  const stores: SupportStores[] = [];

  beforeAll(async () => {
    const schema = freshSchema();
    for (let i = 0; i < 2; i += 1) stores.push(await postgresStores(await PgDatabase.open(pgUrl, { schema, max: 5 })));
    a = await startWidgetApp({ stores: stores[0]! });
    b = await startWidgetApp({ stores: stores[1]! });
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await Promise.all([a?.desk.deliveries.drain(1_000), b?.desk.deliveries.drain(1_000)]);
    await Promise.all(stores.map((s) => s.close()));
  });

  test('a widget conversation: token from A, post on B, stream on A', async () => {
    const conversation = await startConversation(a.base);
    const stream = await openStream(conversation.streamUrl);
    try {
      const welcome = await stream.until((all) => botMessages(all).length > 0);
      // The post lands on B: B checks A's token, runs the turn, and A's stream hears of it.
      const id = await say(b.base, conversation, 'my dvr stopped recording, hdd error on screen');
      const all = await stream.until((acts) => acts.some((x) => x.replyToId === id && x.from.role === 'bot'));
      const after = all.slice(welcome.length);
      expect(after[0]).toMatchObject({ id, type: 'message', from: { id: conversation.userId, role: 'user' } });
      expect(botMessages(after).map((x) => x.text).join('\n')).toMatch(/covered by our support/);
      // Polling either instance reads the same feed.
      const [onA, onB] = [await poll(a.base, conversation), await poll(b.base, conversation)];
      expect(onB).toEqual(onA);
      // The turn may have sent more than the first reply by now: the stream delivers the same feed, in order.
      const streamed = await stream.until((acts) => acts.length >= onA.activities.length);
      expect(onA.activities.map((x) => x.id)).toEqual(streamed.map((x) => x.id));
      expect(streamed.slice(0, all.length).map((x) => x.id)).toEqual(all.map((x) => x.id));
      // Reconnecting (after its instance went away) works on the other one with the same token.
      const reconnect = await call(b.base, 'GET', `/v3/directline/conversations/${conversation.id}?watermark=${onA.watermark}`, conversation.token);
      expect(reconnect.status).toBe(200);
      expect(reconnect.body.streamUrl).toContain(b.base.replace('http://', 'ws://'));
    } finally {
      await stream.close();
    }
  });

  test('a handoff requested and accepted on B is seen live by a console stream on A', async () => {
    const queue = await openEventStream(a.base, '/api/handoffs/events', a.staffToken);
    try {
      await queue.until((events) => events.some((e) => e.event === 'snapshot'));
      const conversation = await startConversation(b.base);
      await say(b.base, conversation, 'my nvr shows no video on channel 3');
      await say(b.base, conversation, 'talk to a person');
      const queued = await queue.until((events) => events.some((e) => e.event === 'queued'));
      const handoff = queued.find((e) => e.event === 'queued')?.data.handoff as { id: string; conversationKey: string };
      expect(handoff.conversationKey).toBe(`webchat/${conversation.id}`);

      // The agent on A watches the handoff; the accept and the customer's reply happen on B.
      const one = await openEventStream(a.base, `/api/handoffs/${handoff.id}/events`, a.staffToken);
      try {
        await one.until((events) => events.some((e) => e.event === 'snapshot'));
        expect((await call(b.base, 'POST', `/api/handoffs/${handoff.id}/accept`, b.staffToken)).status).toBe(200);
        await queue.until((events) => events.some((e) => e.event === 'accepted' && (e.data.handoff as { id: string }).id === handoff.id));
        await say(b.base, conversation, 'it is the SL-NVR32');
        const seen = await one.until((events) => events.some((e) => e.event === 'message'));
        expect(seen.map((e) => e.event)).toEqual(['snapshot', 'accepted', 'message']);
        expect(seen.at(-1)?.data).toMatchObject({ handoffId: handoff.id, line: { from: 'customer', text: 'it is the SL-NVR32' } });
        // Every event carries an id; they grow.
        const ids = seen.map((e) => Number(e.id?.split('.')[1]));
        expect(ids).toEqual([...ids].sort((x, y) => x - y));
      } finally {
        await one.close();
      }
    } finally {
      await queue.close();
    }
  });

  test('a console that reconnects with Last-Event-ID gets what it missed (from the other instance), without a snapshot', async () => {
    const conversation = await startConversation(a.base);
    await say(a.base, conversation, 'talk to a person');
    const { items } = (await call(a.base, 'GET', '/api/handoffs?status=waiting', a.staffToken)).body as { items: Array<{ id: string; conversationKey: string }> };
    const handoff = items.find((h) => h.conversationKey === `webchat/${conversation.id}`);
    expect(handoff).toBeDefined();
    const path = `/api/handoffs/${handoff!.id}/events`;

    const first = await openEventStream(a.base, path, a.staffToken);
    const [snapshot] = await first.until((events) => events.length > 0);
    await first.close();
    expect(snapshot?.event).toBe('snapshot');
    expect(snapshot?.id).toMatch(/^[A-Za-z0-9_-]+\.\d+$/);

    // While it is away: an accept and an agent line, on B.
    expect((await call(b.base, 'POST', `/api/handoffs/${handoff!.id}/accept`, b.staffToken)).status).toBe(200);
    expect((await call(b.base, 'POST', `/api/handoffs/${handoff!.id}/messages`, b.staffToken, { text: 'Back in a second.' })).status).toBe(201);

    const resumed = await openEventStream(a.base, path, a.staffToken, { 'last-event-id': snapshot!.id! });
    try {
      const missed = await resumed.until((events) => events.some((e) => e.event === 'message'));
      expect(missed.map((e) => e.event).slice(0, 2)).toEqual(['accepted', 'message']);
      expect(missed[1]?.data).toMatchObject({ line: { from: 'agent', text: 'Back in a second.' } });
    } finally {
      await resumed.close();
    }

    // An id it cannot resume from (another epoch, or pruned): a fresh snapshot instead.
    const stale = await openEventStream(a.base, path, a.staffToken, { 'last-event-id': 'elsewhere.1' });
    try {
      const [again] = await stale.until((events) => events.length > 0);
      expect(again?.event).toBe('snapshot');
      expect(again?.data.handoff).toMatchObject({ id: handoff!.id, status: 'active' });
    } finally {
      await stale.close();
    }
  });
});
