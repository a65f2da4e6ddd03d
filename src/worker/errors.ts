/** The engine worker thread died under a job (a native crash, running out of memory, an uncaught error). */
export class EngineWorkerError extends Error {
  override readonly name = 'EngineWorkerError';
  readonly code = 'WORKER_CRASHED';
  constructor(
    message: string,
    readonly jobId: string,
    /** the thread's exit code, when it exited */
    readonly exitCode: number | null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isEngineWorkerError(error: unknown): error is EngineWorkerError {
  return error instanceof EngineWorkerError;
}
