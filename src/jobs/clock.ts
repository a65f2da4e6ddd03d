/** Wall-clock time in Unix milliseconds. Injected so that budgets, retention and ETAs can be tested. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/**
 * A clock with timers: for coalescing edits, retry backoff, download limits and challenge deadlines. Injected
 * so tests drive time by hand instead of sleeping.
 */
export interface Timers extends Clock {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemTimers: Timers = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => {
    const handle = setTimeout(callback, ms);
    // a pending edit, retry or deadline must not keep the process alive at shutdown
    handle.unref();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};
