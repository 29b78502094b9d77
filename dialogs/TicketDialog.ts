import { TurnContext, type StatePropertyAccessor } from 'botbuilder';
import {
  ComponentDialog,
  TextPrompt,
  WaterfallDialog,
  type FoundChoice,
  type PromptValidatorContext,
  type WaterfallStepContext,
} from 'botbuilder-dialogs';
import type { ConversationRecords } from '../src/conversation/ConversationRecords.js';
import { parseContact, type CustomerProfile } from '../src/conversation/CustomerProfile.js';
import type { WarrantySummary } from '../src/domain/SupportRequest.js';
import { decisionOnly } from '../src/domain/scope.js';
import type { Actor, Ticket, TicketDraft, TicketProduct } from '../src/domain/tickets/Ticket.js';
import { ChoicesPrompt } from './rendering/ChoicesPrompt.js';
import { customerClockOf, customerTime } from './rendering/CustomerTime.js';
import { sendView } from './rendering/render.js';

export const TICKET_DIALOG_ID = 'ticketDialog';
const WATERFALL_ID = 'ticketDialog.waterfall';
const CONTACT_PROMPT_ID = 'ticketDialog.contact';
const TEXT_PROMPT_ID = 'ticketDialog.text';
const CONFIRM_PROMPT_ID = 'ticketDialog.confirm';

const OPEN = 'Open the ticket';
const CHANGE = 'Change the summary';
const CANCEL = 'Cancel';

/** The part of the ticket service this dialog needs. */
export interface TicketOpening {
  open(draft: TicketDraft, by: Actor): Promise<Ticket>;
}

export interface TicketOptions {
  /** Pre-filled from the conversation (what the customer described). */
  summary?: string;
  product?: TicketProduct;
  warranty?: WarrantySummary;
  guideTried?: string;
  /** Set when the customer chose to rewrite the summary. */
  askSummary?: boolean;
}

interface TicketValues {
  options: TicketOptions;
  summary?: string;
  product?: TicketProduct;
}
const values = (step: WaterfallStepContext) => step.values as TicketValues;

/**
 * Opens a ticket, asking only for what is missing: how to reach the customer (remembered for next
 * time), the product, a one-line summary (pre-filled from the conversation). Shows a confirmation
 * and replies with the ticket id and when our team will respond.
 */
export class TicketDialog extends ComponentDialog {
  constructor(
    private readonly tickets: TicketOpening,
    private readonly records: ConversationRecords,
    private readonly profile: StatePropertyAccessor<CustomerProfile>,
    /** The due time is said relative to now ("today at 10:46 UTC (in about 2 hours)"). */
    private readonly now: () => Date = () => new Date(),
  ) {
    super(TICKET_DIALOG_ID);
    this.addDialog(new TextPrompt(CONTACT_PROMPT_ID, async (p: PromptValidatorContext<string>) => p.recognized.succeeded && parseContact(p.recognized.value ?? '') !== null));
    this.addDialog(new TextPrompt(TEXT_PROMPT_ID));
    this.addDialog(new ChoicesPrompt(CONFIRM_PROMPT_ID));
    this.addDialog(
      new WaterfallDialog(WATERFALL_ID, [
        this.contactStep.bind(this),
        this.productStep.bind(this),
        this.summaryStep.bind(this),
        this.confirmStep.bind(this),
        this.openStep.bind(this),
      ]),
    );
    this.initialDialogId = WATERFALL_ID;
  }

  private async contactStep(step: WaterfallStepContext) {
    values(step).options = (step.options ?? {}) as TicketOptions;
    const profile = await this.profile.get(step.context, {});
    if (profile.contact) return step.next(undefined);
    return step.prompt(CONTACT_PROMPT_ID, {
      prompt: 'So our team can reach you: what is your name, and a phone number or email?',
      retryPrompt: 'Please give a phone number or an email address (for example "Dana, 0903 112 458").',
    });
  }

  private async productStep(step: WaterfallStepContext) {
    if (typeof step.result === 'string') {
      const parsed = parseContact(step.result);
      const profile = await this.profile.get(step.context, {});
      if (parsed) await this.profile.set(step.context, { ...profile, contact: parsed.contact, ...(parsed.name ? { name: parsed.name } : {}) });
    }
    const { options } = values(step);
    const fromWarranty = options.warranty ? { serial: options.warranty.serial, model: options.warranty.model, category: options.warranty.category } : undefined;
    const product = options.product ?? fromWarranty;
    if (product) {
      values(step).product = product;
      return step.next(undefined);
    }
    return step.prompt(TEXT_PROMPT_ID, { prompt: 'Which device is it about? Type its model or serial number, or "skip".' });
  }

  private async summaryStep(step: WaterfallStepContext) {
    if (typeof step.result === 'string' && !/^\s*(skip|no|none|-)\s*$/i.test(step.result)) values(step).product = { model: step.result.trim().slice(0, 120) };
    const record = await this.records.get(step.context);
    const { options } = values(step);
    const summary = options.askSummary ? undefined : (options.summary ?? record.lastTriage?.text);
    if (summary) return step.next(summary);
    return step.prompt(TEXT_PROMPT_ID, { prompt: 'In one line, what is the problem?' });
  }

  private async confirmStep(step: WaterfallStepContext) {
    const summary = String(step.result).trim().slice(0, 500);
    values(step).summary = summary;
    const profile = await this.profile.get(step.context, {});
    const product = values(step).product;
    const facts: Array<[string, string]> = [
      ['Name', profile.name ?? step.context.activity.from?.name ?? '—'],
      ['Contact', profile.contact ?? '—'],
      ['Device', product ? [product.model, product.serial && `S/N ${product.serial}`].filter(Boolean).join(', ') || '—' : '—'],
      ['Summary', summary],
    ];
    await sendView(step.context, { kind: 'facts', title: 'Your ticket', facts });
    return step.prompt(CONFIRM_PROMPT_ID, {
      prompt: 'Shall I open this ticket?',
      retryPrompt: 'Please choose: open the ticket, change the summary, or cancel.',
      choices: [
        { value: OPEN, synonyms: ['yes', 'y', 'ok', 'open', 'confirm'] },
        { value: CHANGE, synonyms: ['change', 'edit'] },
        { value: CANCEL, synonyms: ['no', 'cancel'] },
      ],
    });
  }

  private async openStep(step: WaterfallStepContext) {
    const choice = (step.result as FoundChoice).value;
    const { options, summary, product } = values(step);
    if (choice === CANCEL) {
      await step.context.sendActivity('All right, no ticket opened.');
      return step.endDialog();
    }
    if (choice === CHANGE) {
      // Start again with the product known; the summary is asked for afresh.
      const { summary: _old, ...rest } = options;
      return step.replaceDialog(WATERFALL_ID, { ...rest, ...(product ? { product } : {}), askSummary: true } satisfies TicketOptions);
    }
    const ctx = step.context;
    const profile = await this.profile.get(ctx, {});
    const record = await this.records.get(ctx);
    // With the message's language when it was one the bot does not speak, so staff know how to answer.
    const triage = record.lastTriage ? decisionOnly(record.lastTriage) : undefined;
    const ticket = await this.tickets.open(
      {
        customer: { channelId: ctx.activity.channelId, userId: ctx.activity.from.id, ...(profile.name ? { name: profile.name } : {}), ...(profile.contact ? { contact: profile.contact } : {}) },
        summary: summary ?? 'Support request',
        ...(product ? { product } : {}),
        ...(triage ? { triage } : {}),
        ...(options.warranty ? { warranty: options.warranty } : {}),
        transcript: record.transcript ?? [],
        address: { ...TurnContext.getConversationReference(ctx.activity) },
      },
      'customer',
    );
    await this.records.addRequest(ctx, { kind: 'ticket', summary: ticket.summary, ...(options.guideTried ? { guideTried: options.guideTried } : {}), ...(options.warranty ? { warranty: options.warranty } : {}) });
    await ctx.sendActivity(
      `Your ticket ${ticket.id} is open. Our support team will get back to you by ${customerTime(ticket.firstResponseDue, this.now(), customerClockOf(ctx.activity))}. Ask me "status of ${ticket.id}" any time; I will also tell you here when it changes.`,
    );
    return step.endDialog({ ticketId: ticket.id });
  }
}
