import { expect, test } from 'vitest';
import { findTicketIds, formatTicketId, normaliseTicketId } from '../../src/domain/tickets/TicketService.js';

test.each([
  ['T-000123', 'T-000123'],
  ['t-123', 'T-000123'],
  ['T000123', 'T-000123'],
  ['t123', 'T-000123'],
  ['123', 'T-000123'],
  [' T 123 ', 'T-000123'],
  ['#123', 'T-000123'],
  ['T-0000123', 'T-000123'],
  ['T-1234567', 'T-1234567'],
])('normaliseTicketId(%j) = %j', (input, expected) => {
  expect(normaliseTicketId(input)).toBe(expected);
});

test.each(['', 'T-', 'T-0', '0', 'abc', 'T-12a', 'TT-12', '12 34', '-5', '1234567890'])('normaliseTicketId(%j) is null', (input) => {
  expect(normaliseTicketId(input)).toBeNull();
});

test('formatTicketId pads to six digits', () => {
  expect(formatTicketId(7)).toBe('T-000007');
  expect(() => formatTicketId(0)).toThrow(/formatTicketId/);
});

test.each([
  ["What's the status of T-000123?", ['T-000123']],
  ['status of t-123 please', ['T-000123']],
  ['any news on ticket 123', ['T-000123']],
  ['my case t123', ['T-000123']],
  ['ticket #45 and ticket no. 46', ['T-000045', 'T-000046']],
  ['case number: 7', ['T-000007']],
  ['Ticket T000123, again T-000123', ['T-000123']],
  ['reference T-9', ['T-000009']],
])('findTicketIds(%j)', (text, expected) => {
  expect(findTicketIds(text)).toEqual(expected);
});

test.each([
  "what's the status of my ticket?",
  'I have 3 cameras and 1 recorder',
  'model DS-2CD2T43G2 serial NV2024A0001',
  "it don't 5 work",
  'ticketing system 123',
  'call me at 555-1234',
])('findTicketIds(%j) finds none', (text) => {
  expect(findTicketIds(text)).toEqual([]);
});
