import { systemTimers, type Timers } from '../jobs/index.js';

/** Time as the challenge service sees it: the job service's Timers, so tests drive both by hand. */
export type DeadlineTimers = Timers;
export const systemDeadlineTimers: DeadlineTimers = systemTimers;

/** Node's timers overflow past 2^31-1 ms (about 24.8 days): longer waits are made of several. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * One timer per open challenge. The deadline itself lives in the database; this only wakes the service at
 * it, and every start arms it again from there, so a restart in between loses nothing.
 */
export class Deadlines {
  private readonly armed = new Map<string, unknown>();
  constructor(private readonly timers: DeadlineTimers, private readonly onDue: (id: string) => void) {}

  arm(id: string, closesAt: number): void {
    this.disarm(id);
    const wait = closesAt - this.timers.now();
    if (wait <= 0) {
      this.onDue(id);
      return;
    }
    this.armed.set(
      id,
      this.timers.setTimeout(() => {
        this.armed.delete(id);
        this.arm(id, closesAt);
      }, Math.min(wait, MAX_TIMER_MS)),
    );
  }

  disarm(id: string): void {
    const handle = this.armed.get(id);
    if (handle === undefined) return;
    this.timers.clearTimeout(handle);
    this.armed.delete(id);
  }

  disarmAll(): void {
    for (const id of [...this.armed.keys()]) this.disarm(id);
  }

  get size(): number {
    return this.armed.size;
  }
}
