import type { CloudAdapter, ConversationReference } from 'botbuilder';
import type { Logger } from 'pino';
import type { CustomerMessenger } from '../domain/ports/CustomerMessenger.js';
import type { ConversationAddress, Ticket } from '../domain/tickets/Ticket.js';
import type { TicketNotifier } from '../domain/tickets/TicketStore.js';

/**
 * Proactive messages into a customer's conversation through the adapter (the stored
 * ConversationReference). A customer who has gone away must not fail a staff action: a failed
 * send is logged (ids only) and reported as false.
 */
export class BotCustomerMessenger implements CustomerMessenger, TicketNotifier {
  constructor(
    private readonly adapter: CloudAdapter,
    /** The bot's Microsoft app id; empty when running anonymously. */
    private readonly appId: string,
    private readonly logger: Logger,
  ) {}

  async send(address: ConversationAddress, text: string): Promise<void> {
    const reference = address as Partial<ConversationReference>;
    try {
      await this.adapter.continueConversationAsync(this.appId, reference, async (context) => {
        await context.sendActivity(text);
      });
    } catch (err) {
      this.logger.warn({ channelId: reference.channelId, conversationId: reference.conversation?.id, err: { message: (err as Error).message } }, 'proactive message not delivered');
    }
  }

  async ticketChanged(ticket: Ticket, message: string): Promise<void> {
    if (ticket.address) await this.send(ticket.address, message);
  }
}
