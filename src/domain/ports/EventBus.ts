/**
 * Events shared by every instance of the bot: what one instance publishes, every instance's
 * subscribers receive, in the order of their ids. In one process (lowdb, tests) that is a list in
 * memory; on PostgreSQL a table and LISTEN/NOTIFY (storage/postgres/PgEventBus.ts).
 */
export interface BusEvent<T = unknown> {
  /** Increasing: a later event has a larger id (ids are comparable only within one `epoch`). */
  id: number;
  topic: string;
  /** Plain JSON: it may travel through a database. */
  payload: T;
  /** When it was published (ISO 8601). */
  at: string;
}

/**
 * Called for every event of the topic, one at a time, in id order. A listener does its slow work
 * on its own (it is not awaited); one that throws is reported and does not stop the others.
 */
export type BusListener = (event: BusEvent) => void;

export interface EventBus {
  /**
   * Names the id sequence: ids of two different epochs are not comparable (an in-memory bus starts
   * again at 1 when its process restarts; a shared database keeps counting).
   */
  readonly epoch: string;
  /** Stores the event and returns it with its id; every subscriber on every instance gets it. */
  publish<T>(topic: string, payload: T): Promise<BusEvent<T>>;
  /** Listens to one topic until the returned function is called. */
  subscribe(topic: string, listener: BusListener): () => void;
  /**
   * The events of a topic after `afterId`, oldest first, for a client that reconnects. Null when
   * some of them are no longer kept (pruned, or `afterId` is not from this sequence): the client
   * needs a fresh snapshot instead.
   */
  since(topic: string, afterId: number): Promise<BusEvent[] | null>;
  /** The id of the latest event published on any topic (0 when there is none). */
  head(): Promise<number>;
  close(): Promise<void>;
}

/** Events older than this are pruned: a client away longer gets a snapshot instead of a replay. */
export const EVENT_RETENTION_MS = 24 * 60 * 60 * 1000;
/** A replay longer than this is not worth it: the client gets a snapshot instead. */
export const MAX_REPLAY = 10_000;
