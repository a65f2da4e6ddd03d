import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { stylizeOptionsSchema, type StylizeOptions, type StylizeOptionsInput } from '../pipeline/index.js';
import type { JobRecord, JobRepository, PresetRepository, ServerSettingsRepository } from '../store/index.js';
import { mayCancel, maySee, type Requester } from './access.js';
import { BUDGET_WINDOW_MS, checkBudget } from './budget.js';
import { systemClock, type Clock } from './clock.js';
import { JobError } from './errors.js';
import { SpeedEstimator, speedKind, totalSteps, workUnits } from './estimator.js';
import { JobEvents, jobViewOfRecord, type JobEventSource, type JobView } from './events.js';
import { describeFailure, interruptedFailure, missingInputFailure, type JobFailure } from './failures.js';
import type { JobFiles } from './files.js';
import type { InputCheck } from './input-check.js';
import { checkServerCaps, DEFAULT_SERVER_LIMITS, type ServerLimits } from './limits.js';
import { resolveOptions, validatePatch } from './options.js';
import { PresetService } from './presets.js';
import type { JobRunner, RunnerProgress } from './runner.js';
import { FairQueue, type QueueEntry } from './scheduler.js';
import { ServerSettingsService } from './settings.js';

/** The most style images one job may blend (the options schema allows as many blend weights). */
export const MAX_STYLE_IMAGES = 8;

export interface JobServiceDeps {
  readonly store: { readonly jobs: JobRepository; readonly presets: PresetRepository; readonly servers: ServerSettingsRepository };
  readonly files: JobFiles;
  readonly runner: JobRunner;
  readonly logger: Logger;
  readonly clock?: Clock;
  /** worker slots, default 1 */
  readonly concurrency?: number;
  /** the operator's limits: defaults and ceilings of every server's */
  readonly operatorLimits?: ServerLimits;
  /** how long ended jobs keep their files, default 7 days */
  readonly retentionMs?: number;
  /** how often expired files are swept (and once at start); default hourly, 0 turns the timer off */
  readonly sweepIntervalMs?: number;
  /** refuses unreadable pictures at submission, before they wait in the queue */
  readonly checkInputs?: InputCheck;
  /** how often a running job's step is written to the database, default 5 s */
  readonly progressWriteIntervalMs?: number;
  /** runs interrupted by restarts before a job is given up, default 3 */
  readonly maxAttempts?: number;
  readonly newId?: () => string;
}

export interface SubmitRequest extends Requester {
  readonly channelId: string;
  readonly threadId?: string | null;
  /** the encoded content picture as uploaded */
  readonly content: Uint8Array;
  /** encoded style pictures, 1 to MAX_STYLE_IMAGES */
  readonly styles: readonly Uint8Array[];
  /** the options the user typed: the strongest layer */
  readonly options?: StylizeOptionsInput;
  /** a preset of this user to apply below the typed options */
  readonly presetName?: string;
}

export interface JobPosition {
  readonly job: JobView;
  /** 1 = next to start; 0 = running; null = ended */
  readonly position: number | null;
  readonly startsInSeconds: number | null;
  /** until the result is ready; null = ended */
  readonly etaSeconds: number | null;
}

type StopReason = { readonly kind: 'cancel'; readonly by: string } | { readonly kind: 'shutdown' };

interface ActiveJob {
  readonly record: JobRecord;
  readonly options: StylizeOptions;
  readonly entry: QueueEntry;
  status: 'queued' | 'running';
  progressStep: number;
  totalSteps: number;
  attempts: number;
  startedAt: number | null;
  lastWrite: number;
  controller?: AbortController;
  stopReason?: StopReason;
  readonly ended: Promise<void>;
  end(): void;
}

/**
 * The platform-neutral job service that chat adapters talk to: submit, cancel, look up, list; presets and
 * server settings beside it; typed events out. It owns the queue, persists every job, recovers the
 * unfinished ones at start, and deletes old files. Construct, subscribe, `start`; `close` to stop.
 * One class holds a job's whole life because every stage reads and changes the same in-memory state
 * (the active jobs, their abort controllers, the queue), which stays consistent only in one place.
 */
export class JobService {
  readonly presets: PresetService;
  readonly settings: ServerSettingsService;
  private readonly emitter: JobEvents;
  private readonly queue: FairQueue;
  private readonly estimator = new SpeedEstimator();
  private readonly active = new Map<string, ActiveJob>();
  private readonly clock: Clock;
  private readonly log: Logger;
  private tail: Promise<unknown> = Promise.resolve();
  /** creation times are kept strictly increasing: after a restart, they are the queue's order */
  private lastCreatedAt = 0;
  private started: Promise<void> | undefined;
  private sweeper: NodeJS.Timeout | undefined;
  private closing: Promise<void> | undefined;

  /** Does no I/O: subscribe to `events`, then call `start`. */
  constructor(private readonly deps: JobServiceDeps) {
    this.clock = deps.clock ?? systemClock;
    this.log = deps.logger.child({ component: 'jobs' });
    this.presets = new PresetService({ presets: deps.store.presets, clock: this.clock });
    this.settings = new ServerSettingsService({ servers: deps.store.servers, operatorLimits: deps.operatorLimits ?? DEFAULT_SERVER_LIMITS, clock: this.clock });
    this.emitter = new JobEvents((name, error) => this.log.error({ err: error, event: name }, 'a job event listener failed'));
    this.queue = new FairQueue({
      concurrency: deps.concurrency ?? 1,
      execute: (entry) => this.execute(entry),
      onError: (error) => this.log.error({ err: error }, 'job queue error'),
    });
  }

  /**
   * Loads the recent speed measurements, re-queues the jobs a previous process left queued or running
   * (their owners get `recovered`, then `queued`, so subscribe first), and starts the worker.
   */
  async start(): Promise<void> {
    this.started ??= this.serial(() => this.recover()).then(() => {
      const every = this.deps.sweepIntervalMs ?? 3600_000;
      if (every <= 0) return;
      const sweep = () => void this.purgeExpired().catch((error: unknown) => this.log.error({ err: error }, 'removing expired job files failed'));
      sweep();
      this.sweeper = setInterval(sweep, every);
      this.sweeper.unref();
    });
    return this.started;
  }

  get events(): JobEventSource {
    return this.emitter;
  }

  async submit(request: SubmitRequest): Promise<JobPosition> {
    return this.serial(async () => {
      const now = this.clock.now();
      if (!this.started) throw new Error('JobService.start() must run before submit()');
      if (this.closing) throw new JobError({ code: 'SHUTTING_DOWN' }, now);
      if (request.styles.length === 0) throw new JobError({ code: 'INVALID_INPUT', reason: 'Attach at least one style picture: the style to paint the content picture in.' }, now);
      if (request.styles.length > MAX_STYLE_IMAGES) {
        throw new JobError({ code: 'INVALID_INPUT', reason: `Attach at most ${MAX_STYLE_IMAGES} style pictures (you sent ${request.styles.length}).` }, now);
      }
      const explicit = validatePatch(request.options, 'options', now);
      const owner = { platform: request.platform, userId: request.userId };
      const server = await this.settings.get(request);
      const [preset, userDefault] = await Promise.all([
        request.presetName === undefined ? undefined : this.presets.optionsOf(owner, request.presetName),
        this.presets.defaultOptions(owner),
      ]);
      const options = resolveOptions({ explicit, preset, userDefault, server: server.defaults }, now);
      checkServerCaps(options, request.styles.length, server.limits, now);
      await this.deps.checkInputs?.({ content: request.content, styles: request.styles, options });

      const userKey = keyOf(request.platform, request.userId);
      const serverKey = keyOf(request.platform, request.serverId);
      const waiting = this.queue.waiting().filter((e) => e.userKey === userKey && e.serverKey === serverKey).length;
      const limits = { userKey, serverKey, maxRunningPerUser: server.limits.maxRunningPerUser, maxConcurrent: server.limits.maxConcurrent };
      if (waiting >= server.limits.maxWaitingPerUser && !this.queue.couldStartNow(limits)) {
        throw new JobError({ code: 'LIMIT_REACHED', limit: 'waiting', max: server.limits.maxWaitingPerUser, retryAt: null }, now);
      }
      const estimatedSeconds = this.estimator.estimateSeconds(options);
      await this.checkBudgets(request, server.limits, estimatedSeconds, now);

      const createdAt = (this.lastCreatedAt = Math.max(now, this.lastCreatedAt + 1));
      const pictures = [request.content, ...request.styles];
      const stored = await Promise.all(pictures.map((bytes) => this.deps.files.putInput(bytes)));
      const record = await this.deps.store.jobs.create({
        id: await this.freshId(),
        platform: request.platform,
        serverId: request.serverId,
        channelId: request.channelId,
        threadId: request.threadId ?? null,
        userId: request.userId,
        options,
        presetName: request.presetName === undefined ? null : request.presetName.trim().toLowerCase(),
        totalSteps: totalSteps(options),
        estimatedSeconds,
        createdAt: new Date(createdAt),
        inputs: stored.map((file, position) => ({ ...file, position, role: position === 0 ? 'content' : 'style' })),
      });
      const job = this.track(record, options, server.limits);
      this.log.info({ job: record.id, user: userKey, server: serverKey, estimatedSeconds }, 'job queued');
      this.queue.add(job.entry);
      const position = this.positionOf(job);
      this.emitter.emit('queued', { job: position.job, position: position.position!, startsInSeconds: position.startsInSeconds!, etaSeconds: position.etaSeconds! });
      return position;
    });
  }

  /**
   * Cancels a waiting job at once, or stops a running one before its next step and resolves when it has
   * stopped. Owners may cancel their jobs; a server's admins any job of that server.
   */
  async cancel(requester: Requester, jobId: string): Promise<{ job: JobView; wasRunning: boolean }> {
    const now = this.clock.now();
    const job = this.active.get(jobId);
    if (!job) {
      const record = await this.deps.store.jobs.get(jobId);
      if (!record || (!mayCancel(requester, record) && !maySee(requester, record))) throw new JobError({ code: 'JOB_NOT_FOUND', jobId }, now);
      if (!mayCancel(requester, record)) throw new JobError({ code: 'NOT_OWNER', jobId }, now);
      throw new JobError({ code: 'JOB_NOT_ACTIVE', jobId, status: record.status }, now);
    }
    if (!maySee(requester, job.record)) throw new JobError({ code: 'JOB_NOT_FOUND', jobId }, now);
    if (!mayCancel(requester, job.record)) throw new JobError({ code: 'NOT_OWNER', jobId }, now);

    if (this.queue.remove(jobId)) {
      this.active.delete(jobId);
      job.end();
      await this.deps.store.jobs.markCancelled(jobId, { finishedAt: new Date(now), computeSeconds: null, cancelledBy: requester.userId });
      const view = this.view(job, { status: 'cancelled', finishedAt: now });
      this.log.info({ job: jobId, by: requester.userId }, 'waiting job cancelled');
      this.emitter.emit('cancelled', { job: view, by: requester.userId, wasRunning: false });
      return { job: view, wasRunning: false };
    }
    job.stopReason ??= { kind: 'cancel', by: requester.userId };
    job.controller?.abort(new Error('cancelled'));
    await job.ended;
    const ended = await this.deps.store.jobs.get(jobId);
    return { job: ended ? jobViewOfRecord(ended) : this.view(job), wasRunning: true };
  }

  /** Where a job stands. Visible to its owner and to anyone in its server. */
  async status(requester: Requester, jobId: string): Promise<JobPosition> {
    const job = this.active.get(jobId);
    if (job && maySee(requester, job.record)) return this.positionOf(job);
    const record = job ? null : await this.deps.store.jobs.get(jobId);
    if (!record || !maySee(requester, record)) throw new JobError({ code: 'JOB_NOT_FOUND', jobId }, this.clock.now());
    return { job: jobViewOfRecord(record), position: null, startsInSeconds: null, etaSeconds: null };
  }

  /** Running and waiting jobs of a server (or of one user in it), running first, then in expected order. */
  list(filter: { platform: string; serverId: string; userId?: string }): JobPosition[] {
    const forecast = this.queue.forecast((entry) => this.remainingSeconds(this.active.get(entry.id)!));
    return [...this.active.values()]
      .filter((j) => j.record.platform === filter.platform && j.record.serverId === filter.serverId && (filter.userId === undefined || j.record.userId === filter.userId))
      .map((j) => this.positionOf(j, forecast))
      .sort((a, b) => (a.position ?? 0) - (b.position ?? 0));
  }

  /** Deletes files of jobs that ended more than the retention period ago, and inputs no job needs. */
  async purgeExpired(): Promise<{ jobs: number; inputs: number }> {
    return this.serial(async () => {
      const now = this.clock.now();
      const expired = await this.deps.store.jobs.listExpired(new Date(now - (this.deps.retentionMs ?? 7 * 24 * 3600 * 1000)));
      for (const job of expired) await this.deps.files.removeResults(job.id);
      await this.deps.store.jobs.markPurged(expired.map((j) => j.id), new Date(now));
      const inputs = await this.deps.files.removeInputsExcept(await this.deps.store.jobs.hashesInUse());
      if (expired.length > 0 || inputs > 0) this.log.info({ jobs: expired.length, inputs }, 'expired job files removed');
      return { jobs: expired.length, inputs };
    });
  }

  /**
   * Stops taking jobs, stops running ones before their next step (they go back to the queue in the
   * database and resume at the next start), and waits until nothing runs any more. Waiting jobs stay
   * queued in the database. The store is the caller's to close afterwards.
   */
  async close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.sweeper) clearInterval(this.sweeper);
      // submissions already past their checks finish first, so that none is left half-done
      await this.tail.catch(() => undefined);
      const queueClosed = this.queue.close(); // from here on no job starts
      for (const job of this.active.values()) {
        if (job.status !== 'running') continue;
        job.stopReason ??= { kind: 'shutdown' };
        job.controller?.abort(new Error('shutting down'));
      }
      await queueClosed;
    })();
    return this.closing;
  }

  private async recover(): Promise<void> {
    for (const record of (await this.deps.store.jobs.recentDone(20)).reverse()) {
      const options = stylizeOptionsSchema.safeParse(record.options);
      if (options.success && record.computeSeconds) {
        this.estimator.record({ kind: speedKind(options.data), units: workUnits(options.data), seconds: record.computeSeconds });
      }
    }
    const maxAttempts = this.deps.maxAttempts ?? 3;
    const recovered: ActiveJob[] = [];
    for (const record of await this.deps.store.jobs.listActive()) {
      this.lastCreatedAt = Math.max(this.lastCreatedAt, record.createdAt.getTime());
      const wasRunning = record.status === 'running';
      const parsed = stylizeOptionsSchema.safeParse(record.options);
      if (!parsed.success) {
        await this.fail(record.id, jobViewOfRecord(record), { code: 'INVALID_OPTIONS', reason: `Job ${record.id} was stored with options this version no longer accepts: send it again.`, operatorError: false }, null);
        continue;
      }
      if (wasRunning && record.attempts >= maxAttempts) {
        await this.fail(record.id, jobViewOfRecord(record), interruptedFailure(record.id, record.attempts), null);
        continue;
      }
      if (wasRunning) await this.deps.store.jobs.requeue(record.id);
      const server = await this.settings.get(record);
      const job = this.track({ ...record, status: 'queued', progressStep: 0 }, parsed.data, server.limits);
      recovered.push(job);
      this.log.info({ job: record.id, wasRunning }, 'job recovered after restart');
      this.emitter.emit('recovered', { job: this.view(job), wasRunning });
    }
    for (const job of recovered) this.queue.add(job.entry);
    for (const job of recovered) {
      const p = this.positionOf(job);
      if (p.position !== null && p.position > 0) this.emitter.emit('queued', { job: p.job, position: p.position, startsInSeconds: p.startsInSeconds!, etaSeconds: p.etaSeconds! });
    }
  }

  private async execute(entry: QueueEntry): Promise<void> {
    const job = this.active.get(entry.id);
    if (!job) return;
    const controller = new AbortController();
    job.controller = controller;
    if (job.stopReason) controller.abort();
    const startedAt = this.clock.now();
    job.status = 'running';
    job.startedAt = startedAt;
    job.attempts += 1;
    job.lastWrite = startedAt;
    try {
      if (!(await this.deps.store.jobs.markRunning(job.record.id, new Date(startedAt)))) {
        // changed behind this process's back (by hand, or a second process on the same database)
        this.log.warn({ job: job.record.id }, 'job was no longer queued in the database; not running it');
        return;
      }
      controller.signal.throwIfAborted();
      this.log.info({ job: job.record.id, attempt: job.attempts }, 'job started');
      this.emitter.emit('started', { job: this.view(job), etaSeconds: this.remainingSeconds(job) });

      let pictures: Buffer[];
      try {
        pictures = await Promise.all(job.record.inputs.map((input) => this.deps.files.read(input.path)));
      } catch (error) {
        this.log.error({ err: error, job: job.record.id }, 'stored inputs unreadable');
        await this.fail(job.record.id, this.view(job), missingInputFailure(job.record.id), null);
        return;
      }
      controller.signal.throwIfAborted();
      const result = await this.deps.runner(
        { id: job.record.id, content: pictures[0]!, styles: pictures.slice(1), options: job.options },
        { signal: controller.signal, onProgress: (progress) => this.onProgress(job, controller.signal, progress) },
      );
      // a result that arrives after a cancel is dropped: the user was told it is cancelled
      controller.signal.throwIfAborted();

      const finishedAt = this.clock.now();
      const computeSeconds = (finishedAt - startedAt) / 1000;
      const files = await this.deps.files.writeResults(job.record.id, result);
      const steps = result.summary.steps;
      await this.deps.store.jobs.markDone(job.record.id, {
        finishedAt: new Date(finishedAt),
        computeSeconds,
        secondsPerStep: steps > 0 ? computeSeconds / steps : 0,
        progressStep: steps,
        ...files,
        summary: result.summary,
      });
      this.estimator.record({ kind: speedKind(job.options), units: workUnits(job.options), seconds: computeSeconds });
      this.log.info({ job: job.record.id, computeSeconds, steps }, 'job done');
      job.progressStep = steps;
      this.emitter.emit('finished', {
        job: this.view(job, { status: 'done', finishedAt }),
        result: result.png,
        gif: result.gif,
        plot: result.plot,
        summary: result.summary,
        files: { result: files.resultPath, gif: files.gifPath, plot: files.plotPath },
      });
    } catch (error) {
      await this.settle(job, error, startedAt);
    } finally {
      this.active.delete(job.record.id);
      job.end();
    }
  }

  /** A run that threw: cancelled, interrupted by shutdown, or failed. */
  private async settle(job: ActiveJob, error: unknown, startedAt: number): Promise<void> {
    const now = this.clock.now();
    const computeSeconds = (now - startedAt) / 1000;
    const reason = job.stopReason;
    if (reason?.kind === 'shutdown') {
      await this.deps.store.jobs.requeue(job.record.id, true);
      this.log.info({ job: job.record.id }, 'running job interrupted by shutdown; it resumes at the next start');
      return;
    }
    if (reason?.kind === 'cancel') {
      await this.deps.store.jobs.markCancelled(job.record.id, { finishedAt: new Date(now), computeSeconds, cancelledBy: reason.by, progressStep: job.progressStep });
      this.log.info({ job: job.record.id, by: reason.by, step: job.progressStep }, 'running job cancelled');
      this.emitter.emit('cancelled', { job: this.view(job, { status: 'cancelled', finishedAt: now }), by: reason.by, wasRunning: true });
      return;
    }
    const failure = describeFailure(error, job.record.id);
    if (failure.operatorError) this.log.error({ err: error, job: job.record.id }, 'job failed');
    else this.log.info({ job: job.record.id, code: failure.code, reason: failure.reason }, 'job refused by the pipeline');
    await this.fail(job.record.id, this.view(job), failure, computeSeconds, job.progressStep);
  }

  private async fail(jobId: string, view: JobView, failure: JobFailure, computeSeconds: number | null, progressStep?: number): Promise<void> {
    const finishedAt = this.clock.now();
    const ended = { finishedAt: new Date(finishedAt), computeSeconds, errorCode: failure.code, error: failure.reason };
    await this.deps.store.jobs.markFailed(jobId, progressStep === undefined ? ended : { ...ended, progressStep });
    this.emitter.emit('failed', { job: { ...view, status: 'failed', finishedAt: new Date(finishedAt) }, code: failure.code, reason: failure.reason });
  }

  private onProgress(job: ActiveJob, signal: AbortSignal, progress: RunnerProgress): void {
    if (signal.aborted) return;
    job.progressStep = progress.step;
    job.totalSteps = progress.totalSteps;
    const now = this.clock.now();
    if (now - job.lastWrite >= (this.deps.progressWriteIntervalMs ?? 5000)) {
      job.lastWrite = now;
      this.deps.store.jobs.updateProgress(job.record.id, progress.step).catch((error: unknown) => this.log.warn({ err: error, job: job.record.id }, 'progress not saved'));
    }
    this.emitter.emit('progress', { job: this.view(job), step: progress.step, totalSteps: progress.totalSteps, losses: progress.losses, ...(progress.preview ? { preview: progress.preview } : {}) });
  }

  private async checkBudgets(request: SubmitRequest, limits: ServerLimits, neededSeconds: number, now: number): Promise<void> {
    const since = new Date(now - BUDGET_WINDOW_MS);
    const scopes = [
      { kind: 'user' as const, budget: limits.userHourlySeconds, scope: { platform: request.platform, serverId: request.serverId, userId: request.userId } },
      { kind: 'server' as const, budget: limits.serverHourlySeconds, scope: { platform: request.platform, serverId: request.serverId } },
    ];
    for (const { kind, budget, scope } of scopes) {
      const pendingSeconds = [...this.active.values()]
        .filter((j) => j.record.platform === scope.platform && j.record.serverId === scope.serverId && (!('userId' in scope) || j.record.userId === scope.userId))
        .reduce((sum, j) => sum + j.record.estimatedSeconds, 0);
      const finished = await this.deps.store.jobs.computeSince(since, scope);
      const verdict = checkBudget({ budgetSeconds: budget, finished, pendingSeconds, neededSeconds });
      if (verdict.ok) continue;
      if (verdict.tooLarge) throw new JobError({ code: 'JOB_TOO_LARGE', estimatedSeconds: neededSeconds, budgetSeconds: budget, scope: kind }, now);
      throw new JobError({ code: 'LIMIT_REACHED', limit: kind === 'user' ? 'userBudget' : 'serverBudget', max: budget, retryAt: verdict.retryAt }, now);
    }
  }

  private track(record: JobRecord, options: StylizeOptions, limits: ServerLimits): ActiveJob {
    let end!: () => void;
    const ended = new Promise<void>((resolve) => (end = resolve));
    const job: ActiveJob = {
      record,
      options,
      entry: {
        id: record.id,
        userKey: keyOf(record.platform, record.userId),
        serverKey: keyOf(record.platform, record.serverId),
        estimatedSeconds: record.estimatedSeconds,
        maxRunningPerUser: limits.maxRunningPerUser,
        maxConcurrent: limits.maxConcurrent,
      },
      status: 'queued',
      progressStep: 0,
      totalSteps: record.totalSteps,
      attempts: record.attempts,
      startedAt: null,
      lastWrite: 0,
      ended,
      end,
    };
    this.active.set(record.id, job);
    return job;
  }

  private positionOf(job: ActiveJob, forecast = this.queue.forecast((e) => this.remainingSeconds(this.active.get(e.id)!))): JobPosition {
    if (job.status === 'running') return { job: this.view(job), position: 0, startsInSeconds: 0, etaSeconds: this.remainingSeconds(job) };
    const f = forecast.get(job.record.id);
    // picked by a worker slot but not yet marked running: it starts now
    if (!f) return { job: this.view(job), position: 0, startsInSeconds: 0, etaSeconds: job.record.estimatedSeconds };
    return { job: this.view(job), position: f.position, startsInSeconds: f.startsInSeconds, etaSeconds: f.etaSeconds };
  }

  /** Seconds left: from the job's own pace once it has made steps, else from its estimate. */
  private remainingSeconds(job: ActiveJob | undefined): number {
    if (!job || job.startedAt === null) return job?.record.estimatedSeconds ?? 0;
    const elapsed = (this.clock.now() - job.startedAt) / 1000;
    if (job.progressStep > 0) return (elapsed / job.progressStep) * Math.max(0, job.totalSteps - job.progressStep);
    return Math.max(0, job.record.estimatedSeconds - elapsed);
  }

  private view(job: ActiveJob, change: { status?: JobView['status']; finishedAt?: number } = {}): JobView {
    const r = job.record;
    return {
      id: r.id,
      platform: r.platform,
      serverId: r.serverId,
      channelId: r.channelId,
      threadId: r.threadId,
      userId: r.userId,
      status: change.status ?? job.status,
      options: job.options,
      presetName: r.presetName,
      progressStep: job.progressStep,
      totalSteps: job.totalSteps,
      attempts: job.attempts,
      createdAt: r.createdAt,
      startedAt: job.startedAt === null ? null : new Date(job.startedAt),
      finishedAt: change.finishedAt === undefined ? null : new Date(change.finishedAt),
    };
  }

  private async freshId(): Promise<string> {
    for (;;) {
      const id = (this.deps.newId ?? newJobId)();
      if (!this.active.has(id) && !(await this.deps.store.jobs.get(id))) return id;
    }
  }

  /** Submissions and purges run one at a time: limits are counted and input files kept consistently. */
  private serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.tail.then(task, task);
    this.tail = run.catch(() => undefined);
    return run;
  }
}

/** Job ids people can type: 8 characters without look-alikes (no 0/o, 1/l/i). */
export function newJobId(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
  return [...randomBytes(8)].map((b) => alphabet[b % alphabet.length]).join('');
}

function keyOf(platform: string, id: string): string {
  return `${platform}:${id}`;
}
