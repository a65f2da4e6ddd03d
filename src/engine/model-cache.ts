import { LRUCache } from 'lru-cache';
import type { ModelSpec } from './model/models.js';
import type { OrtModel } from './runtime/ort-session.js';
import type { TileModels } from './tiles/evaluator.js';

export interface CompiledModels {
  readonly spec: ModelSpec;
  readonly targets: OrtModel;
  readonly lossGrad: OrtModel;
  /** the tile models, compiled on first use (most runs never tile) */
  tiles(): Promise<TileModels>;
  /** releases every session, the tile models' too if they were compiled */
  release(): Promise<void>;
}

interface Entry {
  readonly pending: Promise<CompiledModels>;
  users: number;
  evicted: boolean;
  ready: boolean;
  freed?: Promise<void>;
}

/** A cache hold: the models stay alive until `release`, even if the cache evicts them meanwhile. */
export interface ModelLease {
  readonly models: Promise<CompiledModels>;
  release(): void;
}

/**
 * Compiled sessions by layer structure and pooling, least recently used evicted first. Each entry holds two
 * ONNX Runtime sessions with their own copy of the weights (up to ~300 MB for deep layer sets), so only a
 * few are kept. An evicted entry that a run still uses is released when that run lets go of it.
 */
export class ModelCache {
  private readonly entries: LRUCache<string, Entry>;

  constructor(max: number) {
    this.entries = new LRUCache<string, Entry>({
      max,
      dispose: (entry) => {
        entry.evicted = true;
        this.releaseIfIdle(entry);
      },
    });
  }

  /** Compiled sessions currently cached (finished or compiling). */
  get size(): number {
    return this.entries.size;
  }

  /** Of those, the ones whose compilation has finished. */
  get readyCount(): number {
    return [...this.entries.values()].filter((e) => e.ready).length;
  }

  acquire(key: string, compile: () => Promise<CompiledModels>): ModelLease {
    let entry = this.entries.get(key);
    if (!entry) {
      const created: Entry = { pending: compile(), users: 0, evicted: false, ready: false };
      entry = created;
      created.pending.then(() => (created.ready = true), () => undefined);
      this.entries.set(key, created);
      // A failed compile is not cached: the next run tries again (the weights file may be fixed by then).
      created.pending.catch(() => {
        if (this.entries.peek(key) === created) this.entries.delete(key);
      });
    }
    const held = entry;
    held.users++;
    let released = false;
    return {
      models: held.pending,
      release: () => {
        if (released) return;
        released = true;
        held.users--;
        this.releaseIfIdle(held);
      },
    };
  }

  /** Evicts everything and waits until every session is released (runs in flight release theirs at the end). */
  async clear(): Promise<void> {
    const entries = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(entries.map((e) => e.freed));
  }

  private releaseIfIdle(entry: Entry): void {
    if (!entry.evicted || entry.users > 0 || entry.freed) return;
    entry.freed = entry.pending.then((models) => models.release(), () => undefined);
  }
}
