import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach } from 'vitest';
import { EngineError } from '../../src/engine/index.js';
import {
  createJobService,
  JOB_EVENT_NAMES,
  JobError,
  JobFiles,
  JobService,
  type Clock,
  type JobEventMap,
  type JobEventName,
  type JobEventSource,
  type JobRunner,
  type JobServiceDeps,
  type RunnerContext,
  type RunnerJob,
  type RunnerResult,
  type ServerLimits,
} from '../../src/jobs/index.js';
import { describeJobError } from '../../src/bots/shared/messages/job-errors.js';
import { openStore, type OpenStoreOptions, type Store } from '../../src/store/index.js';
import { sharedImage } from '../helpers/paths.js';
import { tempDir } from '../store/support.js';

export const T0 = Date.UTC(2025, 10, 30, 12, 0, 0);

export class FakeClock implements Clock {
  constructor(public t = T0) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

/**
 * One run of the fake runner, driven by the test: `advance` makes steps, `finish` and `fail` end it. Like
 * the engine, it looks at the abort signal before each step and rejects with CANCELLED when it fired.
 */
export class FakeRun {
  step = 0;
  readonly result: Promise<RunnerResult>;
  private resolve!: (result: RunnerResult) => void;
  private reject!: (error: unknown) => void;
  private settled = false;

  constructor(
    readonly job: RunnerJob,
    readonly context: RunnerContext,
    private readonly clock: FakeClock,
    stepOnAbort: () => boolean,
  ) {
    this.result = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    context.signal.addEventListener('abort', () => {
      if (stepOnAbort()) this.advance(1);
    });
  }

  get totalSteps(): number {
    return this.job.options.steps;
  }

  /** `n` steps, each `msPerStep` of fake time; stops at the first step that finds the signal aborted. */
  advance(n = 1, msPerStep = 0): void {
    for (let i = 0; i < n && !this.settled; i++) {
      if (this.context.signal.aborted) {
        this.settle(() => this.reject(new EngineError('CANCELLED', 'The style transfer was cancelled.')));
        return;
      }
      this.clock.advance(msPerStep);
      this.step++;
      const preview = this.step % this.job.options.frameEvery === 0 ? new Uint8Array([this.step]) : undefined;
      this.context.onProgress({ step: this.step, totalSteps: this.totalSteps, losses: { total: 1 / this.step, style: 0.5 / this.step, content: 0.5 / this.step, tv: 0 }, ...(preview ? { preview } : {}) });
    }
  }

  /** Ends the run with a result; `summary` replaces fields of the fake's summary. */
  finish(summary: Partial<RunnerResult['summary']> = {}): void {
    this.settle(() =>
      this.resolve({
        png: Buffer.from(`png of ${this.job.id}`),
        gif: Buffer.from(`gif of ${this.job.id}`),
        plot: Buffer.from(`plot of ${this.job.id}`),
        summary: {
          steps: this.step, seconds: 1, width: 64, height: 48, seed: this.job.options.seed ?? 7, provider: 'fake', providerReason: 'the fake runner', weightsMd5: 'fakemd5',
          working: { width: 64, height: 48 }, adjustments: [], total: 1, style: 0.5, content: 0.5, tv: 0, ...summary,
        } as RunnerResult['summary'],
      }),
    );
  }

  fail(error: unknown): void {
    this.settle(() => this.reject(error));
  }

  private settle(action: () => void): void {
    if (this.settled) return;
    this.settled = true;
    action();
  }
}

export class FakeRunner {
  readonly runs: FakeRun[] = [];
  /** when set, an aborted run makes its next step (and stops) right away instead of waiting for the test */
  stepOnAbort = false;
  private readonly waiters: Array<{ index: number; resolve: (run: FakeRun) => void }> = [];

  constructor(private readonly clock: FakeClock) {}

  readonly runner: JobRunner = (job, context) => {
    const run = new FakeRun(job, context, this.clock, () => this.stepOnAbort);
    this.runs.push(run);
    for (const waiter of this.waiters.filter((w) => w.index < this.runs.length)) {
      this.waiters.splice(this.waiters.indexOf(waiter), 1);
      waiter.resolve(this.runs[waiter.index]!);
    }
    return run.result;
  };

  /** The n-th run (0-based) once it has started. */
  run(index: number): Promise<FakeRun> {
    const run = this.runs[index];
    if (run) return Promise.resolve(run);
    return new Promise((resolve) => this.waiters.push({ index, resolve }));
  }
}

export interface RecordedEvent {
  readonly name: JobEventName;
  readonly event: JobEventMap[JobEventName];
}

/** Records every event; `waitFor` resolves with the first matching one, past or future. */
export function recordEvents(source: JobEventSource) {
  const log: RecordedEvent[] = [];
  const waiters: Array<{ name: JobEventName; match: (e: never) => boolean; resolve: (e: never) => void }> = [];
  for (const name of JOB_EVENT_NAMES) {
    source.on(name, (event) => {
      log.push({ name, event });
      for (const waiter of [...waiters]) {
        if (waiter.name === name && waiter.match(event as never)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(event as never);
        }
      }
    });
  }
  return {
    log,
    of<K extends JobEventName>(name: K): Array<JobEventMap[K]> {
      return log.filter((e) => e.name === name).map((e) => e.event as JobEventMap[K]);
    },
    /** names in order for one job, progress left out */
    story(jobId: string): string[] {
      return log.filter((e) => e.name !== 'progress' && e.event.job.id === jobId).map((e) => e.name);
    },
    waitFor<K extends JobEventName>(name: K, match: (event: JobEventMap[K]) => boolean = () => true): Promise<JobEventMap[K]> {
      const past = log.find((e) => e.name === name && match(e.event as JobEventMap[K]));
      if (past) return Promise.resolve(past.event as JobEventMap[K]);
      return new Promise((resolve) => waiters.push({ name, match: match as (e: never) => boolean, resolve: resolve as (e: never) => void }));
    },
  };
}

export type Recorder = ReturnType<typeof recordEvents>;

export interface Harness {
  readonly store: Store;
  readonly files: JobFiles;
  readonly service: JobService;
  readonly events: Recorder;
  readonly fake: FakeRunner;
  readonly clock: FakeClock;
  close(): Promise<void>;
}

export interface HarnessOptions {
  readonly clock?: FakeClock;
  readonly limits?: Partial<ServerLimits>;
  readonly concurrency?: number;
  /** the process's name on its claims; harnesses share one unless told, like a worker restarted under the same name */
  readonly owner?: string;
  readonly deps?: Partial<JobServiceDeps>;
  readonly storeOptions?: Partial<OpenStoreOptions>;
}

export const OPERATOR_LIMITS: ServerLimits = {
  maxConcurrent: 1,
  maxRunningPerUser: 1,
  maxWaitingPerUser: 2,
  userHourlySeconds: 3600,
  serverHourlySeconds: 7200,
  maxSize: 512,
  maxSteps: 1000,
  maxJobMemoryBytes: 8 * 2 ** 30,
};

/** A service on a real SQLite file and data directory in `dir`, with a fake runner and clock. */
export async function startHarness(dir: string, options: HarnessOptions = {}): Promise<Harness> {
  const clock = options.clock ?? new FakeClock();
  const fake = new FakeRunner(clock);
  const store = await openStore({ databasePath: path.join(dir, 'stylebot.db'), now: () => clock.now(), ...options.storeOptions });
  const files = new JobFiles(path.join(dir, 'data'));
  const service = createJobService({
    store,
    files,
    runner: fake.runner,
    logger: pino({ level: 'silent' }),
    clock,
    concurrency: options.concurrency ?? 1,
    operatorLimits: { ...OPERATOR_LIMITS, maxConcurrent: options.concurrency ?? 1, ...options.limits },
    // sweeps run when a test calls purgeExpired, not on a timer
    sweepIntervalMs: 0,
    owner: options.owner ?? 'worker-a',
    ...options.deps,
  });
  const events = recordEvents(service.events);
  await service.start();
  return {
    store,
    files,
    service,
    events,
    fake,
    clock,
    close: async () => {
      // close() aborts running jobs; like the engine, a fake run notices at its next step, made at once here
      fake.stepOnAbort = true;
      await service.close();
      await store.close();
    },
  };
}

let pictureCounter = 0;
/** Distinct bytes per call: the fake runner never decodes them. */
export function picture(label = 'picture'): Uint8Array {
  return Buffer.from(`${label}-${++pictureCounter}`);
}

export function submission(userId: string, extra: Record<string, unknown> = {}) {
  return {
    platform: 'discord',
    serverId: 'guild-1',
    channelId: 'channel-1',
    userId,
    content: picture('content'),
    styles: [picture('style')],
    // one scale: the budget and queue tests count steps and seconds of single-scale runs
    options: { size: 64, steps: 100, octaves: 0 },
    ...extra,
  };
}

/** The JobError a promise rejects with; fails the test when it resolves or rejects with anything else. */
export async function refusal(promise: Promise<unknown>): Promise<JobError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof JobError) return error;
    throw error;
  }
  throw new Error('expected a JobError, but the request was accepted');
}

/** The sentence a user reads for a JobError (rendered by the bot layer from its details). */
export function said(error: JobError, now = T0): string {
  return describeJobError(error.details, now);
}

/** The sentence of the JobError a promise rejects with. */
export async function refusalText(promise: Promise<unknown>, now = T0): Promise<string> {
  return said(await refusal(promise), now);
}

/**
 * A fresh harness (temporary directory, database and service) around every test of the enclosing
 * describe; `use` receives it and the directory before each test.
 */
export function harnessPerTest(use: (harness: Harness, dir: string) => void, options?: HarnessOptions): void {
  let harness: Harness | undefined;
  let tmp: ReturnType<typeof tempDir> | undefined;
  beforeEach(async () => {
    tmp = tempDir();
    harness = await startHarness(tmp.dir, options);
    use(harness, tmp.dir);
  });
  afterEach(async () => {
    await harness?.close();
    tmp?.cleanup();
  });
}

/** A submission of real pictures from ../shared (the cat in the style of The Starry Night) by alice. */
export function realSubmission(options: Record<string, unknown>) {
  return {
    platform: 'discord',
    serverId: 'guild-1',
    channelId: 'channel-1',
    userId: 'alice',
    content: readFileSync(sharedImage('content/chelsea_cat.jpg')),
    styles: [readFileSync(sharedImage('style/vangogh_starry_night.jpg'))],
    options,
  };
}
