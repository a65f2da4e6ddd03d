import type { ChallengeRecord, EntryRecord, RankedEntry } from '../store/index.js';

/** What the challenge service tells the outside; the bot layer posts entries and winners from these. */
export interface ChallengeEventMap {
  /** a submission's job finished in time and is the member's entry now; `replaced` lost its votes */
  entered: { readonly challenge: ChallengeRecord; readonly entry: EntryRecord; readonly replaced: { readonly entry: EntryRecord; readonly droppedVotes: number } | null };
  /** a submission that did not become an entry: its job failed or was cancelled, it finished after the deadline, or a newer one won */
  notEntered: { readonly challenge: ChallengeRecord; readonly entry: EntryRecord; readonly reason: 'failed' | 'late' | 'superseded' };
  /** a vote was cast or moved: the entries whose counts changed */
  voted: { readonly challenge: ChallengeRecord; readonly entryIds: readonly string[] };
  /** closed at its deadline (by null) or early by a moderator */
  closed: { readonly challenge: ChallengeRecord; readonly winners: readonly RankedEntry[]; readonly by: string | null };
}

export type ChallengeEventName = keyof ChallengeEventMap;
export type ChallengeListener<K extends ChallengeEventName> = (event: ChallengeEventMap[K]) => void | Promise<void>;

export interface ChallengeEventSource {
  on<K extends ChallengeEventName>(name: K, listener: ChallengeListener<K>): () => void;
}

/** A small typed emitter; a listener that throws or rejects is reported and stops nothing else. */
export class ChallengeEvents implements ChallengeEventSource {
  private readonly listeners = new Map<ChallengeEventName, Set<ChallengeListener<never>>>();
  constructor(private readonly onListenerError: (name: ChallengeEventName, error: unknown) => void) {}

  on<K extends ChallengeEventName>(name: K, listener: ChallengeListener<K>): () => void {
    let set = this.listeners.get(name);
    if (!set) this.listeners.set(name, (set = new Set()));
    set.add(listener as ChallengeListener<never>);
    return () => set.delete(listener as ChallengeListener<never>);
  }

  emit<K extends ChallengeEventName>(name: K, event: ChallengeEventMap[K]): void {
    for (const listener of [...(this.listeners.get(name) ?? [])]) {
      try {
        const result = (listener as ChallengeListener<K>)(event);
        if (result instanceof Promise) result.catch((error: unknown) => this.onListenerError(name, error));
      } catch (error) {
        this.onListenerError(name, error);
      }
    }
  }
}
