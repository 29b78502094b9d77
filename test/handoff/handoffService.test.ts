import { expect, test } from 'vitest';
import type { DeliveryEvent } from '../../src/domain/delivery/CustomerDeliveries.js';
import type { HandoffEvent } from '../../src/domain/handoff/Handoff.js';
import { HandoffNotFoundError, HandoffStateError, queueMessage } from '../../src/domain/handoff/HandoffService.js';
import { HangingMessenger } from '../delivery/fakes.js';
import { request, setup } from './fakes.js';

/** Queues customers a, b, c… one minute apart and returns their handoff ids. */
async function queue(ctx: ReturnType<typeof setup>, ...conversations: string[]): Promise<string[]> {
  const ids: string[] = [];
  for (const c of conversations) {
    const result = await ctx.service.request(request(c));
    if (result.kind !== 'queued') throw new Error(`expected queued, got ${result.kind}`);
    ids.push(result.handoff.id);
    ctx.clock.advance(1);
  }
  return ids;
}

test('requests queue in order with a position and a wait estimate of position × average minutes', async () => {
  const ctx = setup();
  const first = await ctx.service.request(request('a'));
  ctx.clock.advance(1);
  const second = await ctx.service.request(request('b'));
  expect(first).toMatchObject({ kind: 'queued', position: 1, estimatedWaitMinutes: 6, handoff: { id: 'H-000001', status: 'waiting' } });
  expect(second).toMatchObject({ kind: 'queued', position: 2, estimatedWaitMinutes: 12, handoff: { id: 'H-000002' } });
  if (first.kind !== 'queued') throw new Error('unreachable');
  expect(first.handoff.requestedAt).toBe('2024-03-04T09:00:00.000Z');
  expect(first.handoff.transcript.map((l) => l.text)).toEqual(['my DVR stopped recording', 'Is the disk light on?']);
  expect(await ctx.service.get('H-000001')).toEqual(first.handoff);
  expect(await ctx.service.position('H-000002')).toBe(2);
  // The bot tells the customer the result in its own reply: nothing proactive yet.
  expect(ctx.messenger.sent).toEqual([]);
});

test('a second request of the same conversation is "already", with the current position', async () => {
  const ctx = setup();
  await queue(ctx, 'a', 'b');
  const again = await ctx.service.request(request('b'));
  expect(again).toMatchObject({ kind: 'already', position: 2, handoff: { id: 'H-000002' } });
  expect(await ctx.service.list()).toHaveLength(2);
});

test('concurrent requests of one conversation make one handoff', async () => {
  const ctx = setup();
  const results = await Promise.all([ctx.service.request(request('a')), ctx.service.request(request('a')), ctx.service.request(request('a'))]);
  expect(results.map((r) => r.kind).sort()).toEqual(['already', 'already', 'queued']);
  expect(await ctx.service.list()).toHaveLength(1);
});

test('outside staffed hours nothing is queued and the next opening is given', async () => {
  const ctx = setup('Mon-Fri 08:00-18:00');
  ctx.clock.set('2024-03-08T18:30:00.000Z'); // Friday evening
  const result = await ctx.service.request(request('a'));
  expect(result).toEqual({ kind: 'closed_hours', nextOpening: new Date('2024-03-11T08:00:00.000Z') });
  expect(await ctx.service.list()).toEqual([]);
  expect(await ctx.service.openFor('webchat/a')).toBeNull();
});

test('accepting tells the customer who joined and everyone behind their new place and wait', async () => {
  const ctx = setup();
  const [a, b, c] = await queue(ctx, 'a', 'b', 'c');
  const accepted = await ctx.service.accept(a!, 'Dana');
  expect(accepted).toMatchObject({ status: 'active', agent: 'Dana', acceptedAt: '2024-03-04T09:03:00.000Z' });
  await ctx.settle();
  expect(ctx.messenger.to('a')).toEqual(['Dana from our support team has joined. You\'re now chatting with a person.']);
  expect(ctx.messenger.to('b')).toEqual([queueMessage(1, 6)]);
  expect(ctx.messenger.to('c')).toEqual([queueMessage(2, 12)]);
  expect(queueMessage(1, 6)).toBe("You're next in the queue. Estimated wait: about 6 minutes.");
  expect(queueMessage(2, 12)).toBe("You're now number 2 in the queue. Estimated wait: about 12 minutes.");
  expect(await ctx.service.position(a!)).toBeNull();
  expect(await ctx.service.position(b!)).toBe(1);
  expect(await ctx.service.position(c!)).toBe(2);
  expect((await ctx.service.list('active')).map((h) => h.id)).toEqual([a]);
  expect((await ctx.service.list('waiting')).map((h) => h.id)).toEqual([b, c]);
});

test('a customer cancelling the wait moves only those behind them up', async () => {
  const ctx = setup();
  const [a, b, c] = await queue(ctx, 'a', 'b', 'c');
  const cancelled = await ctx.service.cancel('webchat/b');
  expect(cancelled).toMatchObject({ id: b, status: 'closed', closedAt: '2024-03-04T09:03:00.000Z' });
  expect(cancelled?.transcript.at(-1)).toMatchObject({ from: 'bot', text: 'The customer cancelled the wait.' });
  await ctx.settle();
  expect(ctx.messenger.to('a')).toEqual([]);
  expect(ctx.messenger.to('b')).toEqual([]);
  expect(ctx.messenger.to('c')).toEqual([queueMessage(2, 12)]);
  expect(await ctx.service.position(a!)).toBe(1);
  expect(await ctx.service.position(c!)).toBe(2);
  expect(await ctx.service.openFor('webchat/b')).toBeNull();
  expect(await ctx.service.cancel('webchat/b')).toBeNull();
  expect(await ctx.service.cancel('webchat/nobody')).toBeNull();
});

test('after a cancel the conversation can ask again and joins at the back', async () => {
  const ctx = setup();
  await queue(ctx, 'a', 'b');
  await ctx.service.cancel('webchat/a');
  const again = await ctx.service.request(request('a'));
  expect(again).toMatchObject({ kind: 'queued', position: 2, handoff: { id: 'H-000003' } });
});

test('messages are relayed both ways and streamed', async () => {
  const ctx = setup();
  const [a] = await queue(ctx, 'a');
  const events: HandoffEvent[] = [];
  const stop = ctx.service.subscribe((e) => events.push(e), a);

  // While waiting, the customer's messages are kept for the agent.
  const waiting = await ctx.service.customerMessage('webchat/a', 'hello? anyone there');
  expect(waiting?.transcript.at(-1)).toMatchObject({ from: 'customer', text: 'hello? anyone there' });

  await ctx.service.accept(a!, 'Dana');
  const fromAgent = await ctx.service.agentMessage(a!, 'Dana', 'Hi, I can see your DVR stopped recording. Is the disk light on?');
  // Recorded at once, pending; delivered (and marked so, with an event) once the queue has sent it.
  expect(fromAgent.transcript.at(-1)).toMatchObject({ from: 'agent', agent: 'Dana', text: 'Hi, I can see your DVR stopped recording. Is the disk light on?', delivery: { state: 'pending' } });
  await ctx.settle();
  expect(ctx.messenger.to('a').at(-1)).toBe('Hi, I can see your DVR stopped recording. Is the disk light on?');
  const deliveryId = fromAgent.transcript.at(-1)?.delivery?.id;
  expect((await ctx.service.get(a!))?.transcript.at(-1)?.delivery).toEqual({ id: deliveryId, state: 'delivered' });

  const fromCustomer = await ctx.service.customerMessage('webchat/a', 'no, it is off');
  expect(fromCustomer?.transcript.at(-1)).toMatchObject({ from: 'customer', text: 'no, it is off' });
  // Another staff member may write too; the line records who.
  const other = await ctx.service.agentMessage(a!, 'Sam', 'Sam here, covering for Dana.');
  expect(other.transcript.at(-1)).toMatchObject({ from: 'agent', agent: 'Sam' });

  await ctx.settle();
  stop();
  await ctx.service.customerMessage('webchat/a', 'after unsubscribe');
  expect(events.map((e) => e.type)).toEqual(['message', 'accepted', 'message', 'delivered', 'message', 'message', 'delivered']);
  expect(events[2]).toEqual({ type: 'message', handoffId: a, line: fromAgent.transcript.at(-1) });
  expect(events[3]).toEqual({ type: 'delivered', handoffId: a, deliveryId });
  expect(await ctx.service.customerMessage('webchat/nobody', 'hi')).toBeNull();
});

test('subscribers to one handoff do not hear others; a global subscriber hears all; a throwing one is reported', async () => {
  const ctx = setup();
  const mine: string[] = [];
  const all: string[] = [];
  ctx.service.subscribe(() => {
    throw new Error('listener broke');
  });
  ctx.service.subscribe((e) => all.push(e.type));
  ctx.service.subscribe((e) => mine.push(e.type), 'H-000002');
  await queue(ctx, 'a', 'b');
  await ctx.service.accept('H-000001', 'Dana');
  expect(all).toEqual(['queued', 'queued', 'accepted']);
  expect(mine).toEqual(['queued']);
  expect(ctx.errors.map((e) => e.context)).toEqual(['listener of queued H-000001', 'listener of queued H-000002', 'listener of accepted H-000001']);
});

test('closing returns the customer to the bot with the note and ends the relay', async () => {
  const ctx = setup();
  const [a] = await queue(ctx, 'a');
  await ctx.service.accept(a!, 'Dana');
  const closed = await ctx.service.close(a!, 'Dana', 'Replace the disk; the warranty covers it.');
  expect(closed).toMatchObject({ status: 'closed', closedAt: '2024-03-04T09:01:00.000Z', agent: 'Dana' });
  expect(closed.transcript.at(-1)).toMatchObject({ from: 'agent', agent: 'Dana', text: 'Replace the disk; the warranty covers it.' });
  await ctx.settle();
  expect(ctx.messenger.to('a').at(-1)).toBe(
    "Dana has closed the chat and you're back with the support bot. Note from Dana: Replace the disk; the warranty covers it.",
  );
  expect(await ctx.service.openFor('webchat/a')).toBeNull();
  expect(await ctx.service.customerMessage('webchat/a', 'thanks')).toBeNull();
});

test('closing without a note, and closing a waiting handoff moves the queue', async () => {
  const ctx = setup();
  const [a, b] = await queue(ctx, 'a', 'b');
  await ctx.service.close(a!, 'Dana');
  await ctx.settle();
  expect(ctx.messenger.to('a')).toEqual(["Dana has closed the chat and you're back with the support bot."]);
  expect(ctx.messenger.to('b')).toEqual([queueMessage(1, 6)]);
  expect(await ctx.service.position(b!)).toBe(1);
});

test('toTicket opens a ticket with the transcript and records its id', async () => {
  const ctx = setup();
  const triage = { scope: 'in_scope', confidence: 0.9, intent: 'troubleshoot' } as never;
  const first = await ctx.service.request(request('a', { summary: 'DVR stopped recording', triage }));
  if (first.kind !== 'queued') throw new Error('expected queued');
  const id = first.handoff.id;
  await ctx.service.accept(id, 'Dana');
  await ctx.service.customerMessage('webchat/a', 'the disk light is off');
  const events: HandoffEvent[] = [];
  ctx.service.subscribe((e) => events.push(e));

  const { handoff, ticket } = await ctx.service.toTicket(id, 'Dana');
  expect(ticket.id).toBe('T-000001');
  expect(handoff.ticketId).toBe('T-000001');
  expect(handoff.status).toBe('active'); // converting does not end the chat
  expect(ctx.tickets.opened).toHaveLength(1);
  const call = ctx.tickets.opened[0]!;
  expect(call.by).toBe('staff:Dana');
  expect(call.draft).toMatchObject({
    customer: { channelId: 'webchat', userId: 'user-a' },
    summary: 'DVR stopped recording',
    triage,
    address: { conversation: { id: 'a' } },
  });
  expect(call.draft.transcript?.map((l) => `${l.from}: ${l.text}`)).toEqual([
    'customer: my DVR stopped recording',
    'bot: Is the disk light on?',
    'customer: the disk light is off',
  ]);
  await ctx.settle();
  expect(events).toEqual([{ type: 'ticket', handoffId: id, ticketId: 'T-000001' }]);
  expect(ctx.messenger.to('a').at(-1)).toBe("We've opened ticket T-000001 for this. You can ask me about its status any time.");

  await expect(ctx.service.toTicket(id, 'Dana')).rejects.toThrow(HandoffStateError);
  expect(ctx.tickets.opened).toHaveLength(1);
});

test('toTicket without a summary uses the first customer line; concurrent calls open one ticket', async () => {
  const ctx = setup();
  const [a] = await queue(ctx, 'a');
  const results = await Promise.allSettled([ctx.service.toTicket(a!, 'staff:Dana'), ctx.service.toTicket(a!, 'Sam')]);
  expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
  expect(ctx.tickets.opened).toHaveLength(1);
  expect(ctx.tickets.opened[0]?.draft.summary).toBe('my DVR stopped recording');
  expect(ctx.tickets.opened[0]?.by).toBe('staff:Dana');
});

test('wrong states are HandoffStateError with a clear message; unknown ids are HandoffNotFoundError', async () => {
  const ctx = setup();
  const [a, b] = await queue(ctx, 'a', 'b');
  await expect(ctx.service.agentMessage(a!, 'Dana', 'hi')).rejects.toThrow(
    /^HandoffService\.agentMessage\(\): handoff H-000001 is waiting, not active \(accept it first\)$/,
  );
  await ctx.service.accept(a!, 'Dana');
  await expect(ctx.service.accept(a!, 'Sam')).rejects.toThrow(/^HandoffService\.accept\(\): handoff H-000001 is active \(accepted by Dana\), not waiting$/);
  await ctx.service.close(b!, 'Dana');
  const error = await ctx.service.accept(b!, 'Sam').catch((e: unknown) => e);
  expect(error).toBeInstanceOf(HandoffStateError);
  expect(error).toMatchObject({ handoffId: b, status: 'closed', message: 'HandoffService.accept(): handoff H-000002 is closed, not waiting' });
  await expect(ctx.service.close(b!, 'Dana')).rejects.toThrow(/already closed/);
  await expect(ctx.service.agentMessage(b!, 'Dana', 'hi')).rejects.toThrow(HandoffStateError);

  for (const call of [
    () => ctx.service.accept('H-999999', 'Dana'),
    () => ctx.service.agentMessage('H-999999', 'Dana', 'hi'),
    () => ctx.service.close('H-999999', 'Dana'),
    () => ctx.service.toTicket('H-999999', 'Dana'),
  ]) {
    await expect(call()).rejects.toThrow(HandoffNotFoundError);
  }
  await expect(ctx.service.accept('H-999999', 'Dana')).rejects.toThrow('HandoffService.accept(): no handoff "H-999999"');
  expect(await ctx.service.get('H-999999')).toBeNull();
  expect(await ctx.service.position('H-999999')).toBeNull();
});

test('an unreachable customer: the action succeeds, the failure is recorded on the handoff and the line and streamed; a later delivery clears it', async () => {
  const ctx = setup();
  const [a, b] = await queue(ctx, 'a', 'b');
  ctx.messenger.failFor.add('a').add('b');
  const events: HandoffEvent[] = [];
  ctx.service.subscribe((e) => events.push(e));
  expect((await ctx.service.accept(a!, 'Dana')).status).toBe('active');
  const written = await ctx.service.agentMessage(a!, 'Dana', 'hello');
  expect(written.transcript.at(-1)).toMatchObject({ text: 'hello', delivery: { state: 'pending' } });
  expect(written.unreachable).toBeUndefined();

  await ctx.settle();
  const unreachable = { at: '2024-03-04T09:02:00.000Z', reason: 'unreachable: ECONNREFUSED' };
  const stored = await ctx.service.get(a!);
  expect(stored?.unreachable).toEqual(unreachable);
  expect(stored?.transcript.at(-1)).toMatchObject({ text: 'hello', delivery: { state: 'failed', reason: 'unreachable: ECONNREFUSED' } });
  expect((await ctx.service.get(b!))?.unreachable).toEqual(unreachable);
  const failed = events.filter((e) => e.type === 'delivery_failed');
  // "joined" and the agent's line for a, the queue notice for b.
  expect(failed.map((e) => e.handoffId).sort()).toEqual([a, a, b]);
  expect(failed.find((e) => e.deliveryId === written.transcript.at(-1)?.delivery?.id)).toEqual({ type: 'delivery_failed', handoffId: a, deliveryId: written.transcript.at(-1)?.delivery?.id, ...unreachable });
  expect(ctx.errors).toEqual([]);

  // The customer is back: the next message is delivered and clears the flag; the failed line stays marked.
  ctx.messenger.failFor.delete('a');
  const again = await ctx.service.agentMessage(a!, 'Dana', 'are you there?');
  await ctx.settle();
  const back = await ctx.service.get(a!);
  expect(back?.unreachable).toBeUndefined();
  expect(back?.transcript.slice(-2).map((l) => [l.text, l.delivery?.state])).toEqual([
    ['hello', 'failed'],
    ['are you there?', 'delivered'],
  ]);
  expect(events.at(-1)).toEqual({ type: 'delivered', handoffId: a, deliveryId: again.transcript.at(-1)?.delivery?.id });
  expect(ctx.messenger.to('a')).toEqual(['are you there?']);
});

test('30 waiting customers whose channel never answers: accept, agentMessage and close return before any delivery ends; then every failure is recorded and streamed', async () => {
  const channel = new HangingMessenger();
  const ctx = setup('24x7', 'UTC', { channel });
  const conversations = Array.from({ length: 30 }, (_, i) => `c${i + 1}`);
  const ids = await queue(ctx, ...conversations);
  const outcomes: DeliveryEvent[] = [];
  ctx.deliveries.subscribe((e) => {
    outcomes.push(e);
  });
  const events: HandoffEvent[] = [];
  ctx.service.subscribe((e) => events.push(e));

  // The channel never answers, so an action that waited for a delivery would never resolve.
  const accepted = await ctx.service.accept(ids[0]!, 'Dana');
  const written = await ctx.service.agentMessage(ids[0]!, 'Dana', 'Hi, Dana here.');
  const closed = await ctx.service.close(ids[1]!, 'Dana', 'Closing this one, sorry.');
  expect(outcomes).toEqual([]);
  expect(accepted.status).toBe('active');
  expect(written.transcript.at(-1)).toMatchObject({ text: 'Hi, Dana here.', delivery: { state: 'pending' } });
  expect(closed.status).toBe('closed');
  // Sending has started (one attempt per conversation at a time), and none has ended.
  expect(channel.calls.length).toBeGreaterThan(0);
  expect(new Set(channel.calls.map((c) => c.conversation)).size).toBe(channel.calls.length);

  await ctx.settle();
  // accept: "joined" + 29 queue notices; the agent's line; close: the closing message + 28 queue notices.
  const sent = 30 + 1 + 29;
  expect(outcomes).toHaveLength(sent);
  expect(outcomes.every((o) => o.type === 'failed' && o.attempts === 3 && o.reason === 'timed out after 10 s')).toBe(true);
  expect(channel.calls).toHaveLength(sent * 3);
  for (const id of ids) {
    expect((await ctx.service.get(id))?.unreachable, id).toEqual({ at: expect.any(String), reason: 'timed out after 10 s' });
  }
  const failed = events.filter((e) => e.type === 'delivery_failed');
  expect(new Set(failed.map((e) => e.handoffId))).toEqual(new Set(ids));
  expect((await ctx.service.get(ids[0]!))?.transcript.at(-1)).toMatchObject({ text: 'Hi, Dana here.', delivery: { state: 'failed', reason: 'timed out after 10 s' } });
});

test('an agent message to a handoff closed meanwhile is refused and not sent', async () => {
  const ctx = setup();
  const [a] = await queue(ctx, 'a');
  await ctx.service.accept(a!, 'Dana');
  await ctx.service.close(a!, 'Sam');
  await expect(ctx.service.agentMessage(a!, 'Dana', 'one more thing')).rejects.toThrow(HandoffStateError);
  await ctx.settle();
  expect(ctx.messenger.to('a')).not.toContain('one more thing');
  expect((await ctx.service.get(a!))?.transcript.some((l) => l.text === 'one more thing')).toBe(false);
});

test('with 24x7 hours a request on a Sunday night queues; the average handling time drives the estimate', async () => {
  const ctx = setup('24x7');
  ctx.clock.set('2024-03-10T03:00:00.000Z'); // Sunday night
  const result = await ctx.service.request(request('a'));
  expect(result).toMatchObject({ kind: 'queued', position: 1, estimatedWaitMinutes: 6 });
  expect(ctx.service.estimateMinutes(3)).toBe(18);
});

test('while an agent has the conversation, a new request is "already" at position 0, and the customer may leave', async () => {
  const ctx = setup();
  const [a] = await queue(ctx, 'a');
  await ctx.service.accept(a!, 'Dana');
  expect(await ctx.service.request(request('a'))).toMatchObject({ kind: 'already', position: 0, handoff: { id: a, status: 'active' } });
  expect(await ctx.service.openFor('webchat/a')).toMatchObject({ id: a, status: 'active' });
  const left = await ctx.service.cancel('webchat/a');
  expect(left).toMatchObject({ id: a, status: 'closed' });
  expect(left?.transcript.at(-1)).toMatchObject({ from: 'bot', text: 'The customer left the chat.' });
});
