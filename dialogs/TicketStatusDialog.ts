import { ComponentDialog, WaterfallDialog, type FoundChoice, type WaterfallStepContext } from 'botbuilder-dialogs';
import type { Ticket } from '../src/domain/tickets/Ticket.js';
import { ChoicesPrompt } from './rendering/ChoicesPrompt.js';
import { customerClockOf, customerTime, type CustomerClock } from './rendering/CustomerTime.js';
import { sendView } from './rendering/render.js';
import type { FactsView } from './rendering/views.js';

export const TICKET_STATUS_DIALOG_ID = 'ticketStatusDialog';
const WATERFALL_ID = 'ticketStatusDialog.waterfall';
const PICK_PROMPT_ID = 'ticketStatusDialog.pick';

/** The part of the ticket service this dialog needs: only the customer's own tickets. */
export interface TicketLookup {
  forCustomer(customer: { channelId: string; userId: string }, id: string): Promise<Ticket | null>;
  listForCustomer(customer: { channelId: string; userId: string }): Promise<Ticket[]>;
}

export interface TicketStatusOptions {
  text: string;
}

const STATUS_WORDS: Record<Ticket['status'], string> = {
  open: 'open, waiting for our team',
  in_progress: 'in progress: our team is working on it',
  waiting_customer: 'waiting for your reply',
  resolved: 'resolved',
  closed: 'closed',
};

/**
 * "What's the status of my ticket?" / "status of T-000123": answers only with the customer's own
 * tickets; someone else's id gets exactly the answer an unknown id gets.
 */
export class TicketStatusDialog extends ComponentDialog {
  constructor(
    private readonly tickets: TicketLookup,
    private readonly findIds: (text: string) => string[],
    /** "Opened yesterday at 16:20" is said relative to now, in the customer's zone when known. */
    private readonly now: () => Date = () => new Date(),
  ) {
    super(TICKET_STATUS_DIALOG_ID);
    this.addDialog(new ChoicesPrompt(PICK_PROMPT_ID));
    this.addDialog(new WaterfallDialog(WATERFALL_ID, [this.lookUpStep.bind(this), this.pickedStep.bind(this)]));
    this.initialDialogId = WATERFALL_ID;
  }

  private customer(step: WaterfallStepContext) {
    return { channelId: step.context.activity.channelId, userId: step.context.activity.from.id };
  }

  private async lookUpStep(step: WaterfallStepContext) {
    const { text } = step.options as TicketStatusOptions;
    const ids = this.findIds(text);
    if (ids.length > 0) {
      for (const id of ids) {
        const ticket = await this.tickets.forCustomer(this.customer(step), id);
        if (ticket) await sendView(step.context, this.describe(ticket, customerClockOf(step.context.activity)));
        else await step.context.sendActivity(`I couldn't find a ticket ${id} for you. Please check the number; your tickets are the ones opened in this chat.`);
      }
      return step.endDialog();
    }
    const mine = await this.tickets.listForCustomer(this.customer(step));
    if (mine.length === 0) {
      await step.context.sendActivity("I don't see any ticket opened from this chat. If you have a ticket number, tell me (for example \"status of T-000123\"), or describe the problem and I can open one.");
      return step.endDialog();
    }
    const only = mine[0];
    if (mine.length === 1 && only) {
      await sendView(step.context, this.describe(only, customerClockOf(step.context.activity)));
      return step.endDialog();
    }
    return step.prompt(PICK_PROMPT_ID, {
      prompt: `You have ${mine.length} tickets. Which one?`,
      choices: mine.slice(0, 10).map((t) => ({ value: t.id, action: { type: 'imBack', title: `${t.id}: ${t.summary.slice(0, 40)}`, value: t.id } })),
    });
  }

  private async pickedStep(step: WaterfallStepContext) {
    const ticket = await this.tickets.forCustomer(this.customer(step), (step.result as FoundChoice).value);
    if (ticket) await sendView(step.context, this.describe(ticket, customerClockOf(step.context.activity)));
    return step.endDialog();
  }

  private describe(t: Ticket, clock: CustomerClock): FactsView {
    const lastPublic = [...t.comments].reverse().find((c) => c.public);
    const facts: Array<[string, string]> = [
      ['Status', STATUS_WORDS[t.status]],
      ['Opened', customerTime(t.createdAt, this.now(), clock)],
      ['Summary', t.summary],
      ...(t.product?.model || t.product?.serial ? [['Device', [t.product.model, t.product.serial && `S/N ${t.product.serial}`].filter(Boolean).join(', ')] as [string, string]] : []),
      ...(lastPublic ? [['Latest from our team', lastPublic.text] as [string, string]] : []),
    ];
    return { kind: 'facts', title: `Ticket ${t.id}`, facts };
  }
}
