import { z } from 'zod';
import { TICKET_PRIORITIES, TICKET_STATUSES } from './Ticket.js';

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

/** `GET /api/tickets?status=&assignee=&text=&page=&pageSize=`: strings from the query, numbers coerced. */
export const TicketFilterSchema = z.object({
  status: z.preprocess(emptyAsAbsent, z.enum(TICKET_STATUSES).optional()),
  assignee: z.preprocess(emptyAsAbsent, z.string().trim().max(100).optional()),
  text: z.preprocess(emptyAsAbsent, z.string().trim().max(200).optional()),
  page: z.preprocess(emptyAsAbsent, z.coerce.number().int().min(1).max(1_000_000).default(1)),
  pageSize: z.preprocess(emptyAsAbsent, z.coerce.number().int().min(1).max(100).default(20)),
});
export type TicketFilterQuery = z.infer<typeof TicketFilterSchema>;
