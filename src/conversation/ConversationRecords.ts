import type { StatePropertyAccessor, TurnContext } from 'botbuilder';
import { emptyConversationRecord, type ConversationRecord, type SupportRequest, type WarrantySummary } from '../domain/SupportRequest.js';
import type { TranscriptLine } from '../domain/tickets/Ticket.js';

/** Lines of conversation kept for staff (a ticket or a handoff shows them). */
const TRANSCRIPT_LINES = 60;
import type { ScopeDecision } from '../domain/scope.js';
import type { OutcomeRecorder } from '../domain/insights/OutcomeRecorder.js';

/** The two ways the bot fails to help: a message it could not place, a guide that did not fix it. */
export type FailureKind = 'unclear' | 'not_fixed';

/**
 * Kept with the record (plain JSON in conversation state): unclear messages in a row, the
 * acknowledged wait, the policy clause an answer applied other than by the triage's own label.
 */
type RecordWithFailures = ConversationRecord & { unclearInARow?: number; waitAcknowledged?: string; clauseApplied?: string; triagedRequests?: number };

/** The conversation's key for the outcome events ("<channelId>/<conversationId>", hashed by the recorder). */
const outcomeKey = (ctx: TurnContext) => `${ctx.activity.channelId}/${ctx.activity.conversation?.id}`;

/** Reads and updates the per-conversation record kept in conversation state. */
export class ConversationRecords {
  constructor(
    private readonly accessor: StatePropertyAccessor<ConversationRecord>,
    private readonly now: () => Date,
    /** Where triage results, guides shown, fixes and warranty checks are recorded for Insights (no text). */
    private readonly outcomes?: Pick<OutcomeRecorder, 'record' | 'customerMessage'>,
  ) {}

  async get(ctx: TurnContext): Promise<ConversationRecord> {
    return this.accessor.get(ctx, emptyConversationRecord());
  }

  async addRequest(ctx: TurnContext, request: Omit<SupportRequest, 'requestedAt'>): Promise<SupportRequest> {
    const record = await this.get(ctx);
    const full: SupportRequest = { ...request, requestedAt: this.now().toISOString() };
    // Missing details are filled from the last triage so staff see what the customer described.
    if (!full.summary && record.lastTriage) full.summary = record.lastTriage.text;
    if (!full.triage && record.lastTriage) {
      const { text: _text, ...decision } = record.lastTriage;
      full.triage = decision;
    }
    record.requests.push(full);
    await this.accessor.set(ctx, record);
    return full;
  }

  /** Keeps the last lines of the conversation; older ones are dropped so the state stays small. */
  async appendTranscript(ctx: TurnContext, lines: readonly TranscriptLine[]): Promise<void> {
    if (lines.length === 0) return;
    const record = await this.get(ctx);
    record.transcript = [...(record.transcript ?? []), ...lines].slice(-TRANSCRIPT_LINES);
    await this.accessor.set(ctx, record);
  }

  /**
   * Counts one failure to help, of one kind, and returns how many of that kind there have been in a
   * row: 'unclear' (a message the bot could not place; a clear message resets it) or 'not_fixed'
   * (a guide that did not help; "fixed" resets it). Two in a row bring the offer of a person or a ticket.
   */
  async countFailure(ctx: TurnContext, kind: FailureKind = 'not_fixed'): Promise<number> {
    const record = (await this.get(ctx)) as RecordWithFailures;
    const count = (kind === 'unclear' ? record.unclearInARow ?? 0 : record.failures ?? 0) + 1;
    if (kind === 'unclear') record.unclearInARow = count;
    else record.failures = count;
    await this.accessor.set(ctx, record);
    return count;
  }

  /** The bot helped (or offered a person): that kind's count starts again; without a kind, both do. */
  async resetFailures(ctx: TurnContext, kind?: FailureKind): Promise<void> {
    const record = (await this.get(ctx)) as RecordWithFailures;
    if (kind !== 'unclear' && record.failures) record.failures = 0;
    if (kind !== 'not_fixed' && record.unclearInARow) record.unclearInARow = 0;
    await this.accessor.set(ctx, record);
  }

  /** The handoff whose waiting customer has been told their messages go to the queue (once per handoff). */
  async waitAcknowledged(ctx: TurnContext, handoffId: string): Promise<boolean> {
    const record = (await this.get(ctx)) as RecordWithFailures;
    if (record.waitAcknowledged === handoffId) return true;
    record.waitAcknowledged = handoffId;
    await this.accessor.set(ctx, record);
    return false;
  }

  async rememberWarranty(ctx: TurnContext, warranty: WarrantySummary): Promise<void> {
    const record = await this.get(ctx);
    record.lastWarranty = warranty;
    await this.accessor.set(ctx, record);
    await this.outcomes?.record(outcomeKey(ctx), { kind: 'warranty_checked', status: warranty.status });
  }

  /** A troubleshooting guide was shown (its id is the request's topic in Insights). */
  async guideShown(ctx: TurnContext, guide: string): Promise<void> {
    await this.outcomes?.record(outcomeKey(ctx), { kind: 'guide_shown', guide });
  }

  /** The customer confirmed the bot's help fixed it. */
  async resolvedByBot(ctx: TurnContext, guide?: string): Promise<void> {
    await this.outcomes?.record(outcomeKey(ctx), { kind: 'resolved_by_bot', ...(guide ? { guide } : {}) });
  }

  /** The customer wrote (a watched support request is not abandoned while they do). */
  async customerWrote(ctx: TurnContext): Promise<void> {
    await this.outcomes?.customerMessage(outcomeKey(ctx));
  }

  async rememberTriage(ctx: TurnContext, text: string, decision: ScopeDecision): Promise<void> {
    const record = (await this.get(ctx)) as RecordWithFailures;
    // The same message again (its clarification): the same request, whose later decision replaces the guess.
    const sameMessage = record.lastTriage?.text === text;
    if (!sameMessage || record.triagedRequests === undefined) record.triagedRequests = (record.triagedRequests ?? 0) + 1;
    record.lastTriage = { ...decision, text };
    // A new message: a clause applied to the last one no longer answers "why?".
    delete record.clauseApplied;
    await this.accessor.set(ctx, record);
    await this.outcomes?.record(outcomeKey(ctx), {
      kind: 'triaged',
      scope: decision.scope,
      clause: decision.clause,
      intent: decision.intent,
      ...(decision.language ? { language: decision.language } : {}),
      request: record.triagedRequests,
    });
  }

  /**
   * An answer applied this policy clause although the triage did not label the message with it
   * (the network checks all passed; the customer's part of a mixed message): "why?" quotes it.
   */
  async rememberClauseApplied(ctx: TurnContext, clauseId: string): Promise<void> {
    const record = (await this.get(ctx)) as RecordWithFailures;
    record.clauseApplied = clauseId;
    await this.accessor.set(ctx, record);
  }

  /** The clause the bot's last answer applied, if any: what "why?" / "show the policy" asks to see. */
  async clauseApplied(ctx: TurnContext): Promise<string | null> {
    const record = (await this.get(ctx)) as RecordWithFailures;
    if (record.clauseApplied) return record.clauseApplied;
    const t = record.lastTriage;
    if (t?.scope === 'out_of_scope') return t.clause;
    if (t?.scope === 'advice_only') return 'advice_only';
    return null;
  }
}
