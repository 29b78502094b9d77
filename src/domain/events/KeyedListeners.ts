/**
 * Listeners grouped by a key (a bus topic, a conversation): the one place that adds, removes and
 * snapshots them, so a listener that unsubscribes while others run changes nothing mid-loop.
 */
export class KeyedListeners<L> {
  // One entry object per subscription: the same function subscribed twice is two subscriptions.
  private readonly byKey = new Map<string, Set<{ listener: L }>>();

  /** Adds `listener` under `key`; the returned function removes it (and the key once it is empty). */
  add(key: string, listener: L): () => void {
    let set = this.byKey.get(key);
    if (!set) {
      set = new Set();
      this.byKey.set(key, set);
    }
    const entry = { listener };
    set.add(entry);
    return () => {
      set.delete(entry);
      if (set.size === 0 && this.byKey.get(key) === set) this.byKey.delete(key);
    };
  }

  /** The listeners under `key` now (a copy). */
  of(key: string): L[] {
    return [...(this.byKey.get(key) ?? [])].map((e) => e.listener);
  }

  has(key: string): boolean {
    return this.byKey.has(key);
  }

  keys(): string[] {
    return [...this.byKey.keys()];
  }

  clear(): void {
    this.byKey.clear();
  }
}
