import type { Timers } from '../../jobs/index.js';

// The core's time is the job service's: one Timers type for edits, retries, downloads and deadlines.
export { systemTimers, type Timers } from '../../jobs/index.js';

/** Resolves after `ms` on `timers`, or rejects with the signal's reason when it aborts first. */
export function delay(timers: Timers, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      timers.clearTimeout(handle);
      reject(signal!.reason);
    };
    const handle = timers.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
