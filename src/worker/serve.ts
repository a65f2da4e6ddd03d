import type { MessagePort } from 'node:worker_threads';
import { Engine } from '../engine/index.js';
import { createPipelineRunner, type RunnerProgress, type RunnerResult } from '../jobs/runner.js';
import type { StylizeEngine } from '../pipeline/index.js';
import { ownBytes, toWire, type FromWorker, type ToWorker, type WorkerSetup } from './protocol.js';

export interface ServeOptions {
  /** the worker's one engine; default the ONNX engine on the setup's weights (tests pass a stand-in) */
  readonly createEngine?: (setup: WorkerSetup, onWarning: EngineWarning) => Promise<StylizeEngine>;
}

/**
 * The worker side: one engine for the worker's life (its weights and compiled models are cached in it),
 * one job at a time. Progress and previews are posted as they come, results transferred, and a `cancel`
 * aborts the running job's signal.
 */
export async function serveJobs(port: MessagePort, setup: WorkerSetup, options: ServeOptions = {}): Promise<void> {
  const post = (message: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);
  // the main thread logs it: a worker has no logger of its own
  const onWarning = (message: string, details: Readonly<Record<string, unknown>>) => post({ type: 'warning', jobId: null, message, details });
  const engine = await (options.createEngine ?? defaultEngine)(setup, onWarning);
  const run = createPipelineRunner({ engines: [engine], limits: setup.limits, gifMaxBytes: setup.gifMaxBytes });
  const running = new Map<string, AbortController>();
  const runs = new Set<Promise<void>>();

  port.on('message', (message: ToWorker) => {
    if (message.type === 'close') {
      for (const controller of running.values()) controller.abort(new Error('closing'));
      // the engine's sessions are released only once no step runs on them any more
      void Promise.allSettled(runs)
        .then(() => releaseEngine(engine))
        .finally(() => port.close());
      return;
    }
    if (message.type === 'cancel') {
      running.get(message.jobId)?.abort(new Error('cancelled'));
      return;
    }
    const { job } = message;
    const controller = new AbortController();
    running.set(job.id, controller);
    const onProgress = (progress: RunnerProgress) => {
      if (!progress.preview) return post({ type: 'progress', jobId: job.id, progress });
      const preview = ownBytes(progress.preview);
      post({ type: 'progress', jobId: job.id, progress: { ...progress, preview } }, [preview.buffer as ArrayBuffer]);
    };
    const done = run(job, { signal: controller.signal, onProgress })
      .then((result) => {
        const owned: RunnerResult = { ...result, png: ownBytes(result.png), gif: ownBytes(result.gif), plot: ownBytes(result.plot) };
        post({ type: 'result', jobId: job.id, result: owned }, [owned.png, owned.gif, owned.plot].map((b) => b.buffer as ArrayBuffer));
      })
      .catch((error: unknown) => post({ type: 'error', jobId: job.id, error: toWire(error) }))
      .finally(() => {
        running.delete(job.id);
        runs.delete(done);
      });
    runs.add(done);
  });
}

async function releaseEngine(engine: StylizeEngine): Promise<void> {
  const release = (engine as { release?: () => Promise<void> }).release;
  await release?.call(engine).catch(() => undefined);
}

type EngineWarning = (message: string, details: Readonly<Record<string, unknown>>) => void;

async function defaultEngine(setup: WorkerSetup, onWarning: EngineWarning): Promise<StylizeEngine> {
  return Engine.create({ weightsFile: setup.weightsFile, provider: setup.provider, threads: setup.threads, onWarning });
}
