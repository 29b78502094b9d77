import type { SurveyRecord, SurveyStore } from '../domain/insights/SatisfactionSurvey.js';
import { ETagConflictError, type DocumentStore } from '../domain/ports/DocumentStore.js';

/** One document per conversation, id = the conversation key: its one survey and the answer. */
export const SURVEYS_COLLECTION = 'csat-surveys';
/** Concurrent answers of one survey retry at most this often (the first write wins; the rest see it). */
const MAX_ATTEMPTS = 10;

/**
 * The survey store on the DocumentStore port, so it runs wherever the documents do: lowdb files
 * (one process), and the PostgreSQL `documents` table every instance shares. The claim is a
 * create-only write (two instances asking the same conversation: one wins), the answer a write over
 * the eTag it was read with (two clicks, even on two instances: one counts).
 */
export class DocumentSurveyStore implements SurveyStore {
  constructor(private readonly store: DocumentStore) {}

  async claim(survey: SurveyRecord): Promise<boolean> {
    try {
      await this.store.write(SURVEYS_COLLECTION, survey.conversationKey, survey, null);
      return true;
    } catch (err) {
      if (err instanceof ETagConflictError) return false;
      throw err;
    }
  }

  async ofConversation(conversationKey: string): Promise<SurveyRecord | null> {
    return (await this.store.read<SurveyRecord>(SURVEYS_COLLECTION, [conversationKey])).get(conversationKey)?.value ?? null;
  }

  async answer(conversationKey: string, surveyId: string, answer: NonNullable<SurveyRecord['answer']>): ReturnType<SurveyStore['answer']> {
    for (let attempt = 1; ; attempt += 1) {
      const doc = (await this.store.read<SurveyRecord>(SURVEYS_COLLECTION, [conversationKey])).get(conversationKey);
      if (!doc || doc.value.id !== surveyId) return { result: 'unknown', survey: null };
      if (doc.value.answer) return { result: 'answered', survey: doc.value };
      const answered: SurveyRecord = { ...doc.value, answer };
      try {
        await this.store.write(SURVEYS_COLLECTION, conversationKey, answered, doc.eTag);
        return { result: 'recorded', survey: answered };
      } catch (err) {
        // Someone else wrote it meanwhile: read again (it is answered now, almost always).
        if (!(err instanceof ETagConflictError) || attempt >= MAX_ATTEMPTS) throw err;
      }
    }
  }
}
