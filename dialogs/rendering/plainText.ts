import type { AnswerSection, AnswerView, ChoicesView, FactsView } from './views.js';

/**
 * The words of a view model as text, shared by every renderer: the whole message where nothing
 * else renders, the fallback (notifications, transcripts, screen readers) where a card does.
 */

const sectionLines = (s: AnswerSection): string[] => {
  const style = s.style ?? (s.title ? 'bullets' : 'paragraphs');
  return s.lines.map((l, i) => (style === 'bullets' ? `- ${l}` : style === 'numbered' ? `${i + 1}. ${l}` : l));
};

export function factsText(view: FactsView): string {
  return [view.title, view.facts.map(([k, v]) => `${k}: ${v}`).join('\n'), view.footer ?? ''].filter(Boolean).join('\n\n');
}

/**
 * The answer's words. A collapsed policy quote becomes its one-line hint (`quote: 'hint'`, where
 * nothing collapses) or is left to the card that carries it (`'omit'`).
 */
export function answerText(view: AnswerView, quote: 'hint' | 'omit' = 'hint'): string {
  return [
    view.headline ?? '',
    (view.facts ?? []).map(([k, v]) => `${k}: ${v}`).join('\n'),
    ...view.sections.map((s) => (s.lines.length === 0 ? '' : [s.title ? `${s.title}:` : '', ...sectionLines(s)].filter(Boolean).join('\n'))),
    view.footer ?? '',
    quote === 'hint' ? (view.quote?.hint ?? '') : '',
  ]
    .filter(Boolean)
    .join('\n\n');
}

/** The prompt and a numbered list: the choice prompt recognises "2" as the second option. */
export function choicesText(view: ChoicesView): string {
  return view.choices.length === 0 ? view.prompt : `${view.prompt}\n\n${view.choices.map((c, i) => `${i + 1}. ${c.title}`).join('\n')}`;
}

/** `**bold**` as the channel writes bold: kept for Markdown, `*bold*` for Slack, dropped for plain text. */
export function bold(text: string, as: 'markdown' | 'slack' | 'plain'): string {
  if (as === 'markdown') return text;
  return text.replace(/\*\*(.+?)\*\*/g, as === 'slack' ? '*$1*' : '$1');
}
