import type { StatePropertyAccessor, TurnContext } from 'botbuilder';
import { emptyConversationRecord, type ConversationRecord, type SupportRequest, type WarrantySummary } from '../domain/SupportRequest.js';
import type { TranscriptLine } from '../domain/tickets/Ticket.js';

/** Lines of conversation kept for staff (a ticket or a handoff shows them). */
const TRANSCRIPT_LINES = 60;
import type { ScopeDecision } from '../domain/scope.js';

/** The two ways the bot fails to help: a message it could not place, a guide that did not fix it. */
export type FailureKind = 'unclear' | 'not_fixed';

/** Kept with the record (plain JSON in conversation state): unclear messages in a row, the acknowledged wait. */
type RecordWithFailures = ConversationRecord & { unclearInARow?: number; waitAcknowledged?: string };

/** Reads and updates the per-conversation record kept in conversation state. */
export class ConversationRecords {
  constructor(
    private readonly accessor: StatePropertyAccessor<ConversationRecord>,
    private readonly now: () => Date,
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
  }

  async rememberTriage(ctx: TurnContext, text: string, decision: ScopeDecision): Promise<void> {
    const record = await this.get(ctx);
    record.lastTriage = { ...decision, text };
    await this.accessor.set(ctx, record);
  }
}
