import { ActionTypes, Channels, MessageFactory, type Activity, type ResourceResponse, type TurnContext } from 'botbuilder';
import { answerCard, choicesCard, factsCard, textWithQuoteCard } from './adaptiveCards.js';
import { answerText, bold, choicesText, factsText } from './plainText.js';
import { answerBlocks, choicesBlocks, factsBlocks } from './slackBlocks.js';
import type { ViewModel } from './views.js';

/**
 * Turns what a dialog wants to show into the activities one channel family renders natively: one,
 * or several in order where the channel's limits (message size, blocks) need more than one.
 */
export interface Renderer {
  render(view: ViewModel): Partial<Activity>[];
}

export type ChannelFamily = 'webchat' | 'msteams' | 'slack' | 'text';

/**
 * Web Chat and its relatives: Adaptive Cards 1.4 for anything with facts, Markdown text for prose
 * (Web Chat renders Markdown, and the words stay in `text` for transcripts, screen readers and the
 * README's curl), suggested actions for choices.
 */
const webChatRenderer: Renderer = {
  render(view) {
    switch (view.kind) {
      case 'facts':
        return factsCard(view, 'webchat');
      case 'answer':
        if (view.facts && view.facts.length > 0) return answerCard(view, 'webchat');
        return view.quote ? [textWithQuoteCard(answerText(view, 'omit'), view.quote)] : [MessageFactory.text(answerText(view))];
      case 'choices':
        return [
          MessageFactory.suggestedActions(
            view.choices.map((c) => ({ type: ActionTypes.ImBack, title: c.title, value: c.value })),
            view.prompt,
          ),
        ];
    }
  },
};

/** Teams: every answer as a card (version 1.4, full width), and choices as Action.Submit buttons. */
const teamsRenderer: Renderer = {
  render(view) {
    switch (view.kind) {
      case 'facts':
        return factsCard(view, 'msteams');
      case 'answer':
        return answerCard(view, 'msteams');
      case 'choices':
        return choicesCard(view, 'msteams');
    }
  },
};

/** Slack: Block Kit in `channelData`; Slack shows neither Adaptive Cards nor suggested actions. */
const slackRenderer: Renderer = {
  render(view) {
    switch (view.kind) {
      case 'facts':
        return factsBlocks(view);
      case 'answer':
        return answerBlocks(view);
      case 'choices':
        return choicesBlocks(view);
    }
  },
};

/** Anything else (SMS, email, unknown channels): plain text, choices as a numbered list. */
const textRenderer: Renderer = {
  render(view) {
    const text = view.kind === 'facts' ? factsText(view) : view.kind === 'answer' ? answerText(view) : choicesText(view);
    return [MessageFactory.text(bold(text, 'plain'))];
  },
};

const FAMILIES: Readonly<Record<string, ChannelFamily>> = {
  [Channels.Webchat]: 'webchat',
  [Channels.Directline]: 'webchat',
  [Channels.Emulator]: 'webchat',
  [Channels.Test]: 'webchat',
  [Channels.Msteams]: 'msteams',
  [Channels.Slack]: 'slack',
};

const RENDERERS: Readonly<Record<ChannelFamily, Renderer>> = { webchat: webChatRenderer, msteams: teamsRenderer, slack: slackRenderer, text: textRenderer };

/** The family a channel belongs to; channels we do not know get plain text. */
export function channelFamily(channelId: string | undefined): ChannelFamily {
  return (channelId !== undefined && FAMILIES[channelId]) || 'text';
}

export function rendererFor(channelId: string | undefined): Renderer {
  return RENDERERS[channelFamily(channelId)];
}

/** The view as the channel renders it: every activity, in the order to send them. */
export function renderAll(view: ViewModel, channelId: string | undefined): Partial<Activity>[] {
  return rendererFor(channelId).render(view);
}

/**
 * The view as one activity, for fixed content known to fit one message (the welcome). Throws
 * rather than drop the rest when the channel needs several: use {@link renderAll} or
 * {@link sendView} for anything that can grow.
 */
export function render(view: ViewModel, channelId: string | undefined): Partial<Activity> {
  const [first, ...rest] = renderAll(view, channelId);
  if (!first || rest.length > 0) throw new RangeError(`render: this ${view.kind} view needs ${rest.length + 1} messages on ${channelFamily(channelId)}; use renderAll or sendView`);
  return first;
}

/** Sends the view to the channel of the turn: what dialogs call, so they never look at the channel. */
export async function sendView(context: TurnContext, view: ViewModel): Promise<ResourceResponse[]> {
  return context.sendActivities(renderAll(view, context.activity.channelId));
}
