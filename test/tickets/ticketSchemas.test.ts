import { expect, expectTypeOf, test } from 'vitest';
import type { TicketFilter } from '../../src/domain/tickets/Ticket.js';
import type { TicketPatch } from '../../src/domain/tickets/TicketService.js';
import { decodeTicketCursor, encodeTicketCursor } from '../../src/domain/tickets/ticketQuery.js';
import { TicketCommentSchema, TicketFilterSchema, TicketPatchSchema } from '../../src/domain/tickets/ticketSchemas.js';

test('TicketPatchSchema: at least one known field, valid values, "" or null unassigns', () => {
  expect(TicketPatchSchema.parse({ status: 'resolved' })).toEqual({ status: 'resolved' });
  expect(TicketPatchSchema.parse({ assignee: '' })).toEqual({ assignee: null });
  expect(TicketPatchSchema.parse({ assignee: null, priority: 'high' })).toEqual({ assignee: null, priority: 'high' });
  expect(TicketPatchSchema.parse({ assignee: ' dana ' })).toEqual({ assignee: 'dana' });
  expect(TicketPatchSchema.safeParse({}).success).toBe(false);
  expect(TicketPatchSchema.safeParse({ status: 'done' }).success).toBe(false);
  expect(TicketPatchSchema.safeParse({ status: 'closed', summary: 'x' }).success).toBe(false);
  expectTypeOf<ReturnType<typeof TicketPatchSchema.parse>>().toExtend<TicketPatch>();
});

test('TicketCommentSchema: text 1..4000 (trimmed) and a boolean public', () => {
  expect(TicketCommentSchema.parse({ text: ' hi ', public: true })).toEqual({ text: 'hi', public: true });
  expect(TicketCommentSchema.safeParse({ text: '   ', public: true }).success).toBe(false);
  expect(TicketCommentSchema.safeParse({ text: 'x'.repeat(4001), public: false }).success).toBe(false);
  expect(TicketCommentSchema.safeParse({ text: 'hi', public: 'yes' }).success).toBe(false);
  expect(TicketCommentSchema.safeParse({ text: 'hi' }).success).toBe(false);
});

test('TicketFilterSchema: query strings, numbers coerced, empty values absent, limit 50 by default and at most 200, a cursor checked', () => {
  expect(TicketFilterSchema.parse({})).toEqual({ limit: 50 });
  const cursor = encodeTicketCursor({ createdAt: '2025-03-01T09:00:00.000Z', number: 42 });
  expect(TicketFilterSchema.parse({ status: 'open', limit: '200', text: ' cam ', assignee: '', cursor })).toMatchObject({
    status: 'open',
    limit: 200,
    text: 'cam',
    assignee: undefined,
    cursor,
  });
  expect(TicketFilterSchema.parse({ cursor: '' })).toEqual({ limit: 50 });
  for (const bad of [{ status: 'done' }, { limit: '0' }, { limit: 'two' }, { limit: '201' }, { limit: '1.5' }, { cursor: 'abc' }, { cursor: 'x'.repeat(101) }]) {
    expect(TicketFilterSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
  }
  // Page numbers were replaced: an old client is told so instead of getting page 1 again.
  const old = TicketFilterSchema.safeParse({ page: '2', pageSize: '20' });
  expect(old.success).toBe(false);
  expect(old.error?.issues.map((i) => i.message).join(' ')).toMatch(/nextCursor/);
  expectTypeOf<ReturnType<typeof TicketFilterSchema.parse>>().toExtend<TicketFilter>();
});

test('ticket cursors: round trip; anything else is not one', () => {
  const key = { createdAt: '2025-03-01T09:00:00.000Z', number: 123 };
  expect(decodeTicketCursor(encodeTicketCursor(key))).toEqual(key);
  const encoded = (text: string) => Buffer.from(text).toString('base64url');
  for (const bad of ['', 'abc', '!!!', encoded('2025-03-01T09:00:00.000Z~0'), encoded('2025-13-45T09:00:00.000Z~1'), encoded('yesterday~1')]) {
    expect(decodeTicketCursor(bad), bad).toBeNull();
  }
});
