import { expect, test } from 'vitest';
import type { HandoffEvent } from '../../src/domain/handoff/Handoff.js';
import { HandoffNotFoundError, HandoffStateError, queueMessage } from '../../src/domain/handoff/HandoffService.js';
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
  expect(fromAgent.transcript.at(-1)).toMatchObject({ from: 'agent', agent: 'Dana', text: 'Hi, I can see your DVR stopped recording. Is the disk light on?' });
  expect(ctx.messenger.to('a').at(-1)).toBe('Hi, I can see your DVR stopped recording. Is the disk light on?');

  const fromCustomer = await ctx.service.customerMessage('webchat/a', 'no, it is off');
  expect(fromCustomer?.transcript.at(-1)).toMatchObject({ from: 'customer', text: 'no, it is off' });
  // Another staff member may write too; the line records who.
  const other = await ctx.service.agentMessage(a!, 'Sam', 'Sam here, covering for Dana.');
  expect(other.transcript.at(-1)).toMatchObject({ from: 'agent', agent: 'Sam' });

  stop();
  await ctx.service.customerMessage('webchat/a', 'after unsubscribe');
  expect(events.map((e) => e.type)).toEqual(['message', 'accepted', 'message', 'message', 'message']);
  expect(events[2]).toEqual({ type: 'message', handoffId: a, line: fromAgent.transcript.at(-1) });
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

test('an unreachable customer does not fail the agent action; an undelivered agent message is not recorded', async () => {
  const ctx = setup();
  const [a, b] = await queue(ctx, 'a', 'b');
  ctx.messenger.failFor.add('a').add('b');
  const accepted = await ctx.service.accept(a!, 'Dana');
  expect(accepted.status).toBe('active');
  expect(ctx.errors.map((e) => e.context)).toEqual([
    `HandoffService: message for accept ${a} not delivered`,
    `HandoffService: message for queue update ${b} not delivered`,
  ]);
  await expect(ctx.service.agentMessage(a!, 'Dana', 'hello')).rejects.toThrow(/unreachable/);
  expect((await ctx.service.get(a!))?.transcript.some((l) => l.text === 'hello')).toBe(false);
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
