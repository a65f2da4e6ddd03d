import { EngineError } from './errors.js';

export function cancelled(): EngineError {
  return new EngineError('CANCELLED', 'The style transfer was cancelled.');
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw cancelled();
}

/**
 * Settles with `work`, or rejects with CANCELLED as soon as `signal` fires. Weight loading and model
 * compilation cannot be interrupted halfway, so they go on in the background (their result is cached for
 * the next run); the caller is answered at once instead of after seconds of compilation.
 */
export function raceAbort<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.reject(cancelled());
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      work.catch(() => undefined);
      reject(cancelled());
    };
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
