import { z } from 'zod';
import { TICKET_PRIORITIES, TICKET_STATUSES } from './Ticket.js';
import { decodeTicketCursor } from './ticketQuery.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './TicketService.js';

/** Query strings send "" for a cleared field: treat it as absent. */
const emptyAsAbsent = (v: unknown): unknown => (typeof v === 'string' && v.trim() === '' ? undefined : v);

/** `PATCH /api/tickets/:id`: at least one of status, priority, assignee; `assignee: null` or "" unassigns. */
export const TicketPatchSchema = z
  .strictObject({
    status: z.enum(TICKET_STATUSES).optional(),
    priority: z.enum(TICKET_PRIORITIES).optional(),
    assignee: z
      .string()
      .trim()
      .max(100)
      .transform((v) => (v === '' ? null : v))
      .nullable()
      .optional(),
  })
  .refine((p) => p.status !== undefined || p.priority !== undefined || p.assignee !== undefined, {
    message: 'give at least one of status, priority, assignee',
  });
export type TicketPatchInput = z.infer<typeof TicketPatchSchema>;

/** `POST /api/tickets/:id/comments`. */
export const TicketCommentSchema = z.strictObject({
  text: z.string().trim().min(1).max(4000),
  public: z.boolean(),
});
export type TicketCommentBody = z.infer<typeof TicketCommentSchema>;

/** Page numbers were replaced by cursors: an old client gets a 400 that says so, not page 1 again. */
const replacedBy = (name: string) =>
  z.preprocess(emptyAsAbsent, z.undefined({ error: `replaced by keyset pagination: pass the previous page's nextCursor as "cursor" (page size: "limit"), not "${name}"` }));

/** `GET /api/tickets?status=&assignee=&text=&cursor=&limit=`: strings from the query, numbers coerced. */
export const TicketFilterSchema = z.object({
  status: z.preprocess(emptyAsAbsent, z.enum(TICKET_STATUSES).optional()),
  assignee: z.preprocess(emptyAsAbsent, z.string().trim().max(100).optional()),
  text: z.preprocess(emptyAsAbsent, z.string().trim().max(200).optional()),
  cursor: z.preprocess(
    emptyAsAbsent,
    z
      .string()
      .max(100)
      .refine((c) => decodeTicketCursor(c) !== null, { error: 'not a cursor of this list (use the nextCursor of the previous page)' })
      .optional(),
  ),
  limit: z.preprocess(emptyAsAbsent, z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE)),
  page: replacedBy('page'),
  pageSize: replacedBy('pageSize'),
});
export type TicketFilterQuery = z.infer<typeof TicketFilterSchema>;
