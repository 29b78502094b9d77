import type { Activity } from 'botbuilder';
import { DEFAULT_VENDOR_NAME } from '../src/domain/Vendor.js';
import type { PolicyClause, TroubleshootingGuide } from '../src/knowledge/schemas.js';
import { render } from './rendering/render.js';
import type { AnswerView, PolicyQuote } from './rendering/views.js';

/** What the bot can do: the welcome and the help text say the same thing. */
export const CAPABILITIES = [
  'check whether a problem is something our support covers, and help you fix it (recorders, cameras, their installation and network setup)',
  'check the warranty of a device by its serial number: covered or not, until when, and what is free or charged',
  'note a ticket for our support team',
  'put you in touch with a person',
];

export const EXAMPLE_PROMPTS = ['My DVR stopped recording', "Can't see my cameras from my phone", 'Which ports does the DVR use?', 'Talk to a person'];

const bullets = (lines: readonly string[]) => lines.map((l) => `- ${l}`).join('\n');

/** The welcome: what the bot can do, with example questions as buttons, rendered for the channel. */
export function welcomeActivity(channelId: string | undefined, vendorName: string = DEFAULT_VENDOR_NAME): Partial<Activity> {
  return render(
    {
      kind: 'choices',
      prompt: `Hi! I'm the ${vendorName} support assistant for our DVRs, NVRs and cameras. I can:\n\n${bullets(CAPABILITIES)}\n\nDescribe the problem in your own words to begin. You can say "help", "start over", "cancel" or "talk to a person" at any time.`,
      choices: EXAMPLE_PROMPTS.map((p) => ({ title: p, value: p })),
    },
    channelId,
  );
}

export function helpText(): string {
  return `I can:\n\n${bullets(CAPABILITIES)}\n\nJust describe what is happening (for example "no video on channel 3" or "the app says device offline"). Commands that work at any time: "start over", "cancel", "talk to a person".`;
}

/** The clause's own words, attributed to the policy they come from (quoted verbatim: it names its own maker). */
export function policyQuoteText(clause: PolicyClause): string {
  return `The support policy ("${clause.title}") says: "${clause.policyText}"`;
}

/** The quote as an answer carries it: collapsed on cards, a one-line hint elsewhere. */
export function policyQuote(clause: PolicyClause): PolicyQuote {
  return { label: 'Show the policy text', text: policyQuoteText(clause), hint: 'Say "policy" to read the clause itself.' };
}

/**
 * The out-of-scope answer, short: one sentence with the clause's title, then the help that remains
 * (the clause's advice for what the message is about — Wi-Fi, VPN — when there is some, else what
 * support can still do), and the policy's words collapsed or on request ("why?", "policy").
 */
export function outOfScopeView(clause: PolicyClause, advice: readonly string[] = []): AnswerView {
  return {
    kind: 'answer',
    headline: `${clause.inBrief} (${clause.title}).`,
    sections: advice.length > 0 ? [{ title: 'Some general advice', lines: advice }] : [{ title: 'What we can do', lines: clause.stillPossible }],
    tone: 'attention',
    quote: policyQuote(clause),
  };
}

/** The advice-only answer: the limit in one sentence, the advice on the existing configuration, the quote collapsed. */
export function adviceOnlyView(clause: PolicyClause): AnswerView {
  return {
    kind: 'answer',
    headline: `${clause.inBrief} (${clause.title}).`,
    sections: [{ title: 'Advice for your existing configuration', lines: clause.stillPossible }],
    tone: 'neutral',
    quote: policyQuote(clause),
  };
}

/** A guide's steps for an in-scope problem, and what to do if they do not help. */
export function guideStepsView(guide: TroubleshootingGuide): AnswerView {
  return {
    kind: 'answer',
    title: guide.title,
    headline: `This is covered by our support. **${guide.title}** — please try these steps:`,
    sections: [{ lines: guide.steps, style: 'numbered' }, ...(guide.note ? [{ lines: [guide.note] }] : [])],
    footer: `If it still fails: ${guide.ifNotFixed}`,
    tone: 'good',
  };
}
