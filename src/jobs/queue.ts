import type { Forecast, QueueEntry } from './scheduler.js';

/**
 * The waiting line in front of the workers, as the job service uses it. FairQueue is the in-process one;
 * a distributed implementation (BullMQ on Redis, for several machines) provides the same surface, with
 * the database's claim and lease deciding which process runs a job.
 */
export interface JobQueue {
  /** the service's handler for a job that gets a worker slot; set once, before the first `add` */
  process(execute: (entry: QueueEntry) => Promise<void>): void;
  add(entry: QueueEntry): void;
  /** takes a waiting job out; false when it is not waiting (running, or unknown) */
  remove(id: string): boolean;
  waiting(): readonly QueueEntry[];
  /** whether a job like `entry` would start at once instead of waiting */
  couldStartNow(entry: Pick<QueueEntry, 'userKey' | 'serverKey' | 'maxRunningPerUser' | 'maxConcurrent'>): boolean;
  /** position and timing of every waiting job, given the seconds left of each running one */
  forecast(remaining: (entry: QueueEntry) => number): Map<string, Forecast>;
  /** stops starting jobs at once, then resolves when the running ones have ended */
  close(): Promise<void>;
}
