import { BotAdapter, TurnContext, type Activity, type ConversationReference, type ResourceResponse } from 'botbuilder';
import { UnreachableConversationError, type ConversationTransport } from '../../bot/ConversationTransports.js';
import type { ConversationFeeds } from './ConversationFeeds.js';

/**
 * The serviceUrl of the bot's own Direct Line conversations. Not a URL anything is sent to: it marks
 * a stored conversation reference as the widget's, so proactive messages go into its feed in-process.
 */
export const DIRECT_LINE_SERVICE_URL = 'urn:camsupport:directline';
/** The channel id widget turns carry (what Azure's Direct Line uses for Web Chat). */
export const WEBCHAT_CHANNEL_ID = 'webchat';
export const BOT_ACCOUNT = { id: 'camsupport-bot', name: 'Support', role: 'bot' } as const;

/** Activity types that mean something only to Bot Framework's own connector or the Emulator. */
const NOT_FOR_THE_WIDGET = new Set(['trace', 'invokeResponse', 'delay']);

/**
 * The Bot Framework adapter of the self-hosted Direct Line: turns run in this process under the
 * identity the server's Direct Line token vouches for, and whatever the bot sends — in the turn or
 * later — is appended to the conversation's feed. No HTTP connector, no anonymous path.
 */
export class DirectLineAdapter extends BotAdapter implements ConversationTransport {
  readonly name = 'directline';

  constructor(
    /** The widget conversations' feeds, which the Direct Line endpoint serves to clients. */
    readonly feeds: ConversationFeeds,
    private readonly now: () => Date = () => new Date(),
  ) {
    super();
  }

  /** Runs a visitor's activity (already authorised by its token) through the middleware and the bot. */
  async processActivity(activity: Partial<Activity>, logic: (context: TurnContext) => Promise<void>): Promise<void> {
    await this.runMiddleware(new TurnContext(this, activity), logic);
  }

  async sendActivities(context: TurnContext, activities: Partial<Activity>[]): Promise<ResourceResponse[]> {
    const responses: ResourceResponse[] = [];
    for (const activity of activities) {
      if (activity.type && NOT_FOR_THE_WIDGET.has(activity.type)) {
        responses.push({ id: '' });
        continue;
      }
      const conversationId = activity.conversation?.id ?? context.activity.conversation?.id;
      if (!conversationId) throw new UnreachableConversationError('no conversation id');
      const { serviceUrl: _serviceUrl, ...rest } = activity;
      const stored = await this.feeds.append(conversationId, {
        ...rest,
        timestamp: this.now().toISOString(),
        conversation: { id: conversationId },
        from: { ...BOT_ACCOUNT, ...(activity.from ?? {}), role: 'bot' },
      });
      if (!stored) throw new UnreachableConversationError('the widget conversation has ended');
      responses.push({ id: stored.id });
    }
    return responses;
  }

  async updateActivity(): Promise<void> {
    throw new Error('DirectLineAdapter.updateActivity(): the widget feed does not support changing a sent activity');
  }

  async deleteActivity(): Promise<void> {
    throw new Error('DirectLineAdapter.deleteActivity(): the widget feed does not support deleting a sent activity');
  }

  /** A proactive turn into a widget conversation (agent replies, ticket updates, queue moves). */
  async continueConversation(reference: Partial<ConversationReference>, logic: (context: TurnContext) => Promise<void>): Promise<void> {
    const conversationId = reference.conversation?.id;
    if (!conversationId || !(await this.feeds.has(conversationId))) throw new UnreachableConversationError('the widget conversation has ended');
    const request = TurnContext.applyConversationReference({ type: 'event', name: 'continueConversation' }, reference, true);
    await this.runMiddleware(new TurnContext(this, request), logic);
  }

  reaches(reference: Partial<ConversationReference>): boolean {
    return reference.serviceUrl === DIRECT_LINE_SERVICE_URL;
  }
}
