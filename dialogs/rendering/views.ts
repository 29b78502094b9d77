/**
 * What the dialogs want to show, independent of any channel. The renderers in this folder decide
 * how: an Adaptive Card, Slack Block Kit, suggested actions or plain text.
 *
 * Text may use `**bold**`, the one piece of Markdown every renderer knows how to translate.
 */

/** A label and its value: "Status" → "Covered". */
export type Fact = readonly [label: string, value: string];

/** A titled list of facts (a ticket, its status). */
export interface FactsView {
  readonly kind: 'facts';
  readonly title: string;
  readonly facts: readonly Fact[];
  readonly footer?: string;
}

/** One block of an answer: a titled bullet list, numbered steps, or plain paragraphs. */
export interface AnswerSection {
  /** Shown as a heading; text renderings write it as "Title:" before the lines. */
  readonly title?: string;
  readonly lines: readonly string[];
  /** `bullets` (default when titled), `numbered`, or `paragraphs` (default when untitled). */
  readonly style?: 'bullets' | 'numbered' | 'paragraphs';
}

/** A composed answer: the warranty result, the policy's out-of-scope or advice answer, a guide's steps. */
export interface AnswerView {
  readonly kind: 'answer';
  /** A short heading on cards (and in Slack's header block); text renderings start with the headline. */
  readonly title?: string;
  readonly headline?: string;
  readonly facts?: readonly Fact[];
  readonly sections: readonly AnswerSection[];
  readonly footer?: string;
  /** Colours the headline on cards: good news, a limit the customer should notice, or neither. */
  readonly tone: 'good' | 'attention' | 'neutral';
  /**
   * The policy's own words, shown collapsed: behind a "show" button on cards (Web Chat, Teams),
   * and as `hint` (how to ask for them) where nothing can be collapsed (Slack, plain text).
   */
  readonly quote?: PolicyQuote;
}

/** A verbatim policy quote, attributed, that the customer opens when they want it. */
export interface PolicyQuote {
  /** The button that opens it: "Show the policy text". */
  readonly label: string;
  /** The attributed quote: 'The support policy says: "…"'. */
  readonly text: string;
  /** One short line for channels without a collapsible element: 'Say "policy" to read the clause.' */
  readonly hint: string;
}

/** One option of a question. `value` is what picking it sends back (what the prompt recognises). */
export interface ChoiceItem {
  readonly title: string;
  readonly value: string;
}

/** A question with buttons. */
export interface ChoicesView {
  readonly kind: 'choices';
  readonly prompt: string;
  readonly choices: readonly ChoiceItem[];
}

export type ViewModel = FactsView | AnswerView | ChoicesView;
