import type { Activity } from 'botbuilder';
import { describe, expect, test } from 'vitest';
import { buttons, joined, newClient, say } from './helpers/dialogClient.js';
import { SAMPLE_REGISTRY_DAY } from './helpers/testBot.js';

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
    expect(buttons(first)).toEqual(['Yes, I have it', 'No, it is lost']);
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
    expect(card).toMatch(/back up any recordings/);
    expect(buttons(answer)).toEqual(['Open a ticket', 'Talk to a person', 'No thanks']);
    expect((await record())?.lastWarranty).toMatchObject({ serial: 'DS-7608-2291', status: 'covered', chargeable: false });
    await say(client, 'Open a ticket');
    // The device is known from the warranty check: only the contact is asked, then the confirmation.
    expect(buttons(await say(client, 'dana@example.com'))).toEqual(['Open the ticket', 'Change the summary', 'Cancel']);
    await say(client, 'Open the ticket');
    expect(await services.tickets.get('T-000001')).toMatchObject({ product: { serial: 'DS-7608-2291' }, warranty: { status: 'covered' } });
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

  test('a typo in the serial gets "did you mean …?" and continues with the device picked', async () => {
    const { client } = await newClient({ now: today });
    const first = await say(client, 'is SL-DVR8-241129-0170 under warranty?');
    expect(joined(first)).toContain("I couldn't find serial SL-DVR8-241129-0170 in our registry. Did you mean one of these?");
    expect(buttons(first)[0]).toBe('SL-DVR8-241129-0107 (SL-DVR8 8-channel DVR)');
    expect(buttons(first).at(-1)).toBe('None of these');
    const picked = await say(client, 'SL-DVR8-241129-0107');
    expect(joined(picked)).toMatch(/warranty card/);
  });

  test('an unknown serial: asked again, then a ticket with the purchase details as the way out', async () => {
    const { client, services } = await newClient({ now: today });
    const first = await say(client, 'I need a warranty check');
    expect(joined(first)).toMatch(/What is the serial number/);
    expect(joined(await say(client, 'QQ-0000-123456'))).toMatch(/couldn't find serial QQ-0000-123456 .* type the serial again/);
    const out = await say(client, 'QQ-0000-123457');
    expect(joined(out)).toMatch(/model, the serial number, where and when you bought it, and a photo of the warranty card/);
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
