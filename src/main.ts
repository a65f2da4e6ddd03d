// The composition root of the bot process (`npm start`): the only place that creates clients and wires them.
// Start: configuration, a writable storage check, the store, job files, the engine workers, the job service,
// the bot core, then every platform whose settings are present. Stop (SIGINT/SIGTERM): the same in reverse.
import pino, { type Logger } from 'pino';
import type { AdapterContext, PlatformAdapter } from './bots/shared/contract.js';
import { createChallengeFeature } from './bots/shared/challenges/index.js';
import { createBotCore, type BotCoreHandle } from './bots/shared/core.js';
import { ChallengeService } from './challenges/index.js';
import { createDiscordAdapter } from './bots/discord/index.js';
import { createSlackAdapter } from './bots/slack/index.js';
import { createWebAdapter, type WebAdapter } from './bots/web/index.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { createLogger } from './log.js';
import { resolveWeightsFile } from './engine/index.js';
import { createImageInputCheck, createJobService, JobFiles, type JobService } from './jobs/index.js';
import { checkWritable, openStore, StoreError, type Store } from './store/index.js';
import { createWorkerRunner, type WorkerRunner } from './worker/index.js';

/** A stuck adapter or job must not keep the process from ending: after this, it exits anyway. */
const SHUTDOWN_LIMIT_MS = 20_000;

/** One line per platform: when its settings are present it is started, in this order (and stopped in reverse). */
const PLATFORMS: ReadonlyArray<(config: Config, ctx: AdapterContext) => PlatformAdapter | undefined> = [
  (config, ctx) => config.discord && createDiscordAdapter({ ...ctx, config: config.discord }),
  (config, ctx) => config.slack && createSlackAdapter({ ...ctx, config: config.slack }),
  (config, ctx) => config.web && createWebAdapter({ ...ctx, config: config.web }),
];

/** What has been started so far: a failed start stops exactly these. */
interface Running {
  store?: Store;
  runner?: WorkerRunner;
  jobs?: JobService;
  challenges?: ChallengeService;
  core?: BotCoreHandle;
  readonly adapters: PlatformAdapter[];
}

async function start(config: Config, log: Logger, running: Running): Promise<void> {
  // refuses unwritable storage now, naming the path, rather than failing every job later
  checkWritable({ databasePath: config.databasePath, dataDir: config.dataDir });
  // warmUp: query plans compiled now, not on the main thread during the first job while chats wait
  const store = (running.store = await openStore({ databasePath: config.databasePath, logger: log, warmUp: true }));
  log.info({ database: config.databasePath, migrations: store.migrations.applied.length }, 'storage ready');

  let web: WebAdapter | undefined;
  // the first start downloads the weights (80 MB); the platforms answer meanwhile and jobs wait for them
  const weightsFile = resolveWeightsFile({
    file: config.weightsFile,
    cacheDir: config.cacheDir,
    onProgress: (p) => web?.reportWeights({ state: 'downloading', receivedBytes: p.receivedBytes, ...(p.totalBytes === undefined ? {} : { totalBytes: p.totalBytes }) }),
  });
  weightsFile.then(
    (file) => {
      log.info({ weights: file }, 'weights ready');
      web?.reportWeights({ state: 'ready' });
    },
    (error: unknown) => {
      log.error({ err: error }, 'weights unavailable: jobs fail until this is fixed and the bot restarted');
      web?.reportWeights({ state: 'failed', message: (error as Error).message });
    },
  );

  const runner = (running.runner = createWorkerRunner({
    workers: config.concurrency,
    engine: { weightsFile, provider: config.provider, threads: config.threads },
    logger: log.child({ component: 'engine-worker' }),
  }));
  const jobs = (running.jobs = createJobService({
    store,
    files: new JobFiles(config.dataDir),
    runner: runner.run,
    logger: log,
    concurrency: config.concurrency,
    // a stable name lets a restart take its own running jobs back without waiting for their leases
    ...(config.workerId === undefined ? {} : { owner: config.workerId }),
    operatorLimits: config.limits,
    retentionMs: config.retentionMs,
    checkInputs: createImageInputCheck(),
    // entries of open challenges and winners keep their files
    protectedJobIds: (ids) => store.challenges.protectedJobIds(ids),
  }));
  // subscribes to the job events before the jobs recover, so no entry's finish is missed
  const challenges = (running.challenges = new ChallengeService({ store: store.challenges, jobs, logger: log }));
  const feature = createChallengeFeature({ challenges, jobs, logger: log });
  const core = (running.core = feature.wrap(createBotCore({ jobs, logger: log, handlers: feature.handlers, bindChallenge: feature.bindChallenge })));
  await jobs.start();
  log.info({ workers: config.concurrency, dataDir: config.dataDir }, 'job service started');

  const ctx: AdapterContext = { core, logger: log };
  for (const create of PLATFORMS) {
    const adapter = create(config, ctx);
    if (!adapter) continue;
    if (adapter.name === 'web') web = adapter as WebAdapter;
    running.adapters.push(adapter);
    await adapter.start();
    log.info({ platform: adapter.name, ...(adapter.name === 'web' ? { url: (adapter as WebAdapter).url } : {}) }, `${adapter.name} started`);
  }
  // after the transports: a deadline that passed while the bot was down is announced now
  await challenges.start();
  log.info({ platforms: running.adapters.map((a) => a.name) }, 'stylebot ready');
}

/** Adapters first (no new commands), then the jobs (running ones go back to the queue), workers, storage. */
async function stop(running: Running, log: Logger): Promise<void> {
  for (const adapter of [...running.adapters].reverse()) {
    await adapter.stop().catch((error: unknown) => log.error({ err: error, platform: adapter.name }, `${adapter.name} did not stop cleanly`));
    log.info({ platform: adapter.name }, `${adapter.name} stopped`);
  }
  running.challenges?.close();
  if (running.jobs) {
    await running.jobs.close();
    log.info('job service closed');
  }
  if (running.core) {
    await running.core.idle();
    running.core.close();
  }
  if (running.runner) {
    await running.runner.close();
    log.info('engine workers closed');
  }
  if (running.store) {
    await running.store.close();
    log.info('storage closed');
  }
}

async function main(): Promise<number> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\nFix these variables (see .env.example) and start again.\n`);
      return 2;
    }
    throw error;
  }
  // one readable line per event on a terminal, JSON lines otherwise; synchronous either way, so lines stay
  // in order and none is lost when the process exits right after the last one
  const tty = process.stdout.isTTY === true;
  const log = createLogger({ level: config.logLevel, pretty: tty, destination: tty ? process.stdout : pino.destination({ dest: 1, sync: true }) });

  const running: Running = { adapters: [] };
  // a shutdown that hangs (a stuck adapter, a job that ignores its signal) ends the process anyway
  const bounded = () =>
    setTimeout(() => {
      log.error({ limitMs: SHUTDOWN_LIMIT_MS }, 'shutdown took too long; exiting anyway');
      process.exit(1);
    }, SHUTDOWN_LIMIT_MS).unref();
  try {
    await start(config, log, running);
  } catch (error) {
    if (error instanceof StoreError) {
      log.fatal({ code: error.code }, error.message);
      process.stderr.write(`${error.message}\n`);
    } else {
      log.fatal({ err: error }, 'start failed');
    }
    bounded();
    await stop(running, log).catch((e: unknown) => log.error({ err: e }, 'shutdown failed'));
    return 1;
  }

  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  log.info({ signal }, 'shutting down');
  bounded();
  // a second Ctrl-C ends at once
  process.once(signal, () => process.exit(130));
  try {
    await stop(running, log);
  } catch (error) {
    log.error({ err: error }, 'shutdown failed');
    return 1;
  }
  log.info('stopped');
  return 0;
}

// Everything is closed by now; a library timer left behind must not keep the process alive.
process.exit(await main());
