import { findSerialCandidates } from './devices/Device.js';

/** One topic of the service promise a customer may ask about in general, with its cited answer. */
export interface ServicePromiseTopic {
  id: string;
  title: string;
  /** Case-insensitive regular expressions; any one of them marks the message as about this topic. */
  cues: string[];
  /** The answer in the bot's words. */
  answer: string;
  /** The paragraph numbers of the policy it comes from ("(3)"). */
  clause: string;
  /** The policy's own words, quoted verbatim. */
  policyText: string;
}

/** The service promise as general answers (knowledge/service/service-promise.json). */
export interface ServicePromiseKnowledge {
  id: string;
  /** The policy's title, named in every answer ("Service Promise"). */
  title: string;
  source: string;
  intro: string;
  closing: string;
  /** Phrases that make a message about one device's warranty (answered by the warranty check). */
  deviceSpecificCues: string[];
  topics: ServicePromiseTopic[];
}

export interface ServicePromiseAnswer {
  topicIds: string[];
  text: string;
}

/**
 * Answers general questions about the service promise (hotline, response time, upgrades, spare
 * parts, maintenance fee, inspections) straight from the policy. A message that names a serial or
 * asks about one device's warranty gets no answer here: that is the warranty check's job.
 */
export class ServicePromiseAnswers {
  private readonly topics: ReadonlyArray<ServicePromiseTopic & { patterns: RegExp[] }>;
  private readonly deviceSpecific: RegExp[];

  constructor(private readonly knowledge: ServicePromiseKnowledge) {
    this.topics = knowledge.topics.map((t) => ({ ...t, patterns: t.cues.map((c) => new RegExp(c, 'i')) }));
    this.deviceSpecific = knowledge.deviceSpecificCues.map((c) => new RegExp(c, 'i'));
  }

  /** The cited answer to a general service-promise question, or null when it is not one. */
  answer(text: string): ServicePromiseAnswer | null {
    if (findSerialCandidates(text).length > 0) return null;
    if (this.deviceSpecific.some((p) => p.test(text))) return null;
    const matched = this.topics.filter((t) => t.patterns.some((p) => p.test(text)));
    return this.compose(matched);
  }

  /**
   * The answer only when the message is about one of `topicIds` (every topic it matches is still
   * answered): for questions answered whatever the classifier reads in them ("how do I reach support?").
   */
  answerAbout(text: string, topicIds: readonly string[]): ServicePromiseAnswer | null {
    const answer = this.answer(text);
    return answer && answer.topicIds.some((id) => topicIds.includes(id)) ? answer : null;
  }

  private compose(matched: ReadonlyArray<ServicePromiseTopic>): ServicePromiseAnswer | null {
    if (matched.length === 0) return null;
    const { title, intro, closing } = this.knowledge;
    const quoted = new Set<string>();
    const parts = matched.map((t) => {
      // Two topics from one paragraph (hotline, contact) quote it once.
      const quote = quoted.has(t.policyText) ? '' : `\n> ${title} ${t.clause}: "${t.policyText}"`;
      quoted.add(t.policyText);
      return `**${t.title}.** ${t.answer}${quote}`;
    });
    return { topicIds: matched.map((t) => t.id), text: [intro, ...parts, closing].join('\n\n') };
  }
}
