import Bottleneck from 'bottleneck';
import type { JobQueue } from './queue.js';

/** What the scheduler needs to know of a job: who it belongs to, its limits and its expected length. */
export interface QueueEntry {
  readonly id: string;
  /** platform and user: one person across servers */
  readonly userKey: string;
  /** platform and server */
  readonly serverKey: string;
  readonly estimatedSeconds: number;
  readonly maxRunningPerUser: number;
  /** jobs of this entry's server that may run at once */
  readonly maxConcurrent: number;
}

export interface Forecast {
  /** 1 = next to start */
  readonly position: number;
  readonly startsInSeconds: number;
  /** until the result is ready */
  readonly etaSeconds: number;
}

export interface FairQueueOptions {
  readonly concurrency: number;
  /** runs one job to its end; must not reject (failures are the caller's to record). Or set later with `process`. */
  readonly execute?: (entry: QueueEntry) => Promise<void>;
  readonly onError: (error: unknown) => void;
}

interface Pending extends QueueEntry {
  readonly seq: number;
}

/**
 * The queue in front of the worker. Bottleneck owns the worker slots (maxConcurrent); each submitted job
 * adds one ticket to it, and a ticket that gets a slot takes the fairest job that may start *now*, not
 * necessarily its own: users who were served least recently go first, in submission order among equals,
 * so two people sharing one worker alternate instead of the first one's whole batch running first.
 * A ticket that finds only jobs held back by a limit (the owner already runs one) waits in its slot
 * until something changes; there are never fewer tickets than waiting jobs, so no job is forgotten.
 */
export class FairQueue implements JobQueue {
  private readonly limiter: Bottleneck;
  private readonly pending: Pending[] = [];
  private readonly running = new Map<string, QueueEntry>();
  private readonly lastServed = new Map<string, number>();
  private served = 0;
  private seq = 0;
  private concurrency: number;
  private closed = false;
  private wake!: () => void;
  private changed!: Promise<void>;
  private execute: ((entry: QueueEntry) => Promise<void>) | undefined;

  constructor(private readonly options: FairQueueOptions) {
    this.concurrency = options.concurrency;
    this.execute = options.execute;
    this.limiter = new Bottleneck({ maxConcurrent: options.concurrency });
    this.resetSignal();
  }

  process(execute: (entry: QueueEntry) => Promise<void>): void {
    this.execute = execute;
  }

  add(entry: QueueEntry): void {
    if (this.closed) throw new Error('the queue is closed');
    if (!this.execute) throw new Error('FairQueue.process() must be called before add()');
    this.pending.push({ ...entry, seq: ++this.seq });
    this.limiter.schedule(() => this.ticket()).catch((error: unknown) => {
      if (!this.closed) this.options.onError(error);
    });
    this.notify();
  }

  /** Takes a waiting job out of the queue; false when it is not waiting (running, or unknown). */
  remove(id: string): boolean {
    const index = this.pending.findIndex((e) => e.id === id);
    if (index < 0) return false;
    this.pending.splice(index, 1);
    this.notify();
    return true;
  }

  isWaiting(id: string): boolean {
    return this.pending.some((e) => e.id === id);
  }

  waiting(): readonly QueueEntry[] {
    return this.pending;
  }

  runningEntries(): readonly QueueEntry[] {
    return [...this.running.values()];
  }

  /** Whether a job like `entry` would start at once instead of waiting. */
  couldStartNow(entry: Pick<QueueEntry, 'userKey' | 'serverKey' | 'maxRunningPerUser' | 'maxConcurrent'>): boolean {
    const running = [...this.running.values()];
    return (
      this.pending.length === 0 &&
      running.length < this.concurrency &&
      running.filter((e) => e.userKey === entry.userKey).length < entry.maxRunningPerUser &&
      running.filter((e) => e.serverKey === entry.serverKey).length < entry.maxConcurrent
    );
  }

  setConcurrency(concurrency: number): void {
    this.concurrency = concurrency;
    this.limiter.updateSettings({ maxConcurrent: concurrency });
  }

  /** The waiting jobs in the order they are expected to start. */
  order(): QueueEntry[] {
    const last = new Map(this.lastServed);
    let served = this.served;
    const rest = [...this.pending];
    const order: QueueEntry[] = [];
    while (rest.length > 0) {
      const next = fairest(rest, last)!;
      rest.splice(rest.indexOf(next), 1);
      last.set(next.userKey, ++served);
      order.push(next);
    }
    return order;
  }

  /**
   * Position and timing of every waiting job: the slots free up when running jobs end (`remaining`
   * seconds), and each job in order takes the first free slot for its estimated length.
   */
  forecast(remaining: (entry: QueueEntry) => number): Map<string, Forecast> {
    const slots = [...this.running.values()].map((e) => Math.max(0, remaining(e)));
    while (slots.length < this.concurrency) slots.push(0);
    const result = new Map<string, Forecast>();
    this.order().forEach((entry, i) => {
      slots.sort((a, b) => a - b);
      const start = slots[0]!;
      slots[0] = start + entry.estimatedSeconds;
      result.set(entry.id, { position: i + 1, startsInSeconds: start, etaSeconds: slots[0] });
    });
    return result;
  }

  /**
   * Stops starting jobs at once (synchronously), then waits until the running ones have ended: stopping
   * them is the caller's part.
   */
  async close(): Promise<void> {
    this.closed = true;
    this.pending.length = 0;
    this.notify();
    await this.limiter.stop({ dropWaitingJobs: true });
  }

  private async ticket(): Promise<void> {
    for (;;) {
      if (this.closed || this.pending.length === 0) return;
      const next = this.nextEligible();
      if (next) {
        this.pending.splice(this.pending.indexOf(next), 1);
        this.running.set(next.id, next);
        this.lastServed.set(next.userKey, ++this.served);
        try {
          await this.execute!(next);
        } catch (error) {
          this.options.onError(error);
        } finally {
          this.running.delete(next.id);
          this.notify();
        }
        return;
      }
      await this.changed;
    }
  }

  private nextEligible(): Pending | undefined {
    const runningOf = (key: (e: QueueEntry) => string, value: string) => [...this.running.values()].filter((e) => key(e) === value).length;
    const eligible = this.pending.filter(
      (e) => runningOf((r) => r.userKey, e.userKey) < e.maxRunningPerUser && runningOf((r) => r.serverKey, e.serverKey) < e.maxConcurrent,
    );
    return fairest(eligible, this.lastServed);
  }

  private notify(): void {
    const wake = this.wake;
    this.resetSignal();
    wake();
  }

  private resetSignal(): void {
    this.changed = new Promise<void>((resolve) => {
      this.wake = resolve;
    });
  }
}

function fairest<T extends Pending>(entries: readonly T[], lastServed: ReadonlyMap<string, number>): T | undefined {
  let best: T | undefined;
  for (const entry of entries) {
    if (!best) {
      best = entry;
      continue;
    }
    const a = lastServed.get(entry.userKey) ?? 0;
    const b = lastServed.get(best.userKey) ?? 0;
    if (a < b || (a === b && entry.seq < best.seq)) best = entry;
  }
  return best;
}
