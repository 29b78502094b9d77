import type { Logger } from 'pino';
import type { Request, Response, Server } from 'restify';
import { z } from 'zod';
import { HANDOFF_STATUSES, type Handoff, type HandoffEvent } from '../domain/handoff/Handoff.js';
import { HandoffNotFoundError, HandoffStateError, type HandoffEventMeta, type HandoffService } from '../domain/handoff/HandoffService.js';
import { AgentChatLimitError } from '../domain/handoff/HandoffStore.js';
import { PRESENCE_STATUSES, type AgentPresence } from '../domain/staff/AgentPresence.js';
import type { ServiceLevel, ServiceLevelEvent } from '../domain/tickets/ServiceLevel.js';
import type { CannedReply } from '../knowledge/cannedReplies.js';
import type { MessageSender } from '../domain/ports/CustomerMessenger.js';
import type { AuditLog } from '../domain/staff/AuditLog.js';
import type { StaffTokens } from '../domain/staff/StaffTokens.js';
import type { Actor, ConversationAddress, Ticket } from '../domain/tickets/Ticket.js';
import { normaliseTicketId, type TicketService } from '../domain/tickets/TicketService.js';
import { TicketCommentSchema, TicketFilterSchema, TicketPatchSchema } from '../domain/tickets/ticketSchemas.js';
import { describeZodError } from '../knowledge/jsonl.js';
import { sendError } from './errors.js';
import { authenticateStaff } from './staffAuth.js';
import type { Edge, HttpPlugin } from './plugin.js';

export interface StaffApiDeps {
  tokens: Pick<StaffTokens, 'verify'>;
  audit: Pick<AuditLog, 'record'>;
  tickets: Pick<TicketService, 'list' | 'get' | 'update' | 'comment'>;
  handoffs: Pick<HandoffService, 'list' | 'get' | 'position' | 'accept' | 'agentMessage' | 'close' | 'toTicket' | 'subscribe'> &
    /** Without these the streams still work, with no resuming from `Last-Event-ID`. */
    Partial<Pick<HandoffService, 'eventsSince' | 'eventPosition'>>;
  logger: Logger;
  /** Interval of the SSE comment heartbeat; 15 s unless a test wants it shorter. */
  heartbeatMs?: number;
  /** The console's canned replies (knowledge/console/canned-replies.json); none when absent. */
  cannedReplies?: readonly CannedReply[];
  /** Agents' available/away; without it the presence routes answer 404. */
  presence?: Pick<AgentPresence, 'set' | 'heartbeat' | 'of' | 'list' | 'enforced' | 'anyoneAvailable' | 'options'>;
  /** First responses at risk and breached; without it the route answers 404 and the queue stream carries handoff events only. */
  serviceLevel?: Pick<ServiceLevel, 'board' | 'subscribe' | 'eventsSince'>;
  /** The console's "typing…" signal to the customer; without it `POST /api/handoffs/:id/typing` sends nothing (`sent: false`). */
  typing?: {
    sender: CustomerTyping;
    /** At most one signal per handoff this often; 3 000 ms unless a test wants otherwise. */
    intervalMs?: number;
    /** The rate limit's clock (ms); Date.now unless a test moves time. */
    now?: () => number;
  };
}

/** Sends "typing…" into a customer's conversation, one attempt (BotCustomerMessenger.typing). */
export interface CustomerTyping {
  typing(address: ConversationAddress, from?: MessageSender): Promise<void>;
}

/** Who is calling: the name the token was issued to, and the name customers see (the name when none was set). */
interface Staff {
  name: string;
  displayName: string;
  /** Whether `displayName` was set on the token (the CLI's --display-name), not taken from the name. */
  displayNameSet: boolean;
  actor: Actor;
}

/** A 4xx with the `{error, message}` body every API error has. */
class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

const HEARTBEAT_MS = 15_000;
/** Web Chat shows a "typing…" for 5 s: one every 3 s keeps it up while the agent writes. */
const TYPING_INTERVAL_MS = 3_000;

const TicketIdSchema = z.string().transform((s, ctx) => {
  const id = normaliseTicketId(s);
  if (!id) ctx.addIssue({ code: 'custom', message: `not a ticket id (like T-000123): ${JSON.stringify(s.slice(0, 40))}` });
  return id ?? z.NEVER;
});
const HandoffIdSchema = z
  .string()
  .regex(/^H-\d{1,9}$/i, 'not a handoff id (like H-000042)')
  .transform((s) => s.toUpperCase());
const HandoffListQuerySchema = z.object({
  status: z.preprocess((v) => (v === '' ? undefined : v), z.enum(HANDOFF_STATUSES).optional()),
});
const AgentMessageSchema = z.strictObject({ text: z.string().trim().min(1).max(4000) });
const CloseHandoffSchema = z.strictObject({ note: z.string().trim().max(1000).optional() });
const PresenceSchema = z.strictObject({ status: z.enum(PRESENCE_STATUSES) });
/** Routes that take no body accept none or an empty object. */
const NoBodySchema = z.strictObject({});


function parse<T extends z.ZodType>(schema: T, value: unknown, where: string): z.output<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new HttpError(400, 'bad_request', `${where}: ${describeZodError(parsed.error)}`);
  return parsed.data;
}

function query(req: Request): Record<string, string> {
  return Object.fromEntries(new URL(req.url ?? '/', 'http://localhost').searchParams);
}

function param(req: Request, name: string): unknown {
  return (req.params as Record<string, unknown> | undefined)?.[name];
}

function notFound(what: string, id: string): HttpError {
  return new HttpError(404, 'not_found', `No ${what} ${id}.`);
}

/**
 * The token-protected staff API: tickets, handoffs and their live event streams. Every route
 * needs `Authorization: Bearer <staff token>`; every input is checked with zod; every change is
 * written to the audit log with the staff member's name.
 */
export function staffApiPlugin(deps: StaffApiDeps): HttpPlugin {
  return { name: 'staff-api', register: (server, edge) => registerStaffApi(server, deps, edge) };
}

export function registerStaffApi(server: Server, deps: StaffApiDeps, edge: Pick<Edge, 'limits'>): void {
  const { tickets, handoffs, logger } = deps;
  const { limits } = edge;

  /** Records a staff action; a failed audit write is logged, not turned into a failed request (the change is done). */
  const audit = async (staff: Staff, action: string, target: string, detail?: Record<string, unknown>) => {
    try {
      await deps.audit.record({ actor: staff.actor, action, target, ...(detail ? { detail } : {}) });
    } catch (err) {
      logger.error({ err: { message: (err as Error).message }, actor: staff.actor, action, target }, 'audit log write failed');
    }
  };

  const route =
    (handler: (req: Request, res: Response, staff: Staff) => Promise<void>) =>
    async (req: Request, res: Response): Promise<void> => {
      try {
        // The one staff-token check (staffAuth.ts), shared with the Insights API.
        const who = await authenticateStaff(req, res, deps.tokens, limits);
        if (!who) return;
        await handler(req, res, { name: who.name, displayName: who.displayName ?? who.name, displayNameSet: who.displayName !== undefined, actor: `staff:${who.name}` });
      } catch (err) {
        if (err instanceof HttpError) return sendError(res, err.status, err.code, err.message);
        if (err instanceof AgentChatLimitError) {
          return sendError(res, 409, 'chat_limit', `You already have ${err.active} active chat${err.active === 1 ? '' : 's'} (the limit is ${err.max}); close one before accepting another.`);
        }
        if (err instanceof HandoffNotFoundError) return sendError(res, 404, 'not_found', `No handoff ${err.handoffId}.`);
        if (err instanceof HandoffStateError) return sendError(res, 409, 'conflict', err.message);
        const e = err as Error;
        logger.error({ err: { name: e.name, message: e.message }, method: req.method, path: req.getPath() }, 'staff API request failed');
        if (res.headersSent) {
          res.end();
          return;
        }
        return sendError(res, 500, 'internal', 'The request could not be processed.');
      }
    };

  /** A changed ticket (telling the customer is queued: a failure shows later as the ticket's `unreachable`). */
  const ticketChange = async (change: () => Promise<Ticket | null>, id: string) => {
    const ticket = await change();
    if (!ticket) throw notFound('ticket', id);
    return ticket;
  };

  const withPosition = async (h: Handoff) => ({ ...h, position: h.status === 'waiting' ? await handoffs.position(h.id) : null });

  server.get('/api/me', route(async (_req, res, staff) => {
    res.json({ name: staff.name, ...(staff.displayNameSet ? { displayName: staff.displayName } : {}) });
  }));

  // ---- canned replies, presence, service level ---------------------------------------------

  // What this server offers the console besides the queue and tickets (tests and small setups wire less).
  server.get('/api/console-features', route(async (_req, res) => {
    res.json({ presence: Boolean(deps.presence), serviceLevel: Boolean(deps.serviceLevel), cannedReplies: (deps.cannedReplies ?? []).length > 0 });
  }));

  server.get('/api/canned-replies', route(async (_req, res) => {
    res.json({ items: deps.cannedReplies ?? [] });
  }));

  const presence = () => {
    if (!deps.presence) throw new HttpError(404, 'not_found', 'Agent presence is not configured on this server.');
    return deps.presence;
  };

  /** The caller's presence, everybody's, and whether a person is offered to customers now. */
  const presenceBody = async (staff: Staff) => {
    const p = presence();
    const [me, agents, enforced, anyoneAvailable] = await Promise.all([p.of(staff.name), p.list(), p.enforced(), p.anyoneAvailable()]);
    return { me, agents, enforced, anyoneAvailable, timeoutMinutes: p.options.timeoutMs / 60_000 };
  };

  server.get('/api/presence', route(async (_req, res, staff) => {
    res.json(await presenceBody(staff));
  }));

  server.put('/api/presence', route(async (req, res, staff) => {
    const { status } = parse(PresenceSchema, req.body, 'body');
    await presence().set(staff.name, status);
    await audit(staff, 'presence.set', staff.name, { status });
    res.json(await presenceBody(staff));
  }));

  // The console's heartbeat (every 30 s while it is open): not audited, it changes nothing but the time.
  server.post('/api/presence/heartbeat', route(async (req, res, staff) => {
    parse(NoBodySchema, req.body ?? {}, 'body');
    await presence().heartbeat(staff.name);
    res.json(await presenceBody(staff));
  }));

  server.get('/api/service-level', route(async (_req, res) => {
    if (!deps.serviceLevel) throw new HttpError(404, 'not_found', 'The service level is not configured on this server.');
    res.json(await deps.serviceLevel.board());
  }));

  // ---- tickets -------------------------------------------------------------------------------

  // Keyset pagination: `{ items, nextCursor, limit }`; pass nextCursor back as `cursor` for the next page.
  server.get('/api/tickets', route(async (req, res) => {
    const { page: _page, pageSize: _pageSize, ...filter } = parse(TicketFilterSchema, query(req), 'query');
    res.json(await tickets.list(filter));
  }));

  server.get('/api/tickets/:id', route(async (req, res) => {
    const id = parse(TicketIdSchema, param(req, 'id'), 'id');
    const ticket = await tickets.get(id);
    if (!ticket) throw notFound('ticket', id);
    res.json(ticket);
  }));

  server.patch('/api/tickets/:id', route(async (req, res, staff) => {
    const id = parse(TicketIdSchema, param(req, 'id'), 'id');
    const patch = parse(TicketPatchSchema, req.body, 'body');
    const ticket = await ticketChange(() => tickets.update(id, patch, staff.actor), id);
    await audit(staff, 'ticket.update', id, { ...patch });
    res.json(ticket);
  }));

  server.post('/api/tickets/:id/comments', route(async (req, res, staff) => {
    const id = parse(TicketIdSchema, param(req, 'id'), 'id');
    const comment = parse(TicketCommentSchema, req.body, 'body');
    const ticket = await ticketChange(() => tickets.comment(id, comment, staff.actor), id);
    await audit(staff, 'ticket.comment', id, { public: comment.public, chars: comment.text.length });
    res.status(201);
    res.json(ticket);
  }));

  // ---- handoffs ------------------------------------------------------------------------------

  server.get('/api/handoffs', route(async (req, res) => {
    const { status } = parse(HandoffListQuerySchema, query(req), 'query');
    res.json({ items: await Promise.all((await handoffs.list(status)).map(withPosition)) });
  }));

  // Registered before /api/handoffs/:id: the static segment wins anyway, but this reads in order.
  server.get('/api/handoffs/events', route(async (req, res) => {
    await eventStream(req, res, deps, async () => ({ type: 'snapshot', items: await Promise.all((await handoffs.list()).map(withPosition)) }));
  }));

  server.get('/api/handoffs/:id', route(async (req, res) => {
    const id = parse(HandoffIdSchema, param(req, 'id'), 'id');
    const handoff = await handoffs.get(id);
    if (!handoff) throw notFound('handoff', id);
    res.json(await withPosition(handoff));
  }));

  server.get('/api/handoffs/:id/events', route(async (req, res) => {
    const id = parse(HandoffIdSchema, param(req, 'id'), 'id');
    const handoff = await handoffs.get(id);
    if (!handoff) throw notFound('handoff', id);
    await eventStream(req, res, deps, async () => ({ type: 'snapshot', handoff: await withPosition((await handoffs.get(id)) ?? handoff) }), id);
  }));

  server.post('/api/handoffs/:id/accept', route(async (req, res, staff) => {
    const id = parse(HandoffIdSchema, param(req, 'id'), 'id');
    parse(NoBodySchema, req.body ?? {}, 'body');
    const handoff = await handoffs.accept(id, staff.name, staff.displayName);
    await audit(staff, 'handoff.accept', id);
    res.json(handoff);
  }));

  server.post('/api/handoffs/:id/messages', route(async (req, res, staff) => {
    const id = parse(HandoffIdSchema, param(req, 'id'), 'id');
    const { text } = parse(AgentMessageSchema, req.body, 'body');
    const handoff = await handoffs.agentMessage(id, staff.name, text, staff.displayName);
    await audit(staff, 'handoff.message', id, { chars: text.length });
    res.status(201);
    res.json(handoff);
  }));

  server.post('/api/handoffs/:id/close', route(async (req, res, staff) => {
    const id = parse(HandoffIdSchema, param(req, 'id'), 'id');
    const { note } = parse(CloseHandoffSchema, req.body ?? {}, 'body');
    const handoff = await handoffs.close(id, staff.name, note || undefined, staff.displayName);
    await audit(staff, 'handoff.close', id, note ? { note } : undefined);
    res.json(handoff);
  }));

  // Best effort and not audited (it is no change): the console calls it as the agent types; at most
  // one signal per handoff an interval reaches the customer, the rest answer `sent: false`.
  const typingGate = new Throttle(deps.typing?.intervalMs ?? TYPING_INTERVAL_MS, deps.typing?.now ?? Date.now);
  server.post('/api/handoffs/:id/typing', route(async (req, res, staff) => {
    const id = parse(HandoffIdSchema, param(req, 'id'), 'id');
    parse(NoBodySchema, req.body ?? {}, 'body');
    const handoff = await handoffs.get(id);
    if (!handoff) throw notFound('handoff', id);
    if (handoff.status !== 'active') throw new HttpError(409, 'conflict', `Handoff ${id} is ${handoff.status}, not active.`);
    let sent = false;
    if (deps.typing && typingGate.take(id)) {
      try {
        await deps.typing.sender.typing(handoff.address, { name: staff.displayName });
        sent = true;
      } catch (err) {
        // The agent's next message reports a channel that is really gone; a lost "typing…" is no news.
        logger.debug({ err: { message: (err as Error).message }, handoffId: id }, 'typing signal not sent');
      }
    }
    res.json({ sent });
  }));

  server.post('/api/handoffs/:id/ticket', route(async (req, res, staff) => {
    const id = parse(HandoffIdSchema, param(req, 'id'), 'id');
    parse(NoBodySchema, req.body ?? {}, 'body');
    const result = await handoffs.toTicket(id, staff.name);
    await audit(staff, 'handoff.ticket', id, { ticketId: result.ticket.id });
    res.status(201);
    res.json(result);
  }));
}

/** At most one `take` per key an interval; keys whose interval has passed are forgotten, so the map stays small. */
class Throttle {
  private readonly last = new Map<string, number>();

  constructor(
    private readonly intervalMs: number,
    private readonly now: () => number,
  ) {}

  take(key: string): boolean {
    const now = this.now();
    const previous = this.last.get(key);
    if (previous !== undefined && now - previous < this.intervalMs) return false;
    this.last.set(key, now);
    if (this.last.size > 1_000) {
      for (const [k, at] of this.last) if (now - at >= this.intervalMs) this.last.delete(k);
    }
    return true;
  }
}

/** `Last-Event-ID`: `<epoch>.<id>`, as the `id:` lines this stream writes. */
const LAST_EVENT_ID = /^([A-Za-z0-9_-]{1,40})\.(\d{1,15})$/;

/**
 * Server-Sent Events: a snapshot first, then every handoff event (of one handoff, or all of them,
 * on every instance) as `id: <epoch>.<n>` / `event: <type>` / `data: <json>`, and a comment line
 * every 15 s so proxies keep the connection open. A client that reconnects with `Last-Event-ID`
 * (EventSource does) gets the events it missed instead of a snapshot, when they are still kept.
 * Events that arrive while the snapshot or the replay is read are held and sent after it, none
 * twice. The stream of all handoffs also carries the service-level events (a ticket's first
 * response at risk or breached): they share the bus's ids. Resolves when the client goes away,
 * after unsubscribing.
 */
async function eventStream(req: Request, res: Response, deps: StaffApiDeps, snapshot: () => Promise<{ type: string }>, handoffId?: string): Promise<void> {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  const write = (chunk: string) => {
    if (!res.writableEnded && !res.destroyed) res.write(chunk);
  };
  // The id line last: field order does not matter to SSE, and simple readers take event + data first.
  const format = (event: { type: string }, meta?: HandoffEventMeta) =>
    `event: ${event.type}\ndata: ${JSON.stringify(event)}\n${meta ? `id: ${meta.epoch}.${meta.id}\n` : ''}\n`;
  // Events up to this id are in what was sent already (the snapshot, or the replay).
  let sentUpTo = 0;
  const send = (event: HandoffEvent | ServiceLevelEvent, meta: HandoffEventMeta) => {
    if (meta.id <= sentUpTo) return;
    sentUpTo = meta.id;
    write(format(event, meta));
  };
  let held: Array<{ event: HandoffEvent | ServiceLevelEvent; meta: HandoffEventMeta }> | null = [];
  const listener = (event: HandoffEvent | ServiceLevelEvent, meta: HandoffEventMeta) => {
    if (held) held.push({ event, meta });
    else send(event, meta);
  };
  const unsubscribe = deps.handoffs.subscribe(listener, handoffId);
  const serviceLevel = handoffId === undefined ? deps.serviceLevel : undefined;
  const unsubscribeServiceLevel = serviceLevel?.subscribe(listener);
  const heartbeat = setInterval(() => write(': heartbeat\n\n'), deps.heartbeatMs ?? HEARTBEAT_MS);
  const closed = new Promise<void>((resolve) => {
    res.once('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
      unsubscribeServiceLevel?.();
      resolve();
    });
  });
  try {
    const resumeFrom = LAST_EVENT_ID.exec(req.header('last-event-id') ?? '');
    const epoch = resumeFrom?.[1] ?? '';
    const afterId = Number(resumeFrom?.[2]);
    const missedHandoffs = resumeFrom && deps.handoffs.eventsSince ? await deps.handoffs.eventsSince(epoch, afterId, handoffId) : null;
    const missedServiceLevel = resumeFrom && serviceLevel ? await serviceLevel.eventsSince(epoch, afterId) : [];
    // One topic not kept any more: a fresh snapshot instead (the console reloads its lists then).
    const missed = missedHandoffs && missedServiceLevel ? [...missedHandoffs, ...missedServiceLevel].sort((a, b) => a.meta.id - b.meta.id) : null;
    if (missed) {
      sentUpTo = Number(resumeFrom?.[2]);
      for (const { event, meta } of missed) send(event, meta);
    } else {
      // The position first: the snapshot, read after it, holds every event up to it.
      const position = await deps.handoffs.eventPosition?.();
      write(format(await snapshot(), position));
      if (position) sentUpTo = position.id;
    }
  } catch (err) {
    deps.logger.error({ err: { message: (err as Error).message }, path: req.getPath() }, 'event stream snapshot failed');
  }
  for (const { event, meta } of held) send(event, meta);
  held = null;
  await closed;
}
