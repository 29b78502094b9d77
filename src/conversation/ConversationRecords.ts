import type { StatePropertyAccessor, TurnContext } from 'botbuilder';
import { emptyConversationRecord, type ConversationRecord, type SupportRequest, type WarrantySummary } from '../domain/SupportRequest.js';
import type { TranscriptLine } from '../domain/tickets/Ticket.js';

/** Lines of conversation kept for staff (a ticket or a handoff shows them). */
const TRANSCRIPT_LINES = 60;
import type { ScopeDecision } from '../domain/scope.js';

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

  /** Counts one failure to help; returns how many there have been in this conversation. */
  async countFailure(ctx: TurnContext): Promise<number> {
    const record = await this.get(ctx);
    record.failures = (record.failures ?? 0) + 1;
    await this.accessor.set(ctx, record);
    return record.failures;
  }

  async resetFailures(ctx: TurnContext): Promise<void> {
    const record = await this.get(ctx);
    if (!record.failures) return;
    record.failures = 0;
    await this.accessor.set(ctx, record);
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
