import { ActivityTypes, InputHints, type TurnContext } from 'botbuilder';
import {
  ChoiceFactory,
  ChoicePrompt,
  Dialog,
  type Choice,
  type DialogContext,
  type DialogTurnResult,
  type FoundChoice,
  type PromptOptions,
  type PromptRecognizerResult,
} from 'botbuilder-dialogs';
import { renderAll } from './render.js';
import type { ChoicesView } from './views.js';

/** What a plain reply means, whatever the question: "yep", "nah", "not now, maybe later", "never mind", "no idea". */
export type PlainAnswer = 'yes' | 'no' | 'later' | 'cancel' | 'unknown';

/**
 * The plain-answer phrases, written as customers type them (apostrophes are dropped when matching).
 * A typed table rather than a knowledge/ file: they are a closed set of English function words
 * bound to the rules below (longest phrase first, negation, "later" beating "no"), and the prompts
 * are built in dialogs with no knowledge at hand. Product and policy words stay in each prompt's
 * synonyms, because "working" answers "did that fix it?" but not "shall I open a ticket?".
 */
export const PLAIN_ANSWER_PHRASES: Readonly<Record<PlainAnswer, readonly string[]>> = {
  yes: [
    'yes', 'y', 'yeah', 'yea', 'yep', 'yup', 'ya', 'yah', 'yes please', 'sure', 'sure thing', 'of course', 'please do',
    'go ahead', 'go for it', 'do it', 'do that', 'sounds good', 'correct', "that's right", 'affirmative', 'absolutely',
    'definitely', 'certainly', 'indeed', 'why not',
  ],
  no: [
    'no', 'n', 'nope', 'nah', 'naw', 'no way', 'not really', 'negative', "i don't think so", 'not at all', 'never', 'none',
    'none of these', 'none of them', 'neither', 'nothing', 'no need', 'not needed', 'no thanks', 'no thank you',
  ],
  later: [
    'later', 'maybe later', 'later on', 'not now', 'not right now', 'not yet', 'not today', 'not at the moment',
    'another time', 'some other time', 'another day', "i'll do it later", "i'll come back later", "i'll think about it",
    'let me think about it', 'maybe another time',
  ],
  cancel: ['cancel', 'cancel that', 'cancel it', 'stop', 'never mind', 'nevermind', 'nvm', 'forget it', 'forget about it', 'drop it', 'skip it', 'quit', 'abort'],
  unknown: [
    "i don't know", "don't know", 'dunno', 'idk', 'not sure', "i'm not sure", 'unsure', 'no idea', 'i have no idea', 'no clue',
    "can't tell", 'cannot tell', "i can't tell", "can't check", "i can't check", "can't see it", 'maybe',
  ],
};

/** Words that carry no answer of their own: "oh nope, thanks" is "nope". "ok" is here: alone it means whatever the prompt's own synonyms say. */
const FILLERS = new Set(
  'a an the i im me my it its is this that so then now just also still really actually well oh ah um uh hmm please pls thanks thank you thx ty cheers mate ok okay alright k kk for to of on in at'.split(' '),
);

/** A choice's words right after one of these do not pick it: "it's not intact" is not "Yes, intact". */
const NEGATORS = new Set('not no never isnt arent wasnt werent dont doesnt didnt cant cannot wont hasnt havent'.split(' '));

/** A message of this many words or more that answers nothing is taken as a new problem, not a bad answer. */
const NEW_PROBLEM_MIN_WORDS = 3;

/** How often a prompt asks: once, then once again; after that it takes its default. */
const MAX_ASKS = 2;

const ORDINALS: Readonly<Record<string, number>> = { first: 1, second: 2, third: 3, fourth: 4, fifth: 5, sixth: 6, seventh: 7, eighth: 8, ninth: 9, tenth: 10 };

/** The prompt options a dialog passes to `step.prompt` for a ChoicesPrompt. */
export interface ChoicesPromptOptions extends PromptOptions {
  /** Which choice (by value) each plain answer picks; a meaning not declared here is inferred from a choice listing one of its phrases as a synonym. */
  answers?: Partial<Record<PlainAnswer, string>>;
  /** The choice (by value) taken after the question was asked twice without an answer; otherwise the choice that means "later" or "cancel". */
  defaultChoice?: string;
  /** False where a long reply is no new problem the bot could triage (a reply in a language it does not read): it counts as unclear. */
  newProblems?: boolean;
}

/** What a reply at a choice prompt is. */
export type Reply =
  | { kind: 'choice'; choice: FoundChoice; how: 'exact' | 'position' | 'plainAnswer' | 'words' }
  /** Free text that answers nothing here and is long enough to be a problem description. */
  | { kind: 'newProblem' }
  | { kind: 'unclear' };

/** Lower case, apostrophes dropped ("don't" → "dont"), other punctuation a space. */
export function normaliseReply(text: string): string {
  return text
    .toLowerCase()
    .replace(/['’‘`]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

const tokens = (text: string): string[] => normaliseReply(text).split(' ').filter(Boolean);

/** Every phrase as tokens with its meaning, longest first, so "not now" wins over "no" and "never mind" over "never". */
const ANSWER_PHRASES: ReadonlyArray<{ words: string[]; meaning: PlainAnswer }> = (Object.keys(PLAIN_ANSWER_PHRASES) as PlainAnswer[])
  .flatMap((meaning) => PLAIN_ANSWER_PHRASES[meaning].map((p) => ({ words: tokens(p), meaning })))
  .sort((a, b) => b.words.length - a.words.length);
const PLAIN_PHRASE_TEXTS = new Set(ANSWER_PHRASES.map((p) => p.words.join(' ')));

const startsWith = (words: readonly string[], at: number, phrase: readonly string[]) => phrase.every((w, i) => words[at + i] === w);

/**
 * The plain answer a reply gives, if it is one: every word is part of an answer phrase or a filler
 * ("yep, all sorted thanks" is not, "not now, maybe later" is), or it opens with an answer and at
 * most two more words follow ("nope, still dead"). Yes together with any other answer is no answer.
 */
export function plainAnswerOf(text: string): PlainAnswer | null {
  const words = tokens(text);
  const found = new Set<PlainAnswer>();
  let uncovered = 0;
  let leading: boolean | undefined;
  for (let i = 0; i < words.length; ) {
    const phrase = ANSWER_PHRASES.find((p) => startsWith(words, i, p.words));
    if (phrase) {
      found.add(phrase.meaning);
      leading ??= true;
      i += phrase.words.length;
      continue;
    }
    if (!FILLERS.has(words[i] ?? '')) {
      uncovered += 1;
      leading ??= false;
    }
    i += 1;
  }
  if (found.size === 0 || (uncovered > 0 && !(leading && uncovered <= 2))) return null;
  if (found.has('yes')) return found.size === 1 ? 'yes' : null;
  // The most specific refusal wins: "no, maybe later" is later, "no, cancel that" is cancel.
  for (const meaning of ['unknown', 'cancel', 'later', 'no'] as const) if (found.has(meaning)) return meaning;
  return null;
}

/** True when the reply says the customer does not know ("no idea", "not sure"): an answer, never a new problem. */
function saysUnknown(text: string): boolean {
  const words = tokens(text);
  return ANSWER_PHRASES.some((p) => p.meaning === 'unknown' && words.some((_, i) => startsWith(words, i, p.words)));
}

const choiceTitle = (c: Choice): string => c.action?.title ?? c.value;
const choicePhrases = (c: Choice): string[] => [c.value, choiceTitle(c), ...(c.synonyms ?? [])].map(normaliseReply).filter(Boolean);

/**
 * Which choice each plain answer picks: the prompt's declaration, else the one choice whose own
 * synonyms are that answer ("no" among "Cancel"'s synonyms). "Later" and "cancel" stand in for each
 * other; "no" never stands in for them, because a "no" can be a fact ("the seal is not intact").
 */
export function answerChoices(options: ChoicesPromptOptions): Partial<Record<PlainAnswer, string>> {
  const choices = ChoiceFactory.toChoices(options.choices ?? []);
  const inferred: Partial<Record<PlainAnswer, string>> = {};
  for (const meaning of Object.keys(PLAIN_ANSWER_PHRASES) as PlainAnswer[]) {
    const own = new Set(PLAIN_ANSWER_PHRASES[meaning].map(normaliseReply));
    const holders = choices.filter((c) => choicePhrases(c).some((p) => own.has(p)));
    if (holders.length === 1 && holders[0]) inferred[meaning] = holders[0].value;
  }
  const merged = { ...inferred, ...options.answers };
  const later = merged.later ?? merged.cancel;
  const cancel = merged.cancel ?? merged.later;
  return { ...merged, ...(later ? { later } : {}), ...(cancel ? { cancel } : {}) };
}

/** The choice a prompt takes after asking twice, if it has one that cannot hurt the customer. */
export function defaultChoiceOf(options: ChoicesPromptOptions): Choice | undefined {
  const answers = answerChoices(options);
  const value = options.defaultChoice ?? answers.later ?? answers.cancel;
  return value === undefined ? undefined : ChoiceFactory.toChoices(options.choices ?? []).find((c) => c.value === value);
}

/** A number or an ordinal that is the whole message: "2", "2.", "#2", "option 2", "2nd", "the second one". */
function positionOf(normalised: string): number | undefined {
  const digits = /^(?:(?:number|option|choice) )?(\d{1,2})(?:st|nd|rd|th)?$/.exec(normalised);
  if (digits?.[1]) return Number(digits[1]);
  const word = /^(?:the )?(first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth)(?: one| option| choice)?$/.exec(normalised);
  return word?.[1] ? ORDINALS[word[1]] : undefined;
}

/**
 * A choice named by its own words inside a longer reply ("please open a ticket for me", "the seal
 * is torn"): its title or a synonym, as whole words, covering at least half of the reply's words
 * that are not fillers. Plain-answer synonyms ("no", "yes") are left to `plainAnswerOf`, which knows
 * that "no video on camera 3" is not a "no". `related` says some choice was named at all.
 */
function choiceByWords(text: string, choices: readonly Choice[]): { index: number; related: boolean } | undefined {
  const words = tokens(text).filter((w) => !FILLERS.has(w));
  if (words.length === 0) return undefined;
  let best: { index: number; length: number; tied: boolean } | undefined;
  let related = false;
  choices.forEach((choice, index) => {
    for (const phrase of choicePhrases(choice)) {
      if (PLAIN_PHRASE_TEXTS.has(phrase)) continue;
      const own = phrase.split(' ').filter((w) => !FILLERS.has(w));
      if (own.length === 0) continue;
      for (let at = 0; at + own.length <= words.length; at += 1) {
        if (!startsWith(words, at, own)) continue;
        related = true;
        if (NEGATORS.has(words[at - 1] ?? '')) continue;
        if (!best || own.length > best.length) best = { index, length: own.length, tied: false };
        else if (own.length === best.length && best.index !== index) best.tied = true;
      }
    }
  });
  if (best && !best.tied && best.length * 2 >= words.length) return { index: best.index, related };
  return related ? { index: -1, related } : undefined;
}

/**
 * What a reply at a choice prompt means, in this order: a choice's value, title or synonym as the
 * whole message (what a button sends); a position as the whole message, so "status of T-000001" or
 * "ticket 2" never picks a button by its digits; a plain answer mapped to the choice declared for
 * it; a choice named by its words. Anything else of three words or more is a new problem.
 */
export function recogniseReply(text: string, options: ChoicesPromptOptions): Reply {
  const choices = ChoiceFactory.toChoices(options.choices ?? []);
  const normalised = normaliseReply(text);
  if (!normalised) return { kind: 'unclear' };
  const found = (index: number, how: Extract<Reply, { kind: 'choice' }>['how'], score = 1): Reply => {
    const choice = choices[index];
    return choice ? { kind: 'choice', choice: { value: choice.value, index, score }, how } : { kind: 'unclear' };
  };

  const exact = choices.findIndex((c) => choicePhrases(c).includes(normalised));
  if (exact >= 0) return found(exact, 'exact');

  const position = positionOf(normalised);
  if (position !== undefined) return found(position - 1, 'position');

  const answers = answerChoices(options);
  const answerIndex = (m: PlainAnswer) => choices.findIndex((c) => c.value === answers[m]);
  const meaning = plainAnswerOf(text);
  if (meaning) {
    const index = answerIndex(meaning);
    // An answer this prompt has no choice for ("maybe later" to "did that fix it?") is not a new problem either.
    return index >= 0 ? found(index, 'plainAnswer') : { kind: 'unclear' };
  }
  // Not knowing, said at length ("no idea, it's up on the ceiling"), is still that answer.
  const unknown = saysUnknown(text);
  if (unknown && answerIndex('unknown') >= 0) return found(answerIndex('unknown'), 'plainAnswer');

  const byWords = choiceByWords(text, choices);
  if (byWords && byWords.index >= 0) return found(byWords.index, 'words', 0.8);
  if (byWords?.related || unknown) return { kind: 'unclear' };
  const long = text.trim().split(/\s+/).length >= NEW_PROBLEM_MIN_WORDS;
  return long && options.newProblems !== false ? { kind: 'newProblem' } : { kind: 'unclear' };
}

/** What botbuilder keeps for an open prompt (`Prompt.beginDialog` sets both). */
interface PromptInstanceState {
  options: ChoicesPromptOptions;
  state: { asked?: number };
}

/**
 * A ChoicePrompt whose question is drawn by the channel's renderer (suggested actions, a card with
 * Action.Submit buttons, Slack buttons, a numbered list) instead of a `ListStyle` the dialog picks,
 * and which understands typed replies (`recogniseReply`): each button sends its choice's value back
 * as the message text (imBack, or the inbound normaliser for Teams submits and Slack button payloads).
 *
 * One rule for every prompt: a plain answer picks the choice declared for it; a new problem typed
 * at the prompt is triaged as one (the whole conversation starts again from this message); a reply
 * that is neither gets the question once more, then the prompt's default (said to the customer),
 * or, with no safe default, the question is left and the bot waits for the next problem.
 *
 * The channel decides the look, so `style` (on the prompt or in its options) is ignored, and of a
 * prompt given as an activity only its text is used. No validator: recognition is the rule above.
 */
export class ChoicesPrompt extends ChoicePrompt {
  constructor(dialogId: string) {
    super(dialogId);
  }

  protected override async onPrompt(context: TurnContext, _state: unknown, options: PromptOptions, isRetry: boolean): Promise<void> {
    const retry = isRetry ? options.retryPrompt : undefined;
    const asked = textOf(retry ?? options.prompt);
    const text = isRetry && retry === undefined ? `Sorry, I didn't get that. ${asked}` : asked;
    const view: ChoicesView = {
      kind: 'choices',
      prompt: text,
      choices: ChoiceFactory.toChoices(options.choices ?? []).map((c) => ({
        title: choiceTitle(c),
        value: typeof c.action?.value === 'string' ? c.action.value : c.value,
      })),
    };
    const activities = renderAll(view, context.activity.channelId);
    // Only the last part asks: the ones before it (a long question's start) are not the prompt yet.
    const last = activities[activities.length - 1];
    if (last) last.inputHint = InputHints.ExpectingInput;
    await context.sendActivities(activities);
  }

  protected override async onRecognize(context: TurnContext, _state: unknown, options: PromptOptions): Promise<PromptRecognizerResult<FoundChoice>> {
    const reply = recogniseReply(context.activity.text ?? '', options);
    return reply.kind === 'choice' ? { succeeded: true, value: reply.choice } : { succeeded: false };
  }

  override async continueDialog(dc: DialogContext): Promise<DialogTurnResult> {
    if (dc.context.activity.type !== ActivityTypes.Message) return Dialog.EndOfTurn;
    const instance = dc.activeDialog?.state as PromptInstanceState | undefined;
    if (!instance) throw new Error(`ChoicesPrompt.continueDialog(): prompt "${this.id}" has no state`);
    const reply = recogniseReply(dc.context.activity.text ?? '', instance.options);
    if (reply.kind === 'choice') return dc.endDialog(reply.choice);
    if (reply.kind === 'newProblem') return startAgainWithThisMessage(dc);

    // `asked` counts the re-asks (the first showing is not stored): one re-ask, then the default.
    const asked = (instance.state.asked ?? 1) + 1;
    instance.state.asked = asked;
    if (asked <= MAX_ASKS) {
      if (!dc.context.responded) await this.onPrompt(dc.context, instance.state, instance.options, true);
      return Dialog.EndOfTurn;
    }
    const fallback = defaultChoiceOf(instance.options);
    if (fallback) {
      await dc.context.sendActivity(`I'll take that as "${choiceTitle(fallback)}" for now.`);
      const index = ChoiceFactory.toChoices(instance.options.choices ?? []).findIndex((c) => c.value === fallback.value);
      return dc.endDialog({ value: fallback.value, index, score: 0 } satisfies FoundChoice);
    }
    await dc.context.sendActivity('Let\'s leave that question for now. Tell me in your own words what you need whenever you like, or say "talk to a person".');
    await rootOf(dc).cancelAllDialogs();
    return Dialog.EndOfTurn;
  }
}

function textOf(prompt: PromptOptions['prompt']): string {
  return typeof prompt === 'string' ? prompt : (prompt?.text ?? '');
}

function rootOf(dc: DialogContext): DialogContext {
  let root = dc;
  while (root.parent) root = root.parent;
  return root;
}

/**
 * A new problem typed at a prompt: end every open dialog and begin the root dialog again for this
 * turn, as on a first message. The root (MainDialog) takes the turn's text as the problem and
 * triages it; the same happens after "cancel", one turn later. The callers below the root were
 * cancelled, so they are told only that the turn is over: a result would make them act (or end the
 * new root dialog through a stale context).
 */
export async function startAgainWithThisMessage(dc: DialogContext): Promise<DialogTurnResult> {
  const root = rootOf(dc);
  const rootId = root.activeDialog?.id;
  await root.cancelAllDialogs();
  if (rootId) await root.beginDialog(rootId);
  return Dialog.EndOfTurn;
}

/**
 * True when `text` is exactly one of the choices of the prompt open deepest in `dc`'s stack: what a
 * button sends (imBack, a Teams submit, a Slack button). The bot wrote those words, so they say
 * nothing about the customer's mood ("Fire, lightning or a natural disaster" is a warranty answer).
 */
export function isButtonOfOpenPrompt(dc: DialogContext, text: string): boolean {
  let inner: DialogContext = dc;
  while (inner.child) inner = inner.child;
  const state = inner.activeDialog?.state as Partial<PromptInstanceState> | undefined;
  const choices = state?.options?.choices;
  if (!Array.isArray(choices)) return false;
  const said = normaliseReply(text);
  return choices.some((c) => {
    const choice: Choice = typeof c === 'string' ? { value: c } : c;
    return [choice.value, choice.action?.title, choice.action?.value].some((label) => typeof label === 'string' && normaliseReply(label) === said);
  });
}

/** What an `AskOncePrompt` ends with when the reply is no clearer than the message it asked about. */
export const UNCLEAR_REPLY = 'choicesPrompt.unclearReply';

/**
 * A question asked once about a message the bot could not place (the clarifying question, the guide
 * topic list): a reply that picks nothing and is no new problem ("idk", "the blinky thing") is not
 * met with the same question again; the prompt ends with `UNCLEAR_REPLY` and the dialog counts it as
 * the next unclear message, so the second one brings the offer of a person or a ticket.
 */
export class AskOncePrompt extends ChoicesPrompt {
  override async continueDialog(dc: DialogContext): Promise<DialogTurnResult> {
    const options = (dc.activeDialog?.state as { options?: ChoicesPromptOptions } | undefined)?.options;
    if (dc.context.activity.type === ActivityTypes.Message && options && recogniseReply(dc.context.activity.text ?? '', options).kind === 'unclear') {
      return dc.endDialog(UNCLEAR_REPLY);
    }
    return super.continueDialog(dc);
  }
}
