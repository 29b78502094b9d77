import type { Activity } from 'botbuilder';
import type { PolicyClause, TroubleshootingGuide } from '../src/knowledge/schemas.js';
import { render } from './rendering/render.js';
import type { AnswerView } from './rendering/views.js';

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
export function welcomeActivity(channelId: string | undefined): Partial<Activity> {
  return render(
    {
      kind: 'choices',
      prompt: `Hi! I'm the support assistant for our DVRs, NVRs and cameras. I can:\n\n${bullets(CAPABILITIES)}\n\nDescribe the problem in your own words to begin. You can say "help", "start over", "cancel" or "talk to a person" at any time.`,
      choices: EXAMPLE_PROMPTS.map((p) => ({ title: p, value: p })),
    },
    channelId,
  );
}

export function helpText(): string {
  return `I can:\n\n${bullets(CAPABILITIES)}\n\nJust describe what is happening (for example "no video on channel 3" or "the app says device offline"). Commands that work at any time: "start over", "cancel", "talk to a person".`;
}

/**
 * The out-of-scope answer: which clause, the policy's words, and what help remains; with `advice`
 * (the clause's general tips for what the message is about: Wi-Fi, VPN) when there is some.
 */
export function outOfScopeView(clause: PolicyClause, advice: readonly string[] = []): AnswerView {
  return {
    kind: 'answer',
    title: 'Outside our support',
    headline: `Thanks for explaining. I'm sorry, but this is outside what our technical support covers. ${clause.customerMessage}`,
    sections: [
      { lines: [`Our technical support policy ("${clause.title}") says: "${clause.policyText}"`] },
      ...(advice.length > 0 ? [{ title: 'Some general advice', lines: advice }] : []),
      { title: 'What we can still do', lines: clause.stillPossible },
      { lines: ['If something is wrong with our recorder or camera itself, describe it and I will help with that part.'] },
    ],
    tone: 'attention',
  };
}

/** The advice-only answer: advice on the existing configuration, and the limit. */
export function adviceOnlyView(clause: PolicyClause): AnswerView {
  return {
    kind: 'answer',
    title: 'Advice only',
    sections: [
      { title: 'Here is some advice for your existing configuration', lines: clause.stillPossible },
      { lines: [`Please note: ${clause.customerMessage}`] },
      { lines: [`Our technical support policy ("${clause.title}") says: "${clause.policyText}"`] },
    ],
    tone: 'neutral',
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
