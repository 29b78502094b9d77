import { MemoryStorage, type Activity } from 'botbuilder';
import { DialogTestClient } from 'botbuilder-testing';
import { describe, expect, test } from 'vitest';
import { buildBot } from '../../src/bot/buildBot.js';
import { handoffCardActivity } from '../../src/channels/teams/handoffCard.js';
import type { Handoff } from '../../src/domain/handoff/Handoff.js';
import { calendarDay } from '../../src/domain/warranty/calendar.js';
import { WarrantyCheck } from '../../src/domain/warranty/WarrantyCheck.js';
import { loadKnowledge } from '../../src/knowledge/KnowledgeBase.js';
import { NegativeSentiment } from '../../src/language/NegativeSentiment.js';
import { buttons, joined, newClient, say } from '../helpers/dialogClient.js';
import { KNOWLEDGE_DIR, SAMPLE_REGISTRY_DAY, fixedClock, sampleRegistry, testServices, trainedTriage } from '../helpers/testBot.js';

/** Every text of the replies' Adaptive Cards, including cards shown by Action.ShowCard. */
function cardWords(replies: Partial<Activity>[]): string {
  const words: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) {
        if ((k === 'text' || k === 'title' || k === 'value') && typeof v === 'string') words.push(v);
        else walk(v);
      }
    }
  };
  walk(replies.flatMap((r) => r.attachments ?? []).map((a) => a.content));
  return words.join('\n');
}

const showCards = (replies: Partial<Activity>[]) => JSON.stringify(replies.flatMap((r) => r.attachments ?? [])).match(/"Action\.ShowCard"/g)?.length ?? 0;

async function clause(id: string) {
  const { knowledge } = await trainedTriage();
  const found = knowledge.clauses.find((c) => c.id === id);
  if (!found) throw new Error(`no clause ${id}`);
  return found;
}

const ROUTER = 'how do i configure the vlan and port forwarding on my cisco switch and netgear router';

describe('short refusals: one sentence with the clause, the help, the policy on request (issue 10, item 10)', () => {
  test('Web Chat: the clause in one sentence, then what we can do; the quote behind a button, and on "why?"', async () => {
    const third = await clause('third_party_equipment');
    const { client } = await newClient();
    const replies = await say(client, ROUTER);
    const [answer] = replies;
    const text = answer?.text ?? '';
    // Leads with one sentence and the clause's title.
    expect(text.split('\n')[0]).toBe(`${third.inBrief} (${third.title}).`);
    expect(text).toMatch(/What we can do/);
    // No apology, no paraphrase of the policy, no verbatim paragraph, no invitation to re-describe.
    expect(text).not.toMatch(/Thanks for explaining|I'm sorry/);
    expect(text).not.toContain(third.customerMessage);
    expect(text).not.toContain(third.policyText);
    expect(text).not.toMatch(/describe it and I will help/);
    // The quote is one tap away, collapsed.
    expect(showCards(replies)).toBe(1);
    expect(cardWords(replies)).toContain('Show the policy text');
    expect(cardWords(replies)).toContain(`The support policy ("${third.title}") says: "${third.policyText}"`);

    const why = await say(client, 'why?');
    expect(joined(why)).toBe(`The support policy ("${third.title}") says: "${third.policyText}"`);
  });

  test('"show the policy" after the advice-only answer quotes the filter/SPI clause', async () => {
    const advice = await clause('advice_only');
    const { client } = await newClient();
    const answer = await say(client, 'which ports must i allow on my firewall so the dvr can be reached');
    expect(answer[0]?.text?.split('\n')[0]).toBe(`${advice.inBrief} (${advice.title}).`);
    expect(joined(answer)).not.toContain(advice.policyText);
    expect(joined(await say(client, 'show the policy'))).toContain(`"${advice.policyText}"`);
  });

  test('"why?" with no clause applied is an ordinary message, not a quote', async () => {
    const { client } = await newClient();
    await say(client, 'my dvr stopped recording since yesterday, hdd error shows on screen');
    await say(client, 'Yes, fixed');
    expect(joined(await say(client, 'why?'))).not.toMatch(/support policy .* says/);
  });

  test('Teams: one card with the quote in an Action.ShowCard', async () => {
    const third = await clause('third_party_equipment');
    const { client } = await newClient({ channelId: 'msteams' });
    const replies = await say(client, ROUTER);
    expect(showCards(replies)).toBe(1);
    const words = cardWords(replies);
    expect(words).toContain(`${third.inBrief} (${third.title}).`);
    expect(words.indexOf(`${third.inBrief}`)).toBeLessThan(words.indexOf(third.policyText));
  });

  test('Slack: a short line says how to see the clause; plain text: the same hint', async () => {
    const third = await clause('third_party_equipment');
    const slack = await newClient({ channelId: 'slack' });
    const blocks = JSON.stringify((await say(slack.client, ROUTER)).map((r) => r.channelData));
    expect(blocks).toContain('Say \\"policy\\" to read the clause itself.');
    expect(blocks).not.toContain(third.policyText);
    expect(joined(await say(slack.client, 'policy'))).toContain(third.policyText);

    const sms = await newClient({ channelId: 'sms' });
    const text = joined(await say(sms.client, ROUTER));
    expect(text).toMatch(/Say "policy" to read the clause itself\.$/m);
    expect(text).not.toContain(third.policyText);
  });
});

describe('one vendor name (VENDOR_NAME) wherever the bot speaks for the vendor', () => {
  async function vendorClient(vendorName: string) {
    const { triage, topics } = await trainedTriage();
    const knowledge = await loadKnowledge(KNOWLEDGE_DIR, { vendorName });
    const now = () => new Date(SAMPLE_REGISTRY_DAY);
    const services = testServices(now);
    const parts = buildBot({
      knowledge,
      triage,
      topics,
      storage: new MemoryStorage(),
      warranty: new WarrantyCheck(await sampleRegistry(), knowledge.warrantyPolicies, () => calendarDay(now())),
      tickets: services.tickets,
      handoffs: services.handoffs,
      sentiment: new NegativeSentiment(),
      staffedHoursText: 'around the clock',
      now,
    });
    return new DialogTestClient('webchat', parts.mainDialog, undefined, [parts.inbound, parts.transcript], parts.conversationState);
  }

  test('the knowledge fills {vendor}; the policy quotes keep their own maker, attributed', async () => {
    const k = await loadKnowledge(KNOWLEDGE_DIR, { vendorName: 'Acme Vision' });
    const text = JSON.stringify({ clauses: k.clauses, warranty: k.warrantyPolicies, service: k.servicePromise, guides: k.guides });
    expect(text).not.toContain('{vendor}');
    expect(k.servicePromise.intro).toBe('Here is what the Acme Vision Service Promise says:');
    // Outside the verbatim policy text, no other maker's name speaks for us.
    const ours = JSON.stringify([k.clauses.map(({ policyText: _p, ...rest }) => rest), k.servicePromise.intro, k.servicePromise.topics.map((t) => t.answer)]);
    expect(ours).not.toMatch(/SECO-LARM|POE Sec/);
    expect(k.clauses.some((c) => c.policyText.includes('SECO-LARM'))).toBe(true);
  });

  test('warranty and service answers speak as the configured vendor', async () => {
    const client = await vendorClient('Acme Vision');
    const general = joined(await say(client, 'How fast is your hotline? Are upgrades free?'));
    expect(general).toContain('Here is what the Acme Vision Service Promise says:');
    expect(general).toContain('Service Promise (3): "fault acceptance');
  });
});

describe('phrasing faults (issue 10, item 10)', () => {
  test('a second unknown serial is not met with the same sentence twice', async () => {
    const { client } = await newClient({ now: () => new Date(SAMPLE_REGISTRY_DAY) });
    const first = joined(await say(client, 'is this still under warranty? QQ-0000-123456'));
    expect(first).toMatch(/couldn't find serial QQ-0000-123456/);
    const second = joined(await say(client, 'QQ-0000-123457'));
    expect(second).toMatch(/QQ-0000-123457 isn't in our registry either/);
    expect(second).not.toMatch(/couldn't find serial/);
  });

  test('after hours: the chat team\'s hours and the 24x7 phone hotline are told apart, the next shift in the customer\'s terms', async () => {
    // Saturday 10:00 UTC; the chat team is back on Monday 08:00.
    const { client } = await newClient({ staffedHours: 'Mon-Fri 08:00-18:00', now: fixedClock('2026-02-28T10:00:00Z') });
    const replies = await say(client, 'talk to a person');
    const text = joined(replies);
    expect(text).toMatch(/Our chat team works .*, so nobody can join this chat right now; the next shift starts Mon 2 Mar at 08:00 UTC\./);
    expect(text).toMatch(/Our phone hotline is separate: under our Service Promise it takes calls 24x7 and responds within 2 hours\./);
    expect(text).not.toMatch(/\d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    expect(buttons(replies).join(' ')).toMatch(/ticket/i);
  });

  test('the ticket due time is said relative to now, in the customer\'s zone and locale when the channel gives them', async () => {
    const { client } = await newClient();
    await upToTicketConfirmation(client);
    // Web Chat tells the customer's locale and zone; the due time is 12:00 UTC, 2 hours after the fixed clock.
    const activity = { type: 'message', text: 'Open the ticket', locale: 'en-US', localTimezone: 'America/New_York' } as Partial<Activity>;
    let reply = (await client.sendActivity(activity)) as Partial<Activity> | undefined;
    const texts: string[] = [];
    while (reply) {
      texts.push(reply.text ?? '');
      reply = client.getNextReply() as Partial<Activity> | undefined;
    }
    const done = texts.join('\n');
    expect(done).toMatch(/get back to you by today at 07:00 AM \(in about 2 hours\)/);
    expect(done).not.toMatch(/UTC/);
  });
});

test('ticket status: "Opened" is said relative to now, not as a raw timestamp', async () => {
  const { client } = await newClient();
  await upToTicketConfirmation(client);
  await say(client, 'Open the ticket');
  const status = await say(client, 'status of T-000001');
  const facts = JSON.stringify(status.flatMap((r) => r.attachments ?? []));
  expect(facts).toContain('"title":"Opened","value":"today at 10:00 UTC"');
  expect(facts).not.toMatch(/\d{4}-\d\d-\d\d \d\d:\d\d UTC/);
});

describe('general questions about reaching us are answered from the service promise', () => {
  test.each(['how do I reach support?', "what's your phone number?", 'how can I contact you?'])('%s', async (question) => {
    const { client, services } = await newClient();
    const text = joined(await say(client, question));
    expect(text).toContain('**How to reach support.** You can reach our technical service hotline at any hour (24x7)');
    expect(text).toContain('Service Promise (3): "fault acceptance provides a 7-by-24-hours technical service hotline');
    expect(text).toMatch(/anything else/);
    // Answered, not queued for a person.
    expect(await services.handoffs.openFor('webchat/Convo1')).toBeNull();
  });
});

describe('staff see the triage and a conditional warranty in words', () => {
  const handoff = (over: Partial<Handoff>): Handoff =>
    ({
      id: 'H-1',
      status: 'waiting',
      reason: 'asked',
      conversationKey: 'webchat/c1',
      customer: { channelId: 'webchat', userId: 'u1' },
      address: {},
      transcript: [],
      requestedAt: '2026-12-01T08:46:00.000Z',
      ...over,
    }) as unknown as Handoff;

  test('the Teams card: "Our product — troubleshooting, sure", the language, and "covered if confirmed" with the points to verify', () => {
    const card = JSON.stringify(
      handoffCardActivity(
        handoff({
          triage: { scope: 'in_scope', clause: null, intent: 'troubleshoot', confidence: 0.99, language: 'vi' },
          warranty: { serial: 'DS-7608-2291', model: 'DS-7608', category: 'recorder', status: 'conditional', coveredUntil: '2027-04-21', reasons: [], chargeable: false, toVerify: ['the seal is intact'] },
        }),
      ),
    );
    expect(card).toContain('Our product — troubleshooting, sure');
    expect(card).toContain('"title":"Language","value":"vi"');
    expect(card).toContain('DS-7608 DS-7608-2291: covered if confirmed until 2027-04-21');
    expect(card).toContain('"title":"To verify","value":"the seal is intact"');
    expect(card).not.toMatch(/in_scope|troubleshoot \(99%\)/);
  });

  test('an out-of-scope triage names whose responsibility it is', () => {
    const card = JSON.stringify(handoffCardActivity(handoff({ triage: { scope: 'out_of_scope', clause: 'third_party_equipment', intent: 'troubleshoot', confidence: 0.6 } })));
    expect(card).toContain("Customer's responsibility: other manufacturers' equipment — troubleshooting, unsure");
  });
});

/** A guide that did not help, then the ticket dialog up to its confirmation ("Open the ticket"). */
async function upToTicketConfirmation(client: DialogTestClient): Promise<void> {
  await say(client, 'forgot the admin password of my NVR, locked out');
  await say(client, 'No, still broken');
  await say(client, 'Open a ticket');
  await say(client, 'Dana Tran, 0903 112 458');
  await say(client, 'SL-NVR32');
}
