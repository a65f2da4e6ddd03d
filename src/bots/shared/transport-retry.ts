import { TransportError } from './contract.js';
import { delay, type Timers } from './timers.js';

export interface RetryPolicy {
  readonly attempts: number;
  /** first backoff; doubled per attempt up to maxDelayMs */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 1000, maxDelayMs: 30_000 };

/**
 * Runs a transport call, retrying retryable TransportErrors (429, 5xx, timeouts) with backoff, honouring
 * the platform's retry-after. Anything else, and the last failure, is thrown to the caller.
 */
export async function withRetry<T>(call: () => Promise<T>, timers: Timers, policy: RetryPolicy = DEFAULT_RETRY, onBackoff?: (waiting: boolean) => void): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof TransportError) || !error.retryable || attempt >= policy.attempts) throw error;
      const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
      onBackoff?.(true);
      try {
        await delay(timers, error.retryAfterMs ?? backoff);
      } finally {
        onBackoff?.(false);
      }
    }
  }
}
