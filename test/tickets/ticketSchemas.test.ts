import { expect, expectTypeOf, test } from 'vitest';
import type { TicketFilter } from '../../src/domain/tickets/Ticket.js';
import type { TicketPatch } from '../../src/domain/tickets/TicketService.js';
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

test('TicketFilterSchema: query strings, numbers coerced, empty values absent, defaults 1 and 20', () => {
  expect(TicketFilterSchema.parse({})).toMatchObject({ page: 1, pageSize: 20 });
  expect(TicketFilterSchema.parse({ status: 'open', page: '3', pageSize: '50', text: ' cam ', assignee: '' })).toMatchObject({
    status: 'open',
    page: 3,
    pageSize: 50,
    text: 'cam',
    assignee: undefined,
  });
  for (const bad of [{ status: 'done' }, { page: '0' }, { page: 'two' }, { pageSize: '101' }, { page: '1.5' }]) {
    expect(TicketFilterSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
  }
  expectTypeOf<ReturnType<typeof TicketFilterSchema.parse>>().toExtend<TicketFilter>();
});
