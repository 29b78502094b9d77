import { describe, expect, test } from 'vitest';
import { buttons, joined, newBotConversation } from '../helpers/dialogClient.js';

const CLARIFY = /not sure I understood/i;
const OFFER = /haven't managed to help[\s\S]*bring in a person/i;

/**
 * One rule for escalation: after the bot has failed to help twice in a row (two unclear messages,
 * or two "not fixed" answers) it offers a person or a ticket; the customer decides. Nobody is
 * queued without being told, and a message sent while waiting is acknowledged.
 */
describe('escalation: two failures in a row bring an offer, never a third clarifying question', () => {
  test('unclear, unclear, unclear: one clarifying question, then the offer; never queued unasked', async () => {
    const { say, services } = await newBotConversation();
    const first = await say('zzz qqq');
    expect(joined(first)).toMatch(CLARIFY);
    const second = await say('idk, qqq zzz');
    expect(joined(second)).not.toMatch(CLARIFY);
    expect(joined(second)).toMatch(OFFER);
    expect(buttons(second)).toEqual(['Talk to a person', 'Open a ticket', 'No, keep trying']);
    expect(await services.handoffs.list('waiting')).toEqual([]);
    // A third unclear message is an unclear answer to the offer, never the clarifying question again.
    const third = await say('xyzzy plugh');
    expect(joined(third)).not.toMatch(CLARIFY);
    expect(await services.handoffs.list('waiting')).toEqual([]);
  });

  test('accepting the offer queues the customer and says so clearly, with no "anything else?"', async () => {
    const { say, services } = await newBotConversation();
    await say('zzz qqq');
    await say('idk, qqq zzz');
    const accepted = await say('yes please');
    expect(joined(accepted)).toMatch(/asked a person from our support team[\s\S]*number 1 in the queue/);
    expect(joined(accepted)).toMatch(/cancel/i);
    expect(joined(accepted)).not.toMatch(/anything else/i);
    const waiting = await services.handoffs.list('waiting');
    expect(waiting).toHaveLength(1);
    expect(waiting[0]?.reason).toBe('not_helping');
  });

  test('declining goes back to the bot: nobody is queued and the next clear problem is answered', async () => {
    const { say, services } = await newBotConversation();
    await say('zzz qqq');
    await say('idk, qqq zzz');
    const declined = await say('No, keep trying');
    expect(joined(declined)).toMatch(/keep trying/i);
    expect(await services.handoffs.list('waiting')).toEqual([]);
    const next = await say('my dvr stopped recording since yesterday, hdd error shows on screen');
    expect(joined(next)).toMatch(/covered by our support/i);
  });

  test('a real question while queued is acknowledged, not swallowed, and reaches the queue', async () => {
    const { say, services } = await newBotConversation();
    await say('zzz qqq');
    await say('idk, qqq zzz');
    await say('Talk to a person');
    const question = await say('my dvr stopped recording since yesterday, hdd error shows on screen');
    expect(joined(question)).toMatch(/You're waiting for a person \(number 1 in the queue\)\. I've added your message for them/);
    expect(joined(question)).toMatch(/"cancel"/);
    const [handoff] = await services.handoffs.list('waiting');
    expect(handoff?.transcript.map((l) => l.text)).toContain('my dvr stopped recording since yesterday, hdd error shows on screen');
  });

  test('one unclear message followed by a clear one does not escalate, nor does a later unclear one', async () => {
    const { say, services } = await newBotConversation();
    expect(joined(await say('zzz qqq'))).toMatch(CLARIFY);
    const clear = await say('my outlook email account stopped receiving mails, the dvr is online fine');
    expect(joined(clear)).toMatch(/email/i);
    expect(joined(clear)).not.toMatch(CLARIFY);
    expect(joined(clear)).not.toMatch(OFFER);
    // The count was reset by the clear message: one more unclear message is asked about, not escalated.
    const again = await say('zzz qqq');
    expect(joined(again)).toMatch(CLARIFY);
    expect(joined(again)).not.toMatch(OFFER);
    expect(await services.handoffs.list('waiting')).toEqual([]);
  });

  test('two "not fixed" answers bring the same offer, not a silent queue', async () => {
    const { say, services } = await newBotConversation();
    await say('forgot the admin password of my NVR, locked out');
    await say('No, still broken');
    await say('No thanks');
    await say('my camera shows no video on channel 2, black screen');
    const replies = await say('No, still broken');
    expect(joined(replies)).toMatch(OFFER);
    expect(await services.handoffs.list('waiting')).toEqual([]);
  });

  test('problems no guide fits count as unclear: the topic list once, then the offer, never the list three times', async () => {
    const { say, services } = await newBotConversation();
    const first = await say("it's doing the thing again");
    expect(joined(first)).toMatch(/Which of these is closest/);
    expect(joined(first)).not.toMatch(/That is one for our support/);
    const second = await say('idk, the blinky thing');
    expect(joined(second)).not.toMatch(/Which of these is closest/);
    expect(joined(second)).toMatch(OFFER);
    expect(await services.handoffs.list('waiting')).toEqual([]);
  });

  test('a second problem no guide fits, typed at the topic list, brings the offer too', async () => {
    const { say } = await newBotConversation();
    expect(joined(await say("it's doing the thing again"))).toMatch(/Which of these is closest/);
    const second = await say('the thing on the wall keeps doing it again and again');
    expect(joined(second)).not.toMatch(/Which of these is closest/);
    expect(joined(second)).toMatch(OFFER);
  });

  test('a topic picked from the list is understood: the next unlisted problem gets the list, not the offer', async () => {
    const { say } = await newBotConversation();
    await say("it's doing the thing again");
    const guide = await say('No video, video loss, or a black/blue screen on a channel');
    expect(joined(guide)).toMatch(/please try these steps/);
    await say('Yes, fixed');
    const again = await say("it's doing the thing again");
    expect(joined(again)).toMatch(/Which of these is closest/);
    expect(joined(again)).not.toMatch(OFFER);
  });

  test('outside staffed hours the offer after two unclear messages is a ticket, not a person', async () => {
    const { say, services } = await newBotConversation({ staffedHours: 'Mon-Fri 14:00-18:00' });
    await say("it's doing the thing again");
    const second = await say('idk, the blinky thing');
    expect(joined(second)).toMatch(/ticket/i);
    expect(buttons(second)).not.toContain('Talk to a person');
    expect(await services.handoffs.list('waiting')).toEqual([]);
  });
});

describe('phrasing: no question the customer has just been asked, no "Cancelled." for the bot\'s own button', () => {
  test('a greeting is answered with an invitation, not followed by "anything else?"', async () => {
    const { say } = await newBotConversation();
    const hello = await say('hi');
    expect(joined(hello)).toMatch(/Hello!/);
    expect(joined(hello)).not.toMatch(/anything else/i);
    // The next message is a problem and is triaged as one.
    expect(joined(await say('my dvr has no picture on channel 2'))).toMatch(/please try these steps/);
  });

  test('"No thanks" pressed at the ticket-or-person offer is that offer\'s answer, not a global "Cancelled."', async () => {
    const { say, services } = await newBotConversation();
    await say('my dvr has no picture on channel 2');
    expect(buttons(await say('No, still broken'))).toContain('No thanks');
    const declined = joined(await say('No thanks'));
    expect(declined).not.toMatch(/^Cancelled/);
    expect(await services.tickets.listForCustomer({ channelId: 'test', userId: 'user1' })).toEqual([]);
  });
});
