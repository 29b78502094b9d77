import type { Activity } from 'botbuilder';
import { describe, expect, test } from 'vitest';
import { buttons, joined, newBotConversation, newClient, say } from '../helpers/dialogClient.js';

// DialogTestClient's customer: TestAdapter's default user.
const ME = { channelId: 'webchat', userId: 'user1' };
const PROBLEM = 'forgot the admin password of my NVR, locked out';
const OFFER = /open a ticket for our support team, or talk to a person/;

/** Text of every reply, cards included (a ticket's status is a card on Web Chat). */
function everything(replies: Partial<Activity>[]): string {
  return replies.map((r) => `${r.text ?? ''}\n${JSON.stringify(r.attachments ?? [])}`).join('\n---\n');
}

/** A guide has been shown and "Did that fix it?" is open. */
async function atDidThatFixIt() {
  const conversation = await newClient();
  const guide = await say(conversation.client, PROBLEM);
  expect(joined(guide)).toMatch(/Did that fix it\?/);
  return conversation;
}

/** "Did that fix it?" was answered no: the ticket / person offer is open. */
async function atTicketOffer() {
  const conversation = await atDidThatFixIt();
  const offer = await say(conversation.client, 'No, still broken');
  expect(joined(offer)).toMatch(OFFER);
  return conversation;
}

describe('plain answers at choice prompts', () => {
  test('"not now, maybe later" at the ticket / person offer closes politely instead of "Please choose"', async () => {
    const { client, services } = await atTicketOffer();
    const replies = await say(client, 'not now, maybe later');
    // Declined once, then the main dialog's "anything else?", not two invitations in a row.
    expect(joined(replies)).toMatch(/^All right\.\n---\nIs there anything else I can help you with\?$/);
    expect(joined(replies)).not.toMatch(/Please choose/);
    expect(buttons(replies)).toEqual([]);
    expect(await services.handoffs.list('waiting')).toEqual([]);
  });

  test.each([
    ['yes please', /name, and a phone number or email/],
    ['a person please', /number 1 in the queue/],
    ['nah', /^All right\.\n---\nIs there anything else/],
  ])('at the offer, "%s" picks the choice it means', async (reply, expected) => {
    const { client } = await atTicketOffer();
    expect(joined(await say(client, reply))).toMatch(expected);
  });

  test('"yep all good now" at "Did that fix it?" is fixed; "nope" is not fixed', async () => {
    const fixed = await atDidThatFixIt();
    expect(joined(await say(fixed.client, 'yep all good now'))).toMatch(/glad it's working again/);

    const broken = await atDidThatFixIt();
    const replies = await say(broken.client, 'nope');
    expect(joined(replies)).toMatch(OFFER);
    expect(buttons(replies)).toEqual(['Open a ticket', 'Talk to a person', 'No thanks']);
  });

  test('a ticket offered outside staffed hours: "nah, not now" declines it', async () => {
    const { client, services } = await newClient({ staffedHours: 'Mon-Fri 14:00-18:00' });
    expect(joined(await say(client, 'talk to a person'))).toMatch(/Shall I open a ticket/);
    const replies = await say(client, 'nah, not now');
    expect(joined(replies)).toMatch(/All right\. You can ask for a person again during staffed hours/);
    expect(await services.tickets.listForCustomer(ME)).toEqual([]);
  });

  test('a prompt that declares nothing understands its own "no": "not now" at the ticket confirmation cancels it', async () => {
    const { client, services } = await atTicketOffer();
    await say(client, 'Open a ticket');
    await say(client, 'Dana Tran, 0903 112 458');
    expect(buttons(await say(client, 'SL-NVR32'))).toEqual(['Open the ticket', 'Change the summary', 'Cancel']);
    expect(joined(await say(client, 'not now'))).toMatch(/no ticket opened/);
    expect(await services.tickets.listForCustomer(ME)).toEqual([]);
  });
});

describe('numbers pick a choice only when they are the whole message', () => {
  test('"status of T-000001" at "Did that fix it?" is a ticket-status request, not a button', async () => {
    const { client, services } = await atDidThatFixIt();
    await services.tickets.open({ customer: ME, summary: 'dvr beeps every night' }, 'customer');
    const replies = everything(await say(client, 'status of T-000001'));
    expect(replies).not.toMatch(/glad/i);
    expect(replies).not.toMatch(OFFER);
    expect(replies).toContain('Ticket T-000001');
    expect(replies).toContain('dvr beeps every night');
  });

  test('"ticket 2" picks nothing; the question is asked again', async () => {
    const { client } = await atDidThatFixIt();
    const replies = await say(client, 'ticket 2');
    expect(joined(replies)).not.toMatch(OFFER);
    expect(joined(replies)).not.toMatch(/glad/i);
    expect(joined(replies)).toMatch(/Please choose one: did that fix it\?/);
  });

  test.each(['2', '2.', 'the second one'])('"%s" alone picks the second choice', async (reply) => {
    const { client } = await atDidThatFixIt();
    expect(joined(await say(client, reply))).toMatch(OFFER);
  });
});

describe('a new problem typed at a prompt is triaged as one', () => {
  test('at the ticket / person offer', async () => {
    const { client, record } = await atTicketOffer();
    const replies = await say(client, 'also my camera 3 shows no video');
    expect(joined(replies)).not.toMatch(/Please choose/);
    expect(joined(replies)).toMatch(/covered by our support/i);
    expect(joined(replies)).toMatch(/Did that fix it\?/);
    expect((await record())?.lastTriage?.text).toBe('also my camera 3 shows no video');
  });

  test('at "Did that fix it?"', async () => {
    const { client, record } = await atDidThatFixIt();
    const replies = await say(client, 'also my camera 3 shows no video');
    expect(joined(replies)).not.toMatch(/glad|Please choose/i);
    expect((await record())?.lastTriage?.text).toBe('also my camera 3 shows no video');
    // The new problem's own question is open now, and answers as usual.
    expect(joined(await say(client, 'yes'))).toMatch(/glad it's working again/);
  });
});

describe('a prompt asks at most twice', () => {
  test('gibberish twice at the offer: asked again once, then "not now", said so', async () => {
    const { client, services } = await atTicketOffer();
    const again = await say(client, 'blorp');
    expect(joined(again)).toMatch(/Please choose: open a ticket, talk to a person, or no thanks\./);
    const taken = await say(client, 'zzkx');
    expect(joined(taken)).toMatch(/I'll take that as "No thanks"/);
    expect(joined(taken)).not.toMatch(/Please choose|open a ticket for our support team/);
    expect(buttons(taken)).toEqual([]);
    expect(await services.handoffs.list('waiting')).toEqual([]);
  });

  test('gibberish twice at a network check: the customer-friendly default (the check failed), said so', async () => {
    const { client } = await newClient();
    expect(joined(await say(client, 'the dvr web page wont open from the office pc, connection timed out'))).toMatch(/Check 1 of/);
    expect(joined(await say(client, 'qqq'))).toMatch(/Please answer yes or no/);
    const taken = await say(client, 'zzz');
    expect(joined(taken)).toMatch(/I'll take that as "No"/);
    expect(joined(taken)).not.toMatch(/Check 1 of|Please answer yes or no/);
    expect(buttons(taken)).toEqual(['Yes, fixed', 'No, still broken']);
  });

  test('with no safe default the question is left, and the next message is a new problem', async () => {
    const { client, services } = await newClient();
    await services.tickets.open({ customer: ME, summary: 'dvr beeps every night' }, 'customer');
    await services.tickets.open({ customer: ME, summary: 'no video on channel 4' }, 'customer');
    expect(joined(await say(client, 'what is the status of my ticket?'))).toMatch(/You have 2 tickets\. Which one\?/);
    expect(joined(await say(client, 'blorp'))).toMatch(/Sorry, I didn't get that\. You have 2 tickets/);
    const left = await say(client, 'zzkx');
    expect(joined(left)).toMatch(/leave that question/);
    expect(joined(left)).not.toMatch(/Which one\?/);
    expect(joined(await say(client, 'my camera shows no video, black screen on channel 4'))).toMatch(/covered by our support/i);
  });
});

test('through the whole bot: a new problem at the offer is triaged, and its own question answers as usual', async () => {
  const { say: sayToBot, services } = await newBotConversation();
  await sayToBot(PROBLEM);
  expect(joined(await sayToBot('No, still broken'))).toMatch(OFFER);
  const triaged = await sayToBot('also my camera 3 shows no video');
  expect(joined(triaged)).toMatch(/covered by our support[\s\S]*Did that fix it\?/i);
  expect(joined(await sayToBot('yep, sorted'))).toMatch(/glad it's working again[\s\S]*anything else/);
  expect(await services.handoffs.list('waiting')).toEqual([]);
});
