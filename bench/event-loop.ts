/**
 * `npm run bench -- --event-loop [--json] [--size 512] [--steps 20] [--workers 1] [--threads N] [--cold-store]`: how long the main
 * thread's event loop is held up while a real L-BFGS job runs through the job service on the worker
 * runner. Chat platforms want an answer within 3 s; the target is a p99 delay under 20 ms.
 *
 * Weights: STYLEBOT_WEIGHTS, else ../shared/models/vgg19_imagenet_notop_block1-3.h5 (layers `seed`, which
 * that file serves). A temporary database and data directory are made and removed.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { createImageInputCheck, createJobService, DEFAULT_SERVER_LIMITS, JobFiles } from '../src/jobs/index.js';
import { openStore } from '../src/store/index.js';
import { createWorkerRunner } from '../src/worker/index.js';

const { values } = parseArgs({
  options: {
    'event-loop': { type: 'boolean', default: true },
    json: { type: 'boolean', default: false },
    // the store as `npm start` opens it compiles its query shapes at start (warmUp); this measures without
    'cold-store': { type: 'boolean', default: false },
    size: { type: 'string', default: '512' },
    steps: { type: 'string', default: '20' },
    workers: { type: 'string', default: '1' },
    // CPU threads of each worker's engine; unset: every core (production's default)
    threads: { type: 'string' },
  },
});

// npm runs scripts from the package root; the shared data sits beside the checkout.
const shared = path.resolve(process.cwd(), '../shared');
const weightsFile = process.env.STYLEBOT_WEIGHTS || path.join(shared, 'models/vgg19_imagenet_notop_block1-3.h5');
const size = Number(values.size);
const steps = Number(values.steps);
const workers = Number(values.workers);

const dir = mkdtempSync(path.join(tmpdir(), 'stylebot-bench-'));
// compiled into dist-bench/, so the migrations are found from the package root rather than beside the code
const store = await openStore({ databasePath: path.join(dir, 'stylebot.db'), migrationsDir: path.resolve(process.cwd(), 'prisma/migrations'), warmUp: !values['cold-store'] });
const threads = values.threads === undefined ? undefined : Number(values.threads);
const runner = createWorkerRunner({ workers, engine: { weightsFile, threads } });
const service = createJobService({
  store,
  files: new JobFiles(path.join(dir, 'data')),
  runner: runner.run,
  logger: pino({ level: 'silent' }),
  checkInputs: createImageInputCheck(),
  concurrency: workers,
  sweepIntervalMs: 0,
  operatorLimits: { ...DEFAULT_SERVER_LIMITS, maxConcurrent: workers, maxSize: Math.max(size, 16), userHourlySeconds: 1_000_000, serverHourlySeconds: 1_000_000 },
});

try {
  await service.start();
  const ended = new Promise<{ ok: boolean; detail: string }>((resolve) => {
    service.events.on('finished', (e) => resolve({ ok: true, detail: `${e.summary.steps} steps` }));
    service.events.on('failed', (e) => resolve({ ok: false, detail: `${e.code} ${JSON.stringify(e.details)}` }));
  });
  let progressEvents = 0;
  let previews = 0;
  service.events.on('progress', (e) => {
    progressEvents++;
    if (e.preview) previews++;
  });

  // 1 ms resolution: a 20 ms target needs finer samples than the default 10 ms. `delay` covers the whole
  // job from its submission; `running` only the run itself, so that a stall can be told apart from the
  // submission's work (input checks, storage) and the run's.
  const delay = monitorEventLoopDelay({ resolution: 1 });
  const running = monitorEventLoopDelay({ resolution: 1 });
  service.events.on('started', () => void running.enable());
  const started = performance.now();
  delay.enable();
  await service.submit({
    platform: 'bench',
    serverId: 'bench',
    channelId: 'bench',
    userId: 'bench',
    content: readFileSync(path.join(shared, 'images/content/chelsea_cat.jpg')),
    styles: [readFileSync(path.join(shared, 'images/style/vangogh_starry_night.jpg'))],
    options: { size, steps, optimizer: 'lbfgs', layers: 'seed', seed: 1, frameEvery: 1 },
  });
  const outcome = await ended;
  delay.disable();
  running.disable();
  if (!outcome.ok) throw new Error(`the bench job failed: ${outcome.detail}`);

  const ms = (ns: number) => Math.round(ns / 1e4) / 100;
  const line = {
    eventLoopP99Ms: ms(delay.percentile(99)),
    eventLoopMaxMs: ms(delay.max),
    eventLoopP50Ms: ms(delay.percentile(50)),
    eventLoopMeanMs: ms(delay.mean),
    runningP99Ms: ms(running.percentile(99)),
    runningMaxMs: ms(running.max),
    size,
    steps,
    optimizer: 'lbfgs',
    layers: 'seed',
    workers,
    threads: threads ?? null,
    jobSeconds: Math.round(performance.now() - started) / 1000,
    progressEvents,
    previews,
  };
  if (values.json) {
    process.stdout.write(`${JSON.stringify(line)}\n`);
  } else {
    process.stdout.write(
      `event loop while a ${size} px L-BFGS job (${steps} steps, layers seed) ran in ${line.jobSeconds} s: ` +
        `p50 ${line.eventLoopP50Ms} ms, p99 ${line.eventLoopP99Ms} ms, max ${line.eventLoopMaxMs} ms (target p99 < 20 ms)\n`,
    );
  }
} finally {
  await service.close();
  await runner.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
