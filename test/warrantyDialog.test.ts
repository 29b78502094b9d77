import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Activity } from 'botbuilder';
import { describe, expect, test } from 'vitest';
import { parseDevicesCsv } from '../src/devices/importDevicesCsv.js';
import { normaliseSerial } from '../src/domain/devices/Device.js';
import type { ConversationRecord } from '../src/domain/SupportRequest.js';
import type { WarrantyCheckResult } from '../src/domain/tickets/Ticket.js';
import { buttons, joined, newClient, say } from './helpers/dialogClient.js';
import { KNOWLEDGE_DIR, SAMPLE_REGISTRY_DAY } from './helpers/testBot.js';

// The sample registry's devices are dated around this day (knowledge/devices/sample-registry.csv).
const today = () => new Date(SAMPLE_REGISTRY_DAY);

/** The text of every block of the Adaptive Card in a reply, in order. */
function cardText(replies: Partial<Activity>[]): string {
  const card = replies.flatMap((r) => r.attachments ?? []).find((a) => a.contentType === 'application/vnd.microsoft.card.adaptive');
  const blocks = (card?.content as { body?: Array<{ text?: string; facts?: Array<{ title: string; value: string }> }> } | undefined)?.body ?? [];
  return blocks.map((b) => b.text ?? (b.facts ?? []).map((f) => `${f.title}: ${f.value}`).join('\n')).join('\n');
}

describe('warranty check by serial number', () => {
  test('covered: finds the serial in the message, asks only the exclusion questions, answers with what is free', async () => {
    const { client, record, services } = await newClient({ now: today });
    const first = await say(client, 'is my nvr still under warranty? SN: DS-7608-2291');
    expect(joined(first)).toContain('Found it: DS-7608 8-channel NVR, serial DS-7608-2291, delivered on 2025-04-22');
    expect(joined(first)).toMatch(/warranty card/);
    expect(buttons(first)).toEqual(['Yes, I have it', 'No, it is lost', "I'm not sure"]);
    expect(joined(await say(client, 'Yes, I have it'))).toMatch(/warranty seal/);
    expect(joined(await say(client, 'Yes, intact'))).toMatch(/phone number is written on the sticker/);
    const damage = await say(client, '0912-664-301');
    expect(buttons(damage)).toContain('Water, damp or rust');
    expect(joined(await say(client, 'None of these'))).toMatch(/free software or app/);
    expect(joined(await say(client, 'No, the device itself'))).toMatch(/opened or repaired/);
    const answer = await say(client, 'No');
    const card = cardText(answer);
    expect(card).toContain('is under warranty until 2027-04-21 (144 days left)');
    expect(card).toContain('Status: Covered');
    expect(card).toMatch(/Free of charge[\s\S]*Repair or replacement[\s\S]*Spare parts/);
    expect(card).not.toContain('Charged');
    expect(card).not.toMatch(/Covered if/);
    expect(card).toMatch(/back up any recordings/);
    expect(buttons(answer)).toEqual(['Open a ticket', 'Talk to a person', 'No thanks']);
    expect((await record())?.lastWarranty).toMatchObject({ serial: 'DS-7608-2291', status: 'covered', chargeable: false });
    await say(client, 'Open a ticket');
    // The device is known from the warranty check: only the contact is asked, then the confirmation.
    expect(buttons(await say(client, 'dana@example.com'))).toEqual(['Open the ticket', 'Change the summary', 'Cancel']);
    await say(client, 'Open the ticket');
    const ticket = await services.tickets.get('T-000001');
    expect(ticket).toMatchObject({ product: { serial: 'DS-7608-2291' }, warranty: { status: 'covered' } });
    expect(ticket?.warranty?.toVerify).toBeUndefined();
  });

  test('not covered, several reasons from the registry: no questions, every reason cited, repair charged', async () => {
    const { client } = await newClient({ now: today });
    const answer = await say(client, 'will you repair my SL-NVR32-250618-0011 for free under warranty?');
    const card = cardText(answer);
    expect(card).toContain('is within its warranty period (until 2027-06-17), but the warranty does not cover it');
    expect(card).toMatch(/does not show the device's serial number and the purchase date[\s\S]*has not been paid for in full/);
    expect(card).toContain('Warranty card does not specify Serial number and date of purchase.');
    expect(card).toMatch(/Charged[\s\S]*parts at market price/);
    expect(card).not.toMatch(/Free of charge[\s\S]*Spare parts/);
    expect(joined(answer)).not.toMatch(/warranty seal/);
  });

  test('not covered by the customer’s answer: the questions stop at the first exclusion', async () => {
    const { client } = await newClient({ now: today });
    await say(client, 'is my camera still under warranty? serial E1C2-0043-8812');
    const answer = await say(client, 'No, it is lost');
    const card = cardText(answer);
    expect(card).toContain('Status: Not covered');
    expect(card).toContain('The warranty card has been lost');
  });

  test('expired yesterday: the end date, the charge, the maintenance-fee cap, and the ticket offer', async () => {
    const { client } = await newClient({ now: today });
    const answer = await say(client, 'warranty status for SL-DVR8-241128-0106 please, it stopped recording');
    const card = cardText(answer);
    expect(card).toContain('The warranty on your SL-DVR8 8-channel DVR (S/N SL-DVR8-241128-0106) ended on 2026-11-27.');
    expect(card).toContain('Status: Expired');
    expect(card).toMatch(/Charged[\s\S]*The repair or replacement, with parts at market price/);
    expect(buttons(answer)).toEqual(['Open a ticket', 'Talk to a person', 'No thanks']);
    expect(joined(answer)).toMatch(/repair quote or a maintenance contract/);
  });

  test('expired under the service promise: the annual maintenance fee is capped at 5% of the price', async () => {
    const { client } = await newClient({ now: today });
    const card = cardText(await say(client, 'expired? FE360-221019-0005'));
    expect(card).toContain('ended on 2023-10-18');
    expect(card).toContain('at most 15.50 USD a year (5% of the product price)');
    expect(card).toMatch(/Free of charge[\s\S]*Software and firmware upgrades, for the life of the device/);
  });

  test('service promise: no exclusion questions, lifetime upgrades and the hotline', async () => {
    const { client } = await newClient({ now: today });
    const answer = await say(client, 'my camera serial is e12 3456 789, is it under warranty?');
    const card = cardText(answer);
    expect(card).toContain('under warranty until 2027-06-14');
    expect(card).toMatch(/Software and firmware upgrades, for the life of the device/);
    expect(card).toMatch(/24x7 hotline .* within 2 hours/);
  });

  test('an unknown serial: asked again, then a ticket with the purchase details as the way out', async () => {
    const { client, services } = await newClient({ now: today });
    const first = await say(client, 'I need a warranty check');
    expect(joined(first)).toMatch(/What is the serial number/);
    expect(joined(await say(client, 'QQ-0000-123456'))).toMatch(/couldn't find serial QQ-0000-123456 .* type the serial again, exactly as printed/);
    const out = await say(client, 'QQ-0000-123457');
    expect(joined(out)).toMatch(/Serial QQ-0000-123457 isn't in our registry either.*model, the serial number if you can get to it, where and when you bought it, and a photo of the warranty card/);
    expect(buttons(out)).toEqual(['Open a ticket', 'Talk to a person', 'No thanks']);
    await say(client, 'Open a ticket');
    await say(client, '0903 112 458');
    await say(client, 'skip');
    await say(client, 'Open the ticket');
    expect((await services.tickets.get('T-000001'))?.summary).toMatch(/QQ-0000-123457 is not in the device registry/);
  });

  test('on a channel without Adaptive Cards (Slack) the same answer comes as text', async () => {
    const { client } = await newClient({ channelId: 'slack', now: today });
    const answer = await say(client, 'warranty status for SL-DVR8-241128-0106');
    expect(answer.some((r) => (r.attachments ?? []).length > 0)).toBe(false);
    expect(joined(answer)).toContain('ended on 2026-11-27');
    expect(joined(answer)).toMatch(/Charged:\n- The repair or replacement/);
  });
});

/** The conversation's last warranty check as tickets and handoffs receive it (with the points to verify). */
async function lastWarranty(record: () => Promise<ConversationRecord | undefined>): Promise<WarrantyCheckResult | undefined> {
  return (await record())?.lastWarranty;
}

/** Answers the DS-7608-2291 questions in order; `at` replaces the answer to one of them. */
const COVERED_ANSWERS = {
  card: 'Yes, I have it',
  seal: 'Yes, intact',
  phone: '0912-664-301',
  damage: 'None of these',
  software: 'No, the device itself',
  repair: 'No',
} as const;
type Question = keyof typeof COVERED_ANSWERS;

/** A warranty check of DS-7608-2291 with every answer favourable except those in `answers`, up to the turn that answers. */
async function checkWith(answers: Partial<Record<Question, string>>) {
  const { client, record, services } = await newClient({ now: today });
  const turns: Partial<Activity>[][] = [await say(client, 'is my nvr still under warranty? SN: DS-7608-2291')];
  for (const q of Object.keys(COVERED_ANSWERS) as Question[]) {
    turns.push(await say(client, answers[q] ?? COVERED_ANSWERS[q]));
    if (cardText(turns.at(-1) ?? []) !== '') break;
  }
  const last = turns.at(-1) ?? [];
  return { client, record, services, turns, last, card: cardText(last) };
}

describe('"I don\'t know" is not "no": an unknown fact leaves the answer conditional', () => {
  test('the sticker out of reach: covered if our staff confirm the number, and the ticket carries the point to verify', async () => {
    const { client, record, services } = await newClient({ now: today });
    await say(client, 'is my nvr still under warranty? SN: DS-7608-2291');
    await say(client, 'Yes, I have it');
    const phone = await say(client, 'Yes, intact');
    expect(joined(phone)).toMatch(/phone number is written on the sticker/);
    expect(buttons(phone)).toEqual(["I'm not sure"]);
    // The words: once taken as "no number", which excluded the device.
    const next = await say(client, "I don't know, I can't reach it, it's on the ceiling");
    expect(joined(next)).toMatch(/Has the device been through any of these/);
    await say(client, 'None of these');
    await say(client, 'No, the device itself');
    const answer = await say(client, 'No');
    const card = cardText(answer);
    expect(card).toContain('is within its warranty period (until 2027-04-21, 144 days left). It is covered if our staff confirm the points below');
    expect(card).toContain('Status: Covered if confirmed');
    expect(card).toMatch(/Covered if our staff confirm\n• The phone number on the device's sticker is there and matches the one on the warranty card \(policy: "The phone number on the product is unknown or wrong/);
    expect(card).toMatch(/Free of charge once confirmed[\s\S]*Repair or replacement/);
    expect(card).toMatch(/Charged only if a check fails\n• The repair or replacement, with parts at market price/);
    expect(card).not.toMatch(/Not covered|does not cover it in this case/);
    expect(joined(answer)).toMatch(/RMA.*those points for our staff to check/);
    const point = `the phone number on the device's sticker is there and matches the one on the warranty card (customer could not tell: "I don't know, I can't reach it, it's on the ceiling")`;
    // Conditional, not "covered": staff and the ticket see that the points are still to check.
    expect((await record())?.lastWarranty).toMatchObject({ serial: 'DS-7608-2291', status: 'conditional', chargeable: false, reasons: [], toVerify: [point] });

    await say(client, 'Open a ticket');
    await say(client, 'dana@example.com');
    await say(client, 'Open the ticket');
    const ticket = await services.tickets.get('T-000001');
    expect(ticket?.warranty).toMatchObject({ status: 'conditional', toVerify: [point] });
    expect(ticket?.summary).toMatch(/covered if staff confirm: the phone number on the device's sticker/);
  });

  test.each([
    'not sure',
    "I'm not sure",
    'no idea',
    'dunno',
    'idk',
    'maybe?',
    'probably',
    'I think so',
    'not that I know of',
    "I can't check, it's mounted 4 m up",
    "couldn't really see it",
    'no way to tell from down here',
    "haven't looked",
    '?',
  ])('at the seal question, %j is unknown: conditional on the seal, never "Not covered"', async (said) => {
    const { card, record, turns } = await checkWith({ seal: said });
    // Understood at once: the next question follows, neither asked again nor defaulted.
    expect(joined(turns[2] ?? [])).toMatch(/^What phone number is written on the sticker/);
    expect(card).toContain('Status: Covered if confirmed');
    expect(card).toMatch(/Covered if our staff confirm\n• The warranty seal is intact/);
    expect(card).not.toMatch(/Not covered/);
    expect((await lastWarranty(record))?.toVerify).toEqual([expect.stringMatching(/^the warranty seal is intact/)]);
  });

  test('"no idea" at the warranty card question is not "No, it is lost"', async () => {
    const { card, turns } = await checkWith({ card: 'no idea, my installer kept it' });
    expect(joined(turns[1] ?? [])).toMatch(/^Is the warranty seal/);
    expect(card).toContain('Status: Covered if confirmed');
    expect(card).toMatch(/• The warranty card can be shown/);
    expect(card).not.toContain('The warranty card has been lost');
  });

  test('the "I\'m not sure" button on what happened to the device: every damage exclusion is a point to check', async () => {
    const { card, record } = await checkWith({ damage: "I'm not sure" });
    expect(card).toContain('Status: Covered if confirmed');
    expect(card).toMatch(/• The device has not been dropped[\s\S]*• The device shows no damage from rodents or insects[\s\S]*• The device was used as the manual says/);
    // The button's own words are not worth quoting to staff.
    expect((await lastWarranty(record))?.toVerify).toEqual([
      expect.stringMatching(/^the device has not been dropped.*\(customer could not tell\)$/),
      expect.stringMatching(/^the device shows no damage from rodents or insects \(customer could not tell\)$/),
      expect.stringMatching(/^the device was used as the manual says.*\(customer could not tell\)$/),
    ]);
  });

  test('several unknowns are all checked; the questions after an unknown are still asked', async () => {
    const { turns, card, record } = await checkWith({ seal: "can't see it", software: 'not sure', repair: 'maybe, the previous owner might have' });
    expect(turns).toHaveLength(7);
    expect(joined(turns[5] ?? [])).toMatch(/^Has anyone other than us/);
    expect(card).toMatch(/• The warranty seal is intact[\s\S]*• The fault is in the device itself[\s\S]*• Nobody outside an authorised service centre has opened or repaired the device/);
    expect((await lastWarranty(record))?.toVerify).toHaveLength(3);
  });

  test('a known exclusion still decides: an unknown seal, then "yes, it was opened" is not covered for that reason alone', async () => {
    const { card, record } = await checkWith({ seal: 'no idea', repair: 'Yes, it was opened or repaired' });
    expect(card).toContain('Status: Not covered');
    expect(card).toMatch(/opened or repaired by someone CamSupport has not authorised/);
    expect(card).not.toMatch(/seal/i);
    expect((await record())?.lastWarranty).toMatchObject({ status: 'not_covered', reasons: ['unauthorized_repair'] });
    expect((await lastWarranty(record))?.toVerify).toBeUndefined();
  });

  test('the phone question: a plain "none" is still no number; words without a number are unknown, never "missing"', async () => {
    expect((await checkWith({ phone: 'none' })).card).toContain('Status: Not covered');
    expect((await checkWith({ phone: "there's no sticker on it" })).card).toContain('Status: Not covered');
    const behind = await checkWith({ phone: "it's behind the cabinet" });
    expect(behind.card).toContain('Status: Covered if confirmed');
    expect((await lastWarranty(behind.record))?.toVerify).toEqual([expect.stringContaining('(customer could not tell: "it\'s behind the cabinet")')]);
    // A different number is a stated fact: that exclusion applies.
    expect((await checkWith({ phone: '0912 000 111' })).card).toContain('Status: Not covered');
  });

  test('a reply that answers nothing, twice: taken as "I\'m not sure", said so, and the check goes on', async () => {
    const { client, record } = await newClient({ now: today });
    await say(client, 'is my nvr still under warranty? SN: DS-7608-2291');
    expect(joined(await say(client, 'hmm'))).toMatch(/warranty card/);
    const second = await say(client, 'purple');
    expect(joined(second)).toMatch(/I'm not sure/);
    expect(joined(second)).toMatch(/warranty seal/);
    for (const a of ['Yes, intact', '0912-664-301', 'None of these', 'No, the device itself']) await say(client, a);
    expect(cardText(await say(client, 'No'))).toContain('Status: Covered if confirmed');
    expect((await lastWarranty(record))?.toVerify).toEqual([expect.stringMatching(/^the warranty card can be shown \(customer could not tell: "purple"\)$/)]);
  });
});

/** Every device of the sample registry the test bot runs on. */
const REGISTERED = parseDevicesCsv(readFileSync(path.join(KNOWLEDGE_DIR, 'devices', 'sample-registry.csv'), 'utf8')).devices.map((d) => d.device);

/**
 * The registered serials (as printed, and as a normalised key) and models found anywhere in the
 * replies: text, cards, buttons, channel data. `own` is a serial the customer typed exactly.
 */
function registryDataIn(replies: Partial<Activity>[], own?: string): string[] {
  const everything = JSON.stringify(replies).toUpperCase();
  const squeezed = normaliseSerial(everything);
  const ownKey = own ? normaliseSerial(own) : undefined;
  const shown = new Set<string>();
  for (const d of REGISTERED) {
    if (normaliseSerial(d.serial) === ownKey) continue;
    if (everything.includes(d.serial.toUpperCase()) || squeezed.includes(normaliseSerial(d.serial))) shown.add(d.serial);
    const ownModel = REGISTERED.some((o) => normaliseSerial(o.serial) === ownKey && o.model === d.model);
    if (!ownModel && everything.includes(d.model.toUpperCase())) shown.add(d.model);
  }
  return [...shown];
}

describe('the registry does not leak: nothing about a device until its exact serial is typed', () => {
  test('the registry data check can fail: it finds a serial and a model in a reply', () => {
    expect(registryDataIn([{ text: 'Did you mean E1C2-0043-8812 (E1C2 Dome Camera 2MP, 2.8mm)?' }])).toEqual(expect.arrayContaining(['E1C2-0043-8812', 'E1C2 Dome Camera 2MP, 2.8mm']));
    expect(registryDataIn([{ suggestedActions: { to: [], actions: [{ type: 'imBack', title: 'x', value: 'e1c2 0043 8813' }] } }])).toEqual(['E1C2-0043-8813']);
  });

  test('near serials, in the first message and re-typed, up to the ticket: no other serial or model in any reply', async () => {
    const { client, services } = await newClient({ now: today });
    const turn = async (text: string) => {
      const replies = await say(client, text);
      expect(replies.length).toBeGreaterThan(0);
      expect(registryDataIn(replies), `replies to ${JSON.stringify(text)}`).toEqual([]);
      return joined(replies);
    };
    // One digit from two registered cameras, then a swapped pair from a registered NVR, then one digit from another.
    expect(await turn('is my camera still under warranty? serial E1C2-0043-8814')).toMatch(/couldn't find serial E1C2-0043-8814 .*type the serial again/);
    await turn('DS-7608-2219');
    expect(await turn('SL-DVR8-241129-0170')).toMatch(/isn't in our registry either/);
    for (const text of ['Open a ticket', 'dana@example.com', 'Open the ticket']) await turn(text);
    // Staff get what the customer typed, and nothing the registry holds either.
    expect(registryDataIn([{ text: JSON.stringify(await services.tickets.get('T-000001')) }])).toEqual([]);
  });

  test('a near serial gets word for word the reply a serial far from any gets: no hint that one is close', async () => {
    const reply = async (serial: string) => joined(await say((await newClient({ now: today })).client, `warranty check for ${serial}`)).replaceAll(serial, '<typed>');
    expect(await reply('E1C2-0043-8814')).toBe(await reply('QQ-0000-123456'));
    expect(await reply('SL-DVR8-241129-0170')).toBe(await reply('ZZ-9999-000000-0000'));
  });

  test('the owner re-types the serial from the label and reaches the device; case, blanks, dashes, O/0 and I/L/1 do not matter', async () => {
    const { client } = await newClient({ now: today });
    const near = await say(client, 'is SL-DVR8-241129-0170 under warranty?');
    expect(buttons(near)).toEqual([]);
    const found = await say(client, 'sl dvr8 24ll29 OlO7');
    expect(joined(found)).toContain('Found it: SL-DVR8 8-channel DVR, serial SL-DVR8-241129-0107, delivered on 2024-11-29.');
    expect(registryDataIn(found, 'SL-DVR8-241129-0107')).toEqual([]);
    expect(joined(found)).toMatch(/warranty card/);
  });

  test('a customer who cannot read the label gets the ticket offer at once, not the question again', async () => {
    const { client } = await newClient({ now: today });
    expect(joined(await say(client, 'I need a warranty check'))).toMatch(/What is the serial number/);
    const out = await say(client, "I can't read it, the camera is up on the ceiling");
    expect(joined(out)).toMatch(/without the serial I can't check the warranty here, but our team can check it by hand/);
    expect(buttons(out)).toEqual(['Open a ticket', 'Talk to a person', 'No thanks']);
  });
});

describe('the bot’s own buttons never trip the anger detector (issue 10, item 4)', () => {
  test('pressing "Fire, lightning or a natural disaster" answers the question; no handoff, the check finishes', async () => {
    const { card, services, turns } = await checkWith({ damage: 'Fire, lightning or a natural disaster' });
    expect(card).toContain('Status: Not covered');
    expect(joined(turns.at(-1) ?? [])).not.toMatch(/in the queue|you're next|sorry to hear you're upset/i);
    expect(await services.handoffs.list()).toEqual([]);
  });

  test('the same words typed outside a question still count as what the customer wrote', async () => {
    const { client, services } = await newClient({ now: today });
    await say(client, 'this is a disaster, the useless recorder burned, I am furious and sick of it');
    expect((await services.handoffs.list()).length).toBe(1);
  });
});
