import path from 'node:path';
import { z } from 'zod';
import { KnowledgeError, readJson } from './files.js';

/**
 * Canned replies for the agent console (knowledge/console/canned-replies.json): ready-made lines an
 * agent inserts into the reply box and edits before sending. `{agent}` and `{customer}` in the text
 * are filled in by the console (the agent's display name, the customer's name). Adding one is an
 * edit of the file and a restart: no code.
 */
export const CannedReplySchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,47}$/, 'must be 1–48 lower-case letters, digits or "-"'),
  title: z.string().trim().min(1).max(80),
  text: z.string().trim().min(1).max(4000, 'must fit in one chat message (4000 characters)'),
  tags: z.array(z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'must be a short lower-case word')).max(10).optional(),
});
export type CannedReply = z.infer<typeof CannedReplySchema>;

export const CannedRepliesFileSchema = z.strictObject({ replies: z.array(CannedReplySchema).max(500) });

export function cannedRepliesFile(knowledgeDir: string): string {
  return path.join(knowledgeDir, 'console', 'canned-replies.json');
}

/** The validated replies; a duplicate id is an error naming it (the console picks by id). */
export async function loadCannedReplies(knowledgeDir: string): Promise<CannedReply[]> {
  const file = cannedRepliesFile(knowledgeDir);
  const { replies } = await readJson(file, CannedRepliesFileSchema);
  const ids = new Set<string>();
  for (const reply of replies) {
    if (ids.has(reply.id)) throw new KnowledgeError(file, `duplicate canned reply id "${reply.id}"`);
    ids.add(reply.id);
  }
  return replies;
}
