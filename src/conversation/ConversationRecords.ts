import type { StatePropertyAccessor, TurnContext } from 'botbuilder';
import { emptyConversationRecord, type ConversationRecord, type SupportRequest } from '../domain/SupportRequest.js';
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

  async rememberTriage(ctx: TurnContext, text: string, decision: ScopeDecision): Promise<void> {
    const record = await this.get(ctx);
    record.lastTriage = { ...decision, text };
    await this.accessor.set(ctx, record);
  }
}
