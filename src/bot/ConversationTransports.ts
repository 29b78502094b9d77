import type { ConversationReference } from 'botbuilder';
import { DeliveryError } from '../domain/ports/CustomerMessenger.js';
import { InFlightTurns } from './InFlightTurns.js';
import type { TurnLogic } from './TurnRunner.js';

/**
 * How one channel reaches a conversation again later (a proactive message: an agent's reply, a
 * ticket update). A transport answers only for references whose address its own channel proved:
 * a Bot Framework serviceUrl from an authenticated request, a conversation of the bot's own Direct Line.
 */
export interface ConversationTransport {
  readonly name: string;
  /** True when this transport delivers to `reference` (and may: the address passes its proof rule). */
  reaches(reference: Partial<ConversationReference>): boolean;
  continueConversation(reference: Partial<ConversationReference>, logic: TurnLogic): Promise<void>;
}

/** No channel can (or may) deliver to the address: it was never proven, or its channel is not configured. */
export class UnreachableConversationError extends DeliveryError {
  constructor(reason: string) {
    // Permanent: trying the same address again cannot help.
    super(`unreachable: ${reason}`, true);
    this.name = 'UnreachableConversationError';
  }
}

/**
 * The channels proactive messages can go through. Each registered transport answers only for the
 * addresses its channel proved; an address none answers for is never contacted.
 */
export class ConversationTransports {
  private readonly transports: ConversationTransport[] = [];

  constructor(private readonly inFlight: InFlightTurns = new InFlightTurns()) {}

  add(transport: ConversationTransport): void {
    this.transports.push(transport);
  }

  /** Continues a stored conversation; throws UnreachableConversationError when no channel proves its address. */
  async continueConversation(reference: Partial<ConversationReference>, logic: TurnLogic): Promise<void> {
    if (!reference.conversation?.id || !reference.serviceUrl) throw new UnreachableConversationError('no address');
    const transport = this.transports.find((t) => t.reaches(reference));
    if (!transport) throw new UnreachableConversationError(`no channel proves this address (${reference.channelId ?? 'unknown channel'})`);
    await this.inFlight.track(() => transport.continueConversation(reference, logic));
  }
}
