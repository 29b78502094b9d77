import { CardFactory, Channels, MessageFactory, type Activity } from 'botbuilder';

/** Channels that render Adaptive Cards; everywhere else (Slack, SMS…) gets the same content as text. */
const ADAPTIVE_CARD_CHANNELS = new Set<string>([Channels.Msteams, Channels.Webchat, Channels.Directline, Channels.Emulator, Channels.Test]);

export function supportsAdaptiveCards(channelId: string): boolean {
  return ADAPTIVE_CARD_CHANNELS.has(channelId);
}

/** A titled list of facts, as an Adaptive Card where the channel renders one and as text otherwise. */
export function factsActivity(channelId: string, title: string, facts: ReadonlyArray<readonly [string, string]>, footer?: string): Partial<Activity> {
  if (!supportsAdaptiveCards(channelId)) {
    return MessageFactory.text([title, facts.map(([k, v]) => `${k}: ${v}`).join('\n'), footer ?? ''].filter(Boolean).join('\n\n'));
  }
  const activity = MessageFactory.attachment(
    CardFactory.adaptiveCard({
      type: 'AdaptiveCard',
      $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
      version: '1.4',
      body: [
        { type: 'TextBlock', text: title, size: 'Medium', weight: 'Bolder', wrap: true },
        { type: 'FactSet', facts: facts.map(([k, v]) => ({ title: k, value: v })) },
        ...(footer ? [{ type: 'TextBlock', text: footer, wrap: true, isSubtle: true }] : []),
      ],
    }),
  );
  activity.summary = title;
  return activity;
}
