import type { ConversationAddress } from '../tickets/Ticket.js';

/**
 * Sends a message into a customer's existing conversation (a proactive message): ticket updates,
 * agent messages during a handoff, queue positions. The bot layer implements it with the adapter.
 */
export interface CustomerMessenger {
  send(address: ConversationAddress, text: string): Promise<void>;
}
