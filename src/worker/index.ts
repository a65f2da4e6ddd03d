// The engine in worker threads: the job service's production runner.
export { EngineWorkerError, isEngineWorkerError } from './errors.js';
export { createWorkerRunner, type WorkerRunner, type WorkerRunnerLogger, type WorkerRunnerOptions } from './pool.js';
export type { WorkerSetup } from './protocol.js';
