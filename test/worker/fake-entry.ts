// A stand-in engine worker: the real serveJobs with the fake engine, plus misbehaviour chosen by job id
// ('crash…' exits the thread, 'stuck…' never finishes and ignores its cancel).
import { parentPort, workerData } from 'node:worker_threads';
import type { StylizeRequest, StylizeResult } from '../../src/engine/index.js';
import type { ToWorker, WorkerSetup } from '../../src/worker/protocol.js';
import { serveJobs } from '../../src/worker/serve.js';
import { FakeEngine } from '../pipeline/fake-engine.js';

let current = '';
parentPort!.on('message', (message: ToWorker) => {
  if (message.type !== 'run') return;
  current = message.job.id;
  if (current.startsWith('crash')) process.exit(7);
});

const fake = new FakeEngine();
await serveJobs(parentPort!, workerData as WorkerSetup, {
  createEngine: async (_setup, onWarning) => {
    // as the ONNX engine does once when a CUDA start fails and it runs on the CPU instead
    onWarning('Running on cpu: the CUDA provider did not start', { provider: 'cpu', wanted: 'cuda' });
    return {
    stylize: (request: StylizeRequest): Promise<StylizeResult> => {
      if (!current.startsWith('stuck')) return fake.stylize(request);
      const { width, height } = request.content;
      const losses = { total: 1, style: 1, content: 0, tv: 0 };
      request.onProgress?.({ step: 0, totalSteps: 3, scale: 0, scaleCount: 1, width, height, losses, elapsedMs: 0 });
      return new Promise(() => undefined);
    },
    };
  },
});
