import { ActivityTypes, Channels, MessageFactory, type StatePropertyAccessor, type TurnContext } from 'botbuilder';
import { welcomeActivity } from '../../dialogs/messages.js';
import { DEFAULT_VENDOR_NAME } from '../domain/Vendor.js';

/**
 * Teams greets once per conversation, when the app is installed: Teams sends both an
 * `installationUpdate` (action "add") and a `conversationUpdate` with the bot among the members
 * added, so whichever comes first greets and the other finds the flag set. Members joining a team
 * later are not greeted: in a team that would be one bot post per new colleague.
 */
export class TeamsWelcome {
  constructor(
    /** Conversation state: whether this conversation has been greeted. */
    private readonly welcomed: StatePropertyAccessor<boolean>,
    /** The vendor the assistant speaks for (VENDOR_NAME). */
    private readonly vendorName?: string,
  ) {}

  /** True for a Teams activity (the caller then leaves greeting to this class). */
  handles(context: TurnContext): boolean {
    return context.activity.channelId === Channels.Msteams;
  }

  /** `installationUpdate` with action "add" (not "add-upgrade": an upgrade is not a first meeting). */
  async onInstall(context: TurnContext): Promise<void> {
    if (context.activity.type !== ActivityTypes.InstallationUpdate || context.activity.action !== 'add') return;
    await this.greetOnce(context);
  }

  /** `conversationUpdate`: greets only when the bot itself is among the members added. */
  async onMembersAdded(context: TurnContext): Promise<void> {
    const botId = context.activity.recipient?.id;
    if (!botId || !(context.activity.membersAdded ?? []).some((m) => m.id === botId)) return;
    await this.greetOnce(context);
  }

  private async greetOnce(context: TurnContext): Promise<void> {
    if (await this.welcomed.get(context, false)) return;
    await this.welcomed.set(context, true);
    await context.sendActivity(teamsWelcomeActivity(context.activity.conversation?.conversationType, context.activity.recipient?.name, this.vendorName));
  }
}

/**
 * Personal scope gets the full welcome card. In a team channel or group chat the bot only hears
 * messages that @mention it, so it says so in a short intro instead of a big card in everyone's feed.
 */
export function teamsWelcomeActivity(conversationType: string | undefined, botName = 'the support bot', vendorName?: string) {
  if (conversationType !== 'channel' && conversationType !== 'groupChat') return welcomeActivity('msteams', vendorName);
  const where = conversationType === 'channel' ? 'this channel' : 'this chat';
  return MessageFactory.text(
    `Hi, I'm ${botName}, the ${vendorName ?? DEFAULT_VENDOR_NAME} support assistant for our DVRs, NVRs and cameras. To ask me something in ${where}, @mention me: "@${botName} the app says device offline". I can troubleshoot, check a warranty, open a ticket or bring in a person. For a private conversation, chat with me directly.`,
  );
}
