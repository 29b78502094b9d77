/**
 * The desk's timed work, as jobs for the store's Scheduler (once across instances on PostgreSQL,
 * a timer in the one process on the embedded store). main.ts starts them; tests run them by hand.
 */
import type { Logger } from 'pino';
import type { SupportDesk } from './composeSupportDesk.js';
import { QueuePositionNotices } from './domain/jobs/QueuePositionNotices.js';
import type { ScheduledJob } from './domain/ports/Scheduler.js';
import { FirstResponseWatch } from './domain/tickets/FirstResponseWatch.js';
import { recordingSettlements } from './domain/insights/firstResponseOutcomes.js';
import type { SupportStores } from './storage/SupportStores.js';

export const JOB_NAMES = {
  expiry: 'expire-idle-conversations',
  firstResponse: 'first-response-due',
  queueNotices: 'queue-position-notices',
  firstResponseAtRisk: 'first-response-at-risk',
  abandoned: 'abandoned-conversations',
} as const;

export interface SupportJobsOptions {
  desk: Pick<SupportDesk, 'stateStorage' | 'directLine' | 'handoffs' | 'deliveries'> & Partial<Pick<SupportDesk, 'serviceLevel' | 'outcomes'>>;
  stores: Pick<SupportStores, 'documents' | 'tickets' | 'events' | 'unsettledFirstResponses'>;
  /** Conversation state not written for this long is dropped (CONVERSATION_TTL_DAYS). */
  conversationTtlMs: number;
  logger: Logger;
  now: () => Date;
  /**
   * A support request with no customer message for this long, and no fix, ticket or handoff, is
   * recorded abandoned (ABANDONED_AFTER_MINUTES); without it (or without `desk.outcomes`) no such job.
   */
  abandonedAfterMs?: number;
  /** How often a waiting customer whose place has not changed is told it at most. Default 5 minutes. */
  queueNoticeEveryMs?: number;
}

export interface SupportJobs {
  jobs: ScheduledJob[];
  firstResponse: FirstResponseWatch;
  queueNotices: QueuePositionNotices;
}

export function supportJobs(o: SupportJobsOptions): SupportJobs {
  const { desk, stores, logger, now } = o;
  // Each ticket settled (first response kept or breached) is recorded for Insights as it is settled.
  const settledTickets = desk.outcomes ? recordingSettlements(stores.tickets, desk.outcomes) : stores.tickets;
  const firstResponse = new FirstResponseWatch(settledTickets, stores.unsettledFirstResponses, stores.events, now, {
    onError: (err, context) => logger.warn({ context, err: { message: (err as Error).message } }, 'first-response check: event not published'),
  });
  const queueNotices = new QueuePositionNotices(desk.handoffs, desk.deliveries, stores.documents, now, o.queueNoticeEveryMs ? { everyMs: o.queueNoticeEveryMs } : {});
  /** A failed run is logged and the next period runs as usual. */
  const logged = (name: string, run: () => Promise<void>) => async () => {
    try {
      await run();
    } catch (err) {
      logger.error({ job: name, err: { message: (err as Error).message } }, 'scheduled job failed');
    }
  };
  const jobs: ScheduledJob[] = [
    {
      name: JOB_NAMES.expiry,
      everyMs: 60 * 60 * 1000,
      // A sweep walks every stored conversation: not while a restarted server takes its first turns.
      firstAfterMs: 10 * 60 * 1000,
      run: logged(JOB_NAMES.expiry, async () => {
        const removed = await desk.stateStorage.expireIdleConversations(new Date(now().getTime() - o.conversationTtlMs));
        if (removed > 0) logger.info({ removed }, 'expired idle conversation state');
        const feeds = await desk.directLine.feeds.expireIdle();
        if (feeds > 0) logger.info({ removed: feeds }, 'expired idle widget conversations');
      }),
    },
    {
      name: JOB_NAMES.firstResponse,
      everyMs: 60 * 1000,
      run: logged(JOB_NAMES.firstResponse, async () => {
        const { breached } = await firstResponse.check();
        for (const ticketId of breached) logger.warn({ ticketId }, 'ticket: first-response due time passed without a staff response');
      }),
    },
    {
      name: JOB_NAMES.queueNotices,
      everyMs: 60 * 1000,
      run: logged(JOB_NAMES.queueNotices, async () => {
        const told = await queueNotices.run();
        if (told.length > 0) logger.info({ handoffs: told.length }, 'told waiting customers their place again');
      }),
    },
  ];
  const { serviceLevel } = desk;
  if (serviceLevel) {
    jobs.push({
      name: JOB_NAMES.firstResponseAtRisk,
      everyMs: 60 * 1000,
      // Once per ticket across instances: the ticket's `firstResponseWarnedAt` is set under its row
      // lock (or eTag), and only the run whose change set it publishes the warning.
      run: logged(JOB_NAMES.firstResponseAtRisk, async () => {
        const warned = await serviceLevel.warn();
        for (const ticketId of warned) logger.warn({ ticketId }, 'ticket: first-response due time is near and no staff member has responded');
      }),
    });
  }
  const { outcomes } = desk;
  const abandonedAfterMs = o.abandonedAfterMs;
  if (outcomes && abandonedAfterMs !== undefined) {
    jobs.push({
      name: JOB_NAMES.abandoned,
      everyMs: 60 * 1000,
      // Once across instances; on PostgreSQL each conversation leaves the watch with its event in one statement.
      run: logged(JOB_NAMES.abandoned, async () => {
        const abandoned = await outcomes.abandonIdle(abandonedAfterMs);
        if (abandoned.length > 0) logger.info({ conversations: abandoned.length }, 'recorded abandoned conversations');
      }),
    });
  }
  return { jobs, firstResponse, queueNotices };
}
