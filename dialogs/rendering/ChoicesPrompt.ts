import { InputHints, type TurnContext } from 'botbuilder';
import { ChoiceFactory, ChoicePrompt, type PromptOptions } from 'botbuilder-dialogs';
import { renderAll } from './render.js';
import type { ChoicesView } from './views.js';

/**
 * A ChoicePrompt whose question is drawn by the channel's renderer (suggested actions, a card with
 * Action.Submit buttons, Slack buttons, a numbered list) instead of a `ListStyle` the dialog picks.
 * Recognition is ChoicePrompt's own: each button sends its choice's value back as the message text
 * (imBack, or the inbound normaliser for Teams submits and Slack button payloads), and typed
 * titles, synonyms and numbers still match.
 *
 * The channel decides the look, so `style` (on the prompt or in its options) is ignored, and of a
 * prompt given as an activity only its text is used.
 */
export class ChoicesPrompt extends ChoicePrompt {
  protected override async onPrompt(context: TurnContext, _state: unknown, options: PromptOptions, isRetry: boolean): Promise<void> {
    const prompt = isRetry && options.retryPrompt ? options.retryPrompt : options.prompt;
    const text = typeof prompt === 'string' ? prompt : (prompt?.text ?? '');
    const view: ChoicesView = {
      kind: 'choices',
      prompt: text,
      choices: ChoiceFactory.toChoices(options.choices ?? []).map((c) => ({
        title: c.action?.title ?? c.value,
        value: typeof c.action?.value === 'string' ? c.action.value : c.value,
      })),
    };
    const activities = renderAll(view, context.activity.channelId);
    // Only the last part asks: the ones before it (a long question's start) are not the prompt yet.
    const last = activities[activities.length - 1];
    if (last) last.inputHint = InputHints.ExpectingInput;
    await context.sendActivities(activities);
  }
}
