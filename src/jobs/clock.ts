/** Wall-clock time in Unix milliseconds. Injected so that budgets, retention and ETAs can be tested. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
