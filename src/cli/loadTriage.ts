import { loadConfig } from '../config.js';
import { loadKnowledge } from '../knowledge/KnowledgeBase.js';
import { buildTriage } from '../language/buildTriage.js';

/** The CLIs share the server's configuration (KNOWLEDGE_DIR, TRIAGE_CONFIDENCE_THRESHOLD). */
export async function loadTriageForCli() {
  const config = loadConfig();
  const knowledge = await loadKnowledge(config.knowledgeDir);
  return buildTriage(knowledge, config.triageConfidenceThreshold).triage;
}

/** Prints a one-line error to stderr and exits non-zero: for failures before any input is read. */
export function exitWith(err: unknown): never {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
