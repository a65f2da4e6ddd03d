// The engine worker thread's entry point: started by createWorkerRunner, never imported by other code.
import { parentPort, workerData } from 'node:worker_threads';
import type { WorkerSetup } from './protocol.js';
import { serveJobs } from './serve.js';

/** Exported so that the pool can name this file in a type import: a tsc program that builds the pool then emits it too. */
export type EntryFile = 'engine-worker';

if (!parentPort) throw new Error('src/worker/entry is the engine worker thread; start it through createWorkerRunner');
await serveJobs(parentPort, workerData as WorkerSetup);
