import type { Activity } from 'botbuilder';
import { describe, expect, test } from 'vitest';
import { joined, newBotConversation, newClient, say as sayTo } from './helpers/dialogClient.js';

// DialogTestClient's customer: TestAdapter's default user.
const ME = { channelId: 'webchat', userId: 'user1' };
const SOMEONE_ELSE = { channelId: 'webchat', userId: 'user-2' };

function cardOrText(replies: Partial<Activity>[]): string {
  return replies
    .map((r) => {
      const card = r.attachments?.[0]?.content as { body?: Array<{ text?: string; facts?: Array<{ title: string; value: string }> }> } | undefined;
      return r.text ?? (card?.body ?? []).map((b) => b.text ?? (b.facts ?? []).map((f) => `${f.title}: ${f.value}`).join('\n')).join('\n');
    })
    .join('\n---\n');
}

describe('"what is the status of my ticket?"', () => {
  test('the customer sees their own ticket; another customer’s id gets the same answer as an unknown id', async () => {
    const { client, services } = await newClient();
    await services.tickets.open({ customer: ME, summary: 'dvr beeps every night' }, 'customer');
    await services.tickets.open({ customer: SOMEONE_ELSE, summary: 'someone else’s private problem' }, 'customer');
    await services.tickets.update('T-000001', { status: 'in_progress' }, 'staff:dana');
    await services.tickets.comment('T-000001', { text: 'A technician visits on Monday.', public: true }, 'staff:dana');

    const mine = cardOrText(await sayTo(client, 'what is the status of T-000001?'));
    expect(mine).toContain('Ticket T-000001');
    expect(mine).toContain('Status: in progress');
    expect(mine).toContain('Latest from our team: A technician visits on Monday.');

    const theirs = joined(await sayTo(client, 'status of ticket T-000002'));
    const unknown = joined(await sayTo(client, 'status of ticket T-000099'));
    expect(theirs).not.toContain('private');
    expect(theirs.replace('T-000002', 'ID')).toBe(unknown.replace('T-000099', 'ID'));
  });

  test('without a number: the customer’s only ticket is shown', async () => {
    const { client, services } = await newClient();
    await services.tickets.open({ customer: ME, summary: 'no video on channel 4' }, 'customer');
    expect(cardOrText(await sayTo(client, "any update on my ticket? it's been a while"))).toContain('no video on channel 4');
  });
});

describe('handoff to a person', () => {
  test('while handed off, messages go to the agent and back; closing returns the customer to the bot', async () => {
    const { say, services } = await newBotConversation();
    await say('forgot the admin password of my NVR, locked out');
    await say('talk to a person');
    const [waiting] = await services.handoffs.list('waiting');
    if (!waiting) throw new Error('no handoff queued');
    expect(waiting.transcript.some((l) => l.from === 'customer' && l.text.includes('forgot the admin password'))).toBe(true);

    // The first message while waiting is acknowledged (place in the queue, how to cancel); later ones go quietly to the agent.
    expect((await say('hello? anyone there')).map((r) => r.text ?? '').join('\n')).toMatch(/waiting for a person[\s\S]*cancel/i);
    await services.handoffs.accept(waiting.id, 'dana');
    await services.handoffs.agentMessage(waiting.id, 'dana', 'Hi, I am Dana. Which model is it?');
    expect(await say('It is the SL-NVR32')).toEqual([]);
    const during = await services.handoffs.get(waiting.id);
    expect(during?.transcript.map((l) => `${l.from}: ${l.text}`)).toEqual(expect.arrayContaining(['customer: hello? anyone there', 'agent: Hi, I am Dana. Which model is it?', 'customer: It is the SL-NVR32']));
    // Staff actions only enqueue the customer's messages: wait for the queue before reading what was sent.
    await services.deliveries.idle();
    expect(services.messenger.sent.map((m) => m.text).join('\n')).toMatch(/dana[\s\S]*joined[\s\S]*Which model is it\?/i);

    await services.handoffs.close(waiting.id, 'dana', 'Reset code sent by email.');
    await services.deliveries.idle();
    expect(services.messenger.sent.at(-1)?.text).toMatch(/back with the support bot\. Note from dana: Reset code sent by email\./);
    expect(joined(await say('my camera shows no video on channel 2'))).toMatch(/covered by our support/i);
  });

  test('the customer can cancel the wait; the request is closed', async () => {
    const { say, services } = await newBotConversation();
    await say('talk to a person');
    expect(joined(await say('cancel'))).toMatch(/cancelled the request for a person/);
    expect(await services.handoffs.list('waiting')).toEqual([]);
  });

  test('the Bot Framework handoff.initiate event carries the transcript', async () => {
    const { say, sayAll } = await newBotConversation();
    await say('forgot the admin password of my NVR, locked out');
    const all = await sayAll('talk to a person');
    const event = all.find((a) => a.type === 'event' && a.name === 'handoff.initiate');
    expect(event?.value).toMatchObject({ reason: 'asked', queuePosition: 1 });
    const transcript = event?.attachments?.find((a) => a.name === 'Transcript')?.content as { activities: Array<{ text: string }> } | undefined;
    expect(transcript?.activities.map((a) => a.text)).toContain('forgot the admin password of my NVR, locked out');
  });

  test('outside staffed hours a ticket is offered instead, and the request waits for the next shift', async () => {
    // 2026-03-02 is a Monday; the clock says 10:00 and staff work 14:00–18:00.
    const { say, services } = await newBotConversation({ staffedHours: 'Mon-Fri 14:00-18:00' });
    const replies = await say('talk to a person');
    // In the customer's terms (issue 10, item 10): relative, with the zone said when the channel gives none.
    expect(joined(replies)).toMatch(/nobody can join this chat right now; the next shift starts today at 14:00 UTC \(in about 4 hours\)/);
    expect(joined(replies)).toMatch(/Shall I open a ticket/);
    expect(await services.handoffs.list('waiting')).toEqual([]);
  });

  test('the bot failing to help twice offers a person without being asked; accepting queues the customer', async () => {
    const { say, services } = await newBotConversation();
    await say('forgot the admin password of my NVR, locked out');
    await say('No, still broken');
    await say('No thanks');
    await say('my camera shows no video on channel 2, black screen');
    const offer = await say('No, still broken');
    expect(await services.handoffs.list('waiting')).toEqual([]); // nobody is queued without accepting
    expect(joined(offer)).toMatch(/person/i);
    const replies = await say('yes please');
    expect(joined(replies)).toMatch(/number 1 in the queue/);
    expect((await services.handoffs.list('waiting'))[0]?.reason).toBe('not_helping');
  });

  test('strong negative sentiment brings in a person', async () => {
    const { say, services } = await newBotConversation();
    const replies = await say("this is the worst, useless support ever, I'm furious!!!");
    expect(joined(replies)).toMatch(/sorry this has been frustrating[\s\S]*queue/i);
    expect((await services.handoffs.list('waiting'))[0]?.reason).toBe('negative_sentiment');
  });
});
