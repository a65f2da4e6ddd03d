import { Worker } from 'node:worker_threads';
import { EngineError, type ProviderChoice } from '../engine/index.js';
import type { DecodeLimits } from '../images/index.js';
import type { JobRunner, RunnerContext, RunnerJob, RunnerResult } from '../jobs/runner.js';
import type { EntryFile } from './entry.js';
import { EngineWorkerError } from './errors.js';
import { fromWire, type FromWorker, type ToWorker, type WorkerSetup } from './protocol.js';

// Named only so that every tsc program building this file also emits the worker entry (bench builds just what it imports).
type _Entry = EntryFile;

/** The pino methods the runner uses; pino's Logger fits. */
export interface WorkerRunnerLogger {
  info(object: object, message?: string): void;
  warn(object: object, message?: string): void;
  error(object: object, message?: string): void;
}

export interface WorkerRunnerOptions {
  /** engine slots: one worker thread each, so the job service's concurrency should equal it */
  readonly workers: number;
  /**
   * `weightsFile` may still be on its way (the first start downloads 80 MB): jobs wait for it, and fail
   * with its error when it cannot be had.
   */
  readonly engine: { readonly weightsFile: string | Promise<string>; readonly provider?: ProviderChoice; readonly threads?: number };
  readonly limits?: Partial<DecodeLimits>;
  readonly gifMaxBytes?: number;
  readonly logger?: WorkerRunnerLogger;
  /**
   * After a cancel the job is rejected at once, but its worker is busy until it notices (before its next
   * step). One that has not stopped after this long is terminated and replaced. Default 30 s.
   */
  readonly cancelGraceMs?: number;
  /** how long close() lets a worker release its engine before terminating it; default 5 s */
  readonly closeGraceMs?: number;
  /** the worker entry module; default src/worker/entry next to this file (tests start stand-ins) */
  readonly entry?: URL;
}

/** The job service's runner, with the worker threads behind it. */
export interface WorkerRunner {
  readonly run: JobRunner;
  /** the worker threads that are alive now (started on first use, restarted after a crash) */
  readonly threadIds: readonly number[];
  /** rejects waiting jobs, terminates the workers (a running job rejects); idempotent */
  close(): Promise<void>;
}

interface Running {
  readonly job: RunnerJob;
  readonly context: RunnerContext;
  settled: boolean;
  resolve(result: RunnerResult): void;
  reject(error: unknown): void;
}

const cancelled = () => new EngineError('CANCELLED', 'The style transfer was cancelled.');

/**
 * The whole pipeline (decode, resize, engine, L-BFGS, PNG/GIF/plot and preview encoding) in worker threads,
 * so that the main thread's event loop stays free for the chat platforms. One job per worker at a time;
 * jobs beyond the worker count wait here for a free one.
 */
export function createWorkerRunner(options: WorkerRunnerOptions): WorkerRunner {
  if (!(options.workers >= 1)) throw new RangeError('createWorkerRunner needs at least one worker');
  const weightsFile = Promise.resolve(options.engine.weightsFile);
  // a failed download is each job's failure, reported when the job asks; not an unhandled rejection now
  weightsFile.catch(() => undefined);
  const setup = weightsFile.then((file): WorkerSetup => ({ ...options.engine, weightsFile: file, limits: options.limits, gifMaxBytes: options.gifMaxBytes }));
  setup.catch(() => undefined);
  const slots = Array.from({ length: options.workers }, (_, i) => new Slot(i, options));
  const free = [...slots];
  const waiting: Array<{ take(slot: Slot): void; refuse(error: unknown): void }> = [];
  let closed = false;

  const release = (slot: Slot) => {
    if (closed) return;
    const next = waiting.shift();
    if (next) next.take(slot);
    else free.push(slot);
  };
  for (const slot of slots) slot.onFree = () => release(slot);

  const acquire = (signal: AbortSignal) =>
    new Promise<Slot>((resolve, reject) => {
      const slot = free.shift();
      if (slot) return resolve(slot);
      const waiter = {
        take: (s: Slot) => {
          signal.removeEventListener('abort', onAbort);
          resolve(s);
        },
        refuse: reject,
      };
      const onAbort = () => {
        waiting.splice(waiting.indexOf(waiter), 1);
        reject(cancelled());
      };
      signal.addEventListener('abort', onAbort, { once: true });
      waiting.push(waiter);
    });

  const run: JobRunner = async (job, context) => {
    if (closed) throw new EngineError('CANCELLED', 'The job runner is closed.');
    if (context.signal.aborted) throw cancelled();
    const ready = await untilAborted(setup, context.signal);
    const slot = await acquire(context.signal);
    // the signal or close() may have fired while the slot was handed over
    if (closed) throw new EngineError('CANCELLED', 'The job runner closed before the job started.');
    if (context.signal.aborted) {
      release(slot);
      throw cancelled();
    }
    return slot.run(job, context, ready);
  };

  return {
    run,
    get threadIds() {
      return slots.map((s) => s.threadId).filter((id): id is number => id !== undefined);
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const waiter of waiting.splice(0)) waiter.refuse(new EngineError('CANCELLED', 'The job runner closed before the job started.'));
      await Promise.all(slots.map((s) => s.close()));
    },
  };
}

/** `promise`, or a CANCELLED rejection as soon as the signal fires. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(cancelled());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** One worker thread, started when first needed and again after it died. */
class Slot {
  onFree: () => void = () => undefined;
  private worker: Worker | undefined;
  private running: Running | undefined;
  private graceTimer: NodeJS.Timeout | undefined;
  private closing = false;

  constructor(
    private readonly index: number,
    private readonly options: WorkerRunnerOptions,
  ) {}

  get threadId(): number | undefined {
    return this.worker?.threadId;
  }

  run(job: RunnerJob, context: RunnerContext, setup: WorkerSetup): Promise<RunnerResult> {
    return new Promise<RunnerResult>((resolve, reject) => {
      const running: Running = { job, context, settled: false, resolve, reject };
      this.running = running;
      const worker = this.ensureWorker(setup);
      const onAbort = () => {
        if (running.settled) return;
        // rejected now: the user sees the cancel at once; the slot stays busy until the worker has stopped
        this.settle(running, () => reject(cancelled()));
        this.send({ type: 'cancel', jobId: job.id });
        this.graceTimer = setTimeout(() => {
          this.options.logger?.warn({ job: job.id, worker: this.index }, 'engine worker did not stop after a cancel; terminating it');
          void worker.terminate();
        }, this.options.cancelGraceMs ?? 30_000);
        this.graceTimer.unref();
      };
      context.signal.addEventListener('abort', onAbort, { once: true });
      this.send({ type: 'run', job });
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    const worker = this.worker;
    if (!worker) return;
    if (this.running) {
      this.settle(this.running, (r) => r.reject(new EngineError('CANCELLED', 'The job runner closed while the job ran.')));
    }
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    this.send({ type: 'close' });
    const timer = setTimeout(() => void worker.terminate(), this.options.closeGraceMs ?? 5000);
    await exited;
    clearTimeout(timer);
  }

  private ensureWorker(setup: WorkerSetup): Worker {
    if (this.worker) return this.worker;
    const ownFile = import.meta.url;
    // compiled: entry.js beside this file; under tsx or vitest the TypeScript source, loaded through tsx
    const typescript = ownFile.endsWith('.ts');
    const entry = this.options.entry ?? new URL(typescript ? './entry.ts' : './entry.js', ownFile);
    const worker = entry.pathname.endsWith('.ts')
      ? new Worker(new URL('./tsx-bootstrap.mjs', ownFile), { argv: [entry.href], workerData: setup })
      : new Worker(entry, { workerData: setup });
    this.worker = worker;
    this.options.logger?.info({ worker: this.index, thread: worker.threadId }, 'engine worker started');
    let failure: Error | undefined;
    worker.on('message', (message: FromWorker) => this.receive(message));
    worker.on('error', (error) => (failure = error));
    worker.on('exit', (code) => this.exited(worker, code, failure));
    return worker;
  }

  private receive(message: FromWorker): void {
    if (message.type === 'warning') {
      this.options.logger?.warn({ worker: this.index, ...message.details }, message.message);
      return;
    }
    const running = this.running;
    if (!running || running.job.id !== message.jobId) return;
    switch (message.type) {
      case 'progress':
        if (!running.settled) running.context.onProgress(message.progress);
        return;
      case 'result':
        this.settle(running, (r) => r.resolve(message.result));
        return this.free();
      case 'error':
        this.settle(running, (r) => r.reject(fromWire(message.error)));
        return this.free();
    }
  }

  private exited(worker: Worker, code: number, failure: Error | undefined): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    if (this.closing) return;
    const running = this.running;
    if (running) {
      const reason = failure ? `${failure.name}: ${failure.message}` : `exit code ${code}`;
      const error = new EngineWorkerError(`The engine worker stopped under job ${running.job.id} (${reason}).`, running.job.id, failure ? null : code, { cause: failure });
      if (!running.settled) this.options.logger?.error({ err: error, job: running.job.id, worker: this.index }, 'engine worker crashed');
      this.settle(running, (r) => r.reject(error));
      // the next job starts a fresh worker
      this.free();
      return;
    }
    this.options.logger?.warn({ worker: this.index, code, err: failure }, 'idle engine worker exited; a new one starts with the next job');
  }

  private free(): void {
    clearTimeout(this.graceTimer);
    this.running = undefined;
    if (!this.closing) this.onFree();
  }

  private settle(running: Running, action: (r: Running) => void): void {
    if (running.settled) return;
    running.settled = true;
    action(running);
  }

  private send(message: ToWorker): void {
    this.worker?.postMessage(message);
  }
}
