import { describe, expect, test } from 'vitest';
import { buttons, joined, newBotConversation } from '../helpers/dialogClient.js';
import { trainedTriage } from '../helpers/testBot.js';

const NOTE = /One part of that I can't take on: "([^"]+)" is the customer's responsibility under our support policy \(([^)]+)\)/;

/**
 * Issue 10, class 1: a message that holds our problem and the customer's is not refused whole. The
 * bot says in one line which part is the customer's, with the clause, and helps with ours.
 */
describe('mixed messages: ours handled, the customer\'s part named with its clause', () => {
  test('a DVR that stopped recording next to a TP-Link router\'s Wi-Fi: the recording guide, the router named as theirs', async () => {
    const { say } = await newBotConversation();
    const replies = await say("my DVR stopped recording and also can you fix the wifi on my TP-Link router while you're at it?");
    const text = joined(replies);
    const note = NOTE.exec(text);
    expect(note?.[1]).toMatch(/TP-Link router/);
    expect(note?.[2]).toBe("Other manufacturers' equipment");
    expect(text).toMatch(/covered by our support[\s\S]*not recording/i);
    expect(text).not.toMatch(/outside what our technical support covers/i);
    // The guide's own question follows: did that fix it?
    expect(buttons(replies).length).toBeGreaterThan(0);
  });

  test('video loss on our SL-DVR8 next to a Dahua NVR that will not boot: the video guide, the Dahua named as theirs', async () => {
    const { say } = await newBotConversation();
    const text = joined(await say("channel 5 has video loss on the SL-DVR8, and while you're at it the dahua nvr in the shop won't boot either"));
    expect(NOTE.exec(text)?.[1]).toMatch(/dahua nvr/i);
    expect(text).toMatch(/No video, video loss/);
  });

  test('a forgotten NVR password next to Outlook: the password guide, email named under the applications clause', async () => {
    const { say } = await newBotConversation();
    const text = joined(await say('the nvr forgot its admin password after a power cut; also my outlook stopped syncing, no idea if related'));
    expect(NOTE.exec(text)?.[2]).toMatch(/Applications such as email/);
    expect(text).toMatch(/Forgotten password/);
  });

  test('a warranty question next to another maker\'s router: the serial is asked, the router named as theirs', async () => {
    const { say } = await newBotConversation();
    const text = joined(await say('is my nvr still under warranty? also my netgear router keeps rebooting'));
    expect(NOTE.exec(text)?.[1]).toBe('my netgear router keeps rebooting');
    expect(text).toMatch(/serial number/i);
  });

  test('remote viewing offline next to an office printer: the TCP/IP checks start, the printer named as theirs', async () => {
    const { say } = await newBotConversation();
    const text = joined(await say("app shows offline when im away from home, also the printer in the office won't print"));
    expect(NOTE.exec(text)?.[1]).toMatch(/printer/);
    expect(text).toMatch(/Check 1 of 4/);
  });
});

describe('ScopeTriage on messages that only look mixed', () => {
  test('a recorder that works fine next to an email problem is the customer\'s email problem, not ours', async () => {
    const { triage } = await trainedTriage();
    const outcome = triage.triage('my dvr works fine but my outlook email stopped sending mails');
    expect(outcome.mixed).toBeNull();
    expect(outcome.decision).toMatchObject({ scope: 'out_of_scope', clause: 'applications' });
  });

  test('cameras offline next to a new router is one network symptom to diagnose, not two matters', async () => {
    const { triage } = await trainedTriage();
    const outcome = triage.triage('my cameras are offline on the app and my router was replaced by the isp yesterday');
    expect(outcome.mixed).toBeNull();
    expect(outcome.decision.scope).toBe('needs_diagnosis');
  });

  test('one request about another brand is refused whole; one about ours is not split', async () => {
    const { triage } = await trainedTriage();
    expect(triage.triage('how do I set up port forwarding on my netgear router').mixed).toBeNull();
    expect(triage.triage('my dvr and cameras stopped recording after the power cut').mixed).toBeNull();
  });

  test('the mixed decision is labelled by our part, and `ours` holds only our part', async () => {
    const { triage } = await trainedTriage();
    const outcome = triage.triage("my DVR stopped recording and also can you fix the wifi on my TP-Link router while you're at it?");
    expect(outcome.decision).toMatchObject({ scope: 'in_scope', clause: null, intent: 'troubleshoot' });
    expect(outcome.mixed?.ours).toMatch(/DVR stopped recording/);
    expect(outcome.mixed?.ours).not.toMatch(/router/i);
    expect(outcome.mixed?.theirs.map((t) => t.rule.id)).toEqual(['third_party_equipment']);
  });
});

describe('mixed messages: the clause is there on request', () => {
  test('"why?" after the mixed answer quotes the clause the customer\'s part falls under, verbatim', async () => {
    const { say } = await newBotConversation();
    await say("my DVR stopped recording and also can you fix the wifi on my TP-Link router while you're at it?");
    const why = joined(await say('policy'));
    expect(why).toMatch(/The support policy \("Other manufacturers' equipment"\) says: "Though SECO-LARM DVRs/);
  });
});
