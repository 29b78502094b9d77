import type { DocumentStore } from '../domain/ports/DocumentStore.js';
import type { AgentPresenceStore, PresenceRecord } from '../domain/staff/AgentPresence.js';

export const AGENT_PRESENCE_COLLECTION = 'agent-presence';

/** Presence on the DocumentStore: one small document per agent (collection `agent-presence`, id = the agent's name). */
export class DocumentAgentPresence implements AgentPresenceStore {
  constructor(private readonly store: DocumentStore) {}

  async get(agent: string): Promise<PresenceRecord | null> {
    return (await this.store.read<PresenceRecord>(AGENT_PRESENCE_COLLECTION, [agent])).get(agent)?.value ?? null;
  }

  async put(record: PresenceRecord): Promise<void> {
    await this.store.write(AGENT_PRESENCE_COLLECTION, record.agent, record);
  }

  async all(): Promise<PresenceRecord[]> {
    // One document per staff member: a handful, on one process's embedded store.
    return (await this.store.list<PresenceRecord>(AGENT_PRESENCE_COLLECTION)).map((d) => d.value);
  }

  async anyAvailableSince(seenAfter: string): Promise<boolean> {
    return (await this.all()).some((r) => r.status === 'available' && r.seenAt > seenAfter);
  }

  async anyRecorded(): Promise<boolean> {
    return (await this.all()).length > 0;
  }
}
