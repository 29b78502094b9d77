import { ActivityHandler, type BotState, type StatePropertyAccessor, type TurnContext } from 'botbuilder';
import type { DialogState } from 'botbuilder-dialogs';
import type { MainDialog } from '../../dialogs/MainDialog.js';
import { welcomeActivity } from '../../dialogs/messages.js';
import type { TeamsWelcome } from './TeamsWelcome.js';
import type { StaffActivityRouter } from './StaffActivityRouter.js';
import type { CustomerProfile } from '../conversation/CustomerProfile.js';
import type { HandoffCoordinator } from './HandoffCoordinator.js';


/** Activity handling: welcome new members, run the main dialog for messages, save state once per turn. */
export class SupportBot extends ActivityHandler {
  constructor(
    private readonly conversationState: BotState,
    private readonly userState: BotState,
    private readonly dialogState: StatePropertyAccessor<DialogState>,
    private readonly profile: StatePropertyAccessor<CustomerProfile>,
    private readonly dialog: MainDialog,
    private readonly handoff: HandoffCoordinator,
    private readonly now: () => Date,
    /**
     * Teams: greeting on install; staff activities (the Teams staff channel) routed before the customer
     * pipeline; satisfaction-survey answers taken before the handoff relay and triage.
     */
    private readonly channels: { teamsWelcome: TeamsWelcome; staff?: StaffActivityRouter; vendorName?: string; survey?: { handle(context: TurnContext): Promise<boolean> } },
  ) {
    super();

    this.onInstallationUpdateAdd(async (context, next) => {
      await this.channels.teamsWelcome.onInstall(context);
      await next();
    });

    this.onMembersAdded(async (context, next) => {
      if (this.channels.teamsWelcome.handles(context)) {
        await this.channels.teamsWelcome.onMembersAdded(context);
        return next();
      }
      const botId = context.activity.recipient?.id;
      const newcomers = (context.activity.membersAdded ?? []).filter((m) => m.id !== botId);
      if (newcomers.length > 0) await context.sendActivity(welcomeActivity(context.activity.channelId, this.channels.vendorName));
      await next();
    });

    this.onMessage(async (context, next) => {
      if (await this.channels.staff?.handle(context)) return next();
      await this.touchProfile(context);
      // A survey button (or a typed rating) is an answer, never a problem to triage or a line for an agent.
      if (await this.channels.survey?.handle(context)) return next();
      // During a handoff the conversation belongs to the agent: relay, don't run the dialogs.
      if (!(await this.handoff.relay(context))) await this.dialog.run(context, this.dialogState);
      await next();
    });
  }

  /** State is saved after every turn, whatever handler ran. */
  override async run(context: TurnContext): Promise<void> {
    await super.run(context);
    await this.conversationState.saveChanges(context, false);
    await this.userState.saveChanges(context, false);
  }

  private async touchProfile(context: TurnContext): Promise<void> {
    const profile = await this.profile.get(context, {});
    const now = this.now().toISOString();
    profile.firstSeenAt ??= now;
    // Day granularity: the user document is rewritten at most once a day, not on every turn.
    if (profile.lastSeenAt?.slice(0, 10) !== now.slice(0, 10)) profile.lastSeenAt = now;
    await this.profile.set(context, profile);
  }
}
