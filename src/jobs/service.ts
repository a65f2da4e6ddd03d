import { randomBytes, randomInt } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { probeImage, type Size } from '../images/index.js';
import { stylizeOptionsSchema, type StylizeOptions } from '../pipeline/index.js';
import type { JobHolder, JobInputRecord, JobRecord, JobRepository, PresetRepository, ServerSettingsRepository } from '../store/index.js';
import { mayCancel, maySee, type Requester } from './access.js';
import type { ActiveJob, Admission } from './active-job.js';
import { BUDGET_WINDOW_MS, checkBudget } from './budget.js';
import { cardOfRecord, decodeCursor, encodeCursor, type JobCard } from './card.js';
import { systemClock, type Clock } from './clock.js';
import { JobError } from './errors.js';
import { SpeedEstimator, totalSteps, type JobEstimator } from './estimator.js';
import { isFollowUp, JobEvents, jobViewOfRecord, type JobEventMap, type JobEventName, type JobEventSource, type JobView } from './events.js';
import { classifyFailure, interruptedFailure, missingInputFailure, storedOptionsFailure, type JobFailure } from './failures.js';
import type { JobFiles } from './files.js';
import { followUpPlan } from './follow-up.js';
import type { InputCheck } from './input-check.js';
import { checkServerCaps, DEFAULT_SERVER_LIMITS, type ServerLimits } from './limits.js';
import { patchViolations, resolveOptions, validatePatch } from './options.js';
import { PresetService } from './presets.js';
import type { JobQueue } from './queue.js';
import { MAX_STYLE_IMAGES, type FollowUpRequest, type HistoryPage, type JobPosition, type JobResultFiles, type SubmitRequest } from './requests.js';
import type { JobRunner, RunnerProgress } from './runner.js';
import { FairQueue, type QueueEntry } from './scheduler.js';
import { ServerSettingsService } from './settings.js';
import { packageVersions } from './versions.js';

export interface JobServiceDeps {
  readonly store: { readonly jobs: JobRepository; readonly presets: PresetRepository; readonly servers: ServerSettingsRepository };
  readonly files: JobFiles;
  readonly runner: JobRunner;
  readonly logger: Logger;
  /** the waiting line; FairQueue in one process (see createJobService) */
  readonly queue: JobQueue;
  readonly estimator: JobEstimator;
  /** the service emits through it; subscribers get `service.events` */
  readonly emitter: JobEvents;
  readonly clock?: Clock;
  /** the operator's limits: defaults and ceilings of every server's */
  readonly operatorLimits?: ServerLimits;
  /** how long ended jobs keep their files, default 7 days */
  readonly retentionMs?: number;
  /** how often expired files are swept (and once at start); default hourly. 0 turns the timers off, this one and the lease-expiry check (every leaseMs) */
  readonly sweepIntervalMs?: number;
  /** refuses unreadable pictures at submission, before they wait in the queue */
  readonly checkInputs?: InputCheck;
  /** how often a running job's step is written to the database, default 5 s */
  readonly progressWriteIntervalMs?: number;
  /** runs interrupted by restarts before a job is given up, default 3 */
  readonly maxAttempts?: number;
  /** this process's name on the jobs it claims; default host, pid and a random part */
  readonly owner?: string;
  /** how long a claim holds without a heartbeat, default 60 s; a job whose owner is silent longer is taken over */
  readonly leaseMs?: number;
  /** how often a running job's lease is extended, default a third of leaseMs */
  readonly heartbeatMs?: number;
  readonly newId?: () => string;
  /** seeds of "new seed" follow-ups */
  readonly newSeed?: () => number;
  /** which of these expired jobs retention must keep anyway (challenge entries and winners) */
  readonly protectedJobIds?: (jobIds: readonly string[]) => Promise<ReadonlySet<string>>;
}

/** What the composition root passes: the queue, estimator and emitter are built here unless given. */
export type JobServiceOptions = Omit<JobServiceDeps, 'queue' | 'estimator' | 'emitter'> &
  Partial<Pick<JobServiceDeps, 'queue' | 'estimator' | 'emitter'>> & {
    /** worker slots of the default queue, default 1 */
    readonly concurrency?: number;
  };

/** The job service with the in-process defaults: a FairQueue of `concurrency` slots, a SpeedEstimator, a logging emitter. */
export function createJobService(options: JobServiceOptions): JobService {
  const log = options.logger.child({ component: 'jobs' });
  return new JobService({
    ...options,
    queue: options.queue ?? new FairQueue({ concurrency: options.concurrency ?? 1, onError: (error) => log.error({ err: error }, 'job queue error') }),
    estimator: options.estimator ?? new SpeedEstimator(),
    emitter: options.emitter ?? new JobEvents((name, error) => log.error({ err: error, event: name }, 'a job event listener failed')),
  });
}

/**
 * The platform-neutral job service that chat adapters talk to: submit, follow up, cancel, look up, list,
 * history; presets and server settings beside it; typed events out. It persists every job, claims each one
 * in the database before running it (so two processes on one database never run the same job), keeps the
 * claim alive with a heartbeat, recovers unfinished jobs at start, and deletes old files.
 * Construct (createJobService), subscribe, `start`; `close` to stop.
 * One class holds a job's whole life because every stage reads and changes the same in-memory state
 * (the active jobs, their abort controllers, the queue), which stays consistent only in one place.
 */
export class JobService {
  readonly presets: PresetService;
  readonly settings: ServerSettingsService;
  /** this process's name on the jobs it claims */
  readonly owner: string;
  private readonly emitter: JobEvents;
  private readonly queue: JobQueue;
  private readonly estimator: JobEstimator;
  private readonly active = new Map<string, ActiveJob>();
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly leaseMs: number;
  private readonly heartbeatMs: number;
  private tail: Promise<unknown> = Promise.resolve();
  /** creation times are kept strictly increasing: after a restart, they are the queue's order */
  private lastCreatedAt = 0;
  private started: Promise<void> | undefined;
  private sweeper: NodeJS.Timeout | undefined;
  private takeOverTimer: NodeJS.Timeout | undefined;
  private closing: Promise<void> | undefined;

  /** Does no I/O: subscribe to `events`, then call `start`. */
  constructor(private readonly deps: JobServiceDeps) {
    this.clock = deps.clock ?? systemClock;
    this.log = deps.logger.child({ component: 'jobs' });
    this.owner = deps.owner ?? `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
    this.leaseMs = deps.leaseMs ?? 60_000;
    this.heartbeatMs = deps.heartbeatMs ?? Math.max(1, Math.floor(this.leaseMs / 3));
    this.presets = new PresetService({ presets: deps.store.presets, clock: this.clock });
    this.settings = new ServerSettingsService({ servers: deps.store.servers, operatorLimits: deps.operatorLimits ?? DEFAULT_SERVER_LIMITS, clock: this.clock });
    this.emitter = deps.emitter;
    this.estimator = deps.estimator;
    this.queue = deps.queue;
    this.queue.process((entry) => this.execute(entry));
  }

  /**
   * Loads the recent speed measurements, re-queues the jobs a previous process left queued or running
   * (their owners get `recovered`, then `queued`, so subscribe first; a job another live process runs is
   * left to it), and starts the worker.
   */
  async start(): Promise<void> {
    this.started ??= this.serial(() => this.recover(false)).then(() => {
      const every = this.deps.sweepIntervalMs ?? 3600_000;
      if (every <= 0) return;
      const sweep = () => void this.purgeExpired().catch((error: unknown) => this.log.error({ err: error }, 'removing expired job files failed'));
      const takeOver = () => void this.takeOverExpired().catch((error: unknown) => this.log.error({ err: error }, 'taking over jobs of dead processes failed'));
      sweep();
      this.sweeper = setInterval(sweep, every);
      this.sweeper.unref();
      // a dead process's job waits at most about one lease more
      this.takeOverTimer = setInterval(takeOver, this.leaseMs);
      this.takeOverTimer.unref();
    });
    return this.started;
  }

  get events(): JobEventSource {
    return this.emitter;
  }

  /**
   * Accepts a job, or refuses it with a JobError saying why. The `queued` event is emitted before this
   * resolves; it carries the request's `replyRef`, by which the adapter recognises it.
   */
  async submit(request: SubmitRequest): Promise<JobPosition> {
    this.assertOpen();
    if (request.styles.length === 0) throw new JobError({ code: 'INVALID_INPUT', problem: 'noStyle' });
    if (request.styles.length > MAX_STYLE_IMAGES) throw new JobError({ code: 'INVALID_INPUT', problem: 'tooManyStyles', max: MAX_STYLE_IMAGES, got: request.styles.length });
    // Decoding reads no shared state: done before the one-at-a-time section, it never holds up others' submissions.
    await this.deps.checkInputs?.({ content: request.content, styles: request.styles });
    return this.serial(async () => {
      this.assertOpen();
      const explicit = validatePatch(request.options, 'options');
      const owner = { platform: request.platform, userId: request.userId };
      const server = await this.settings.get(request);
      const [preset, userDefault] = await Promise.all([
        request.presetName === undefined ? undefined : this.presets.optionsOf(owner, request.presetName),
        this.presets.defaultOptions(owner),
      ]);
      const options = checkServerCaps(resolveOptions({ explicit, preset, userDefault, server: server.defaults }), request.styles.length, server.limits);
      const pictures = [
        { bytes: request.content, role: 'content' as const },
        ...request.styles.map((bytes) => ({ bytes, role: 'style' as const })),
      ];
      return this.admit(
        {
          requester: request,
          conversation: request,
          options,
          styleCount: request.styles.length,
          presetName: request.presetName === undefined ? null : request.presetName.trim().toLowerCase(),
          parentId: null,
          followUp: null,
          contentSize: await headerSize(request.content),
          storeInputs: () => this.deps.files.putInputs(pictures, []),
        },
        server.limits,
      );
    });
  }

  /**
   * A new job made from a finished one: another seed, more style (style weight x4), more content (content
   * weight /4), or a higher resolution (twice the size within the server's cap, starting from the parent's
   * result, half the steps). It belongs to the requester, who needs only to see the parent; it counts
   * against the requester's limits like any job. Refused when the parent's files were purged.
   */
  async followUp(requester: Requester, request: FollowUpRequest): Promise<JobPosition> {
    return this.serial(async () => {
      this.assertOpen();
      const parent = await this.deps.store.jobs.get(request.parentId);
      if (!parent || !maySee(requester, parent)) throw new JobError({ code: 'JOB_NOT_FOUND', jobId: request.parentId });
      if (parent.status !== 'done') throw new JobError({ code: 'JOB_NOT_DONE', jobId: parent.id, status: parent.status });
      if (parent.filesPurgedAt) throw new JobError({ code: 'FILES_PURGED', jobId: parent.id, purgedAt: parent.filesPurgedAt });
      const parsed = stylizeOptionsSchema.safeParse(parent.options);
      if (!parsed.success) throw new JobError({ code: 'INVALID_OPTIONS', violations: patchViolations(parent.options), source: `job ${parent.id}` });
      const server = await this.settings.get(requester);
      const summarySeed = (parent.summary as { seed?: unknown } | null)?.seed;
      const plan = followUpPlan({
        jobId: parent.id,
        action: request.action,
        parent: parsed.data,
        parentSeed: typeof summarySeed === 'number' ? summarySeed : parsed.data.seed,
        maxSize: server.limits.maxSize,
        newSeed: this.deps.newSeed ?? (() => randomInt(0, 2 ** 32 - 1)),
      });
      const styleCount = parent.inputs.filter((i) => i.role === 'style').length;
      const options = checkServerCaps(plan.options, styleCount, server.limits);
      const reused = parent.inputs.filter((i) => i.role !== 'init');
      const purged = () => new JobError({ code: 'FILES_PURGED', jobId: parent.id, purgedAt: parent.filesPurgedAt ?? parent.finishedAt ?? new Date(this.clock.now()) });
      const contentInput = reused.find((i) => i.role === 'content');
      const content = contentInput ? await this.deps.files.read(contentInput.path).catch(() => undefined) : undefined;
      if (!content) throw purged();
      let start: Buffer | undefined;
      if (plan.fromResult) {
        start = await this.deps.files.read(parent.resultPath!).catch(() => undefined);
        if (!start) throw purged();
      }
      return this.admit(
        {
          requester,
          conversation: request,
          options,
          styleCount,
          presetName: parent.presetName,
          parentId: parent.id,
          followUp: request.action,
          contentSize: await headerSize(content),
          storeInputs: () => this.deps.files.putInputs(start ? [{ bytes: start, role: 'init' }] : [], reused),
        },
        server.limits,
      );
    });
  }

  /**
   * Cancels a waiting job at once, or a running one: its run is told to stop before its next step, and the
   * job is recorded as cancelled without waiting for the run to wind down (the worker slot frees when it
   * has). Owners may cancel their jobs; a server's admins any job of that server. Works during `close`.
   */
  async cancel(requester: Requester, jobId: string): Promise<{ job: JobView; wasRunning: boolean }> {
    const now = this.clock.now();
    const job = this.active.get(jobId);
    if (!job || job.ended) {
      const record = await this.deps.store.jobs.get(jobId);
      if (!record || (!mayCancel(requester, record) && !maySee(requester, record))) throw new JobError({ code: 'JOB_NOT_FOUND', jobId });
      if (!mayCancel(requester, record)) throw new JobError({ code: 'NOT_OWNER', jobId });
      // queued in the database but in no process's hands here (this one closed, or another process has it waiting)
      if (record.status === 'queued' && (await this.deps.store.jobs.markCancelled(jobId, { unclaimedAt: new Date(now) }, { finishedAt: new Date(now), computeSeconds: null, cancelledBy: requester.userId }))) {
        const view = jobViewOfRecord({ ...record, status: 'cancelled', finishedAt: new Date(now) });
        this.emitter.emit('cancelled', { job: view, by: requester.userId, wasRunning: false });
        return { job: view, wasRunning: false };
      }
      throw new JobError({ code: 'JOB_NOT_ACTIVE', jobId, status: record.status });
    }
    if (!maySee(requester, job.record)) throw new JobError({ code: 'JOB_NOT_FOUND', jobId });
    if (!mayCancel(requester, job.record)) throw new JobError({ code: 'NOT_OWNER', jobId });

    if (job.status === 'queued') {
      this.queue.remove(jobId);
      this.forget(job);
      await this.deps.store.jobs.markCancelled(jobId, { unclaimedAt: new Date(now) }, { finishedAt: new Date(now), computeSeconds: null, cancelledBy: requester.userId });
      const view = this.view(job, { status: 'cancelled', finishedAt: now });
      this.log.info({ job: jobId, by: requester.userId }, 'waiting job cancelled');
      this.terminal(job, 'cancelled', { job: view, by: requester.userId, wasRunning: false });
      return { job: view, wasRunning: false };
    }

    job.stopReason ??= { kind: 'cancel', by: requester.userId };
    job.controller?.abort(new Error('cancelled'));
    const claimed = await job.claim;
    if (job.ended || job.stopReason.kind !== 'cancel' || !claimed) {
      const stored = await this.deps.store.jobs.get(jobId);
      return { job: stored ? jobViewOfRecord(stored) : this.view(job), wasRunning: claimed === true };
    }
    const by = job.stopReason.by;
    const computeSeconds = job.startedAt === null ? null : (now - job.startedAt) / 1000;
    const recorded = await this.deps.store.jobs.markCancelled(jobId, { owner: this.owner }, { finishedAt: new Date(now), computeSeconds, cancelledBy: by, progressStep: job.progressStep });
    if (!recorded) {
      // taken over or ended elsewhere in the meantime
      const stored = await this.deps.store.jobs.get(jobId);
      const view = stored ? jobViewOfRecord(stored) : this.view(job);
      this.terminal(job, 'released', { job: view, reason: 'changed-elsewhere' });
      return { job: view, wasRunning: true };
    }
    const view = this.view(job, { status: 'cancelled', finishedAt: now });
    this.log.info({ job: jobId, by, step: job.progressStep }, 'running job cancelled');
    this.terminal(job, 'cancelled', { job: view, by, wasRunning: true });
    return { job: view, wasRunning: true };
  }

  /** Where a job stands. Visible to its owner and to anyone in its server. */
  async status(requester: Requester, jobId: string): Promise<JobPosition> {
    const job = this.active.get(jobId);
    if (job && !job.ended && maySee(requester, job.record)) return this.positionOf(job);
    const record = await this.deps.store.jobs.get(jobId);
    if (!record || !maySee(requester, record)) throw new JobError({ code: 'JOB_NOT_FOUND', jobId });
    return { job: jobViewOfRecord(record), position: null, startsInSeconds: null, etaSeconds: null };
  }

  /** The reproducibility card of a job: options, seed, inputs, weights, provider, versions, timings, losses, files. */
  async details(requester: Requester, jobId: string): Promise<JobCard> {
    const record = await this.deps.store.jobs.get(jobId);
    if (!record || !maySee(requester, record)) throw new JobError({ code: 'JOB_NOT_FOUND', jobId });
    const card = cardOfRecord(record);
    const job = this.active.get(jobId);
    return job && !job.ended ? { ...card, job: this.view(job) } : card;
  }

  /** The result, GIF and loss plot of a finished job, for posting again. */
  async resultFiles(requester: Requester, jobId: string): Promise<JobResultFiles> {
    const record = await this.deps.store.jobs.get(jobId);
    if (!record || !maySee(requester, record)) throw new JobError({ code: 'JOB_NOT_FOUND', jobId });
    if (record.status !== 'done' || !record.resultPath || !record.gifPath || !record.plotPath) throw new JobError({ code: 'JOB_NOT_DONE', jobId, status: record.status });
    if (record.filesPurgedAt) throw new JobError({ code: 'FILES_PURGED', jobId, purgedAt: record.filesPurgedAt });
    try {
      const [png, gif, plot] = await Promise.all([record.resultPath, record.gifPath, record.plotPath].map((p) => this.deps.files.read(p)));
      return { png: png!, gif: gif!, plot: plot! };
    } catch (error) {
      // removed by hand, or by a sweep of another process just now
      this.log.warn({ err: error, job: jobId }, 'result files unreadable');
      throw new JobError({ code: 'FILES_PURGED', jobId, purgedAt: record.finishedAt ?? new Date(this.clock.now()) }, { cause: error });
    }
  }

  /** One user's jobs across servers of a platform, newest first, `limit` (1-50, default 10) per page. */
  async history(user: { readonly platform: string; readonly userId: string }, page: { readonly limit?: number; readonly cursor?: string | null } = {}): Promise<HistoryPage> {
    const limit = Math.max(1, Math.min(50, Math.floor(page.limit ?? 10)));
    const before = page.cursor ? decodeCursor(page.cursor) : undefined;
    const records = await this.deps.store.jobs.history(user.platform, user.userId, { limit: limit + 1, ...(before ? { before } : {}) });
    const shown = records.slice(0, limit);
    const views = shown.map((r) => {
      const job = this.active.get(r.id);
      return job && !job.ended ? this.view(job) : jobViewOfRecord(r);
    });
    return { jobs: views, nextCursor: records.length > limit ? encodeCursor(shown.at(-1)!) : null };
  }

  /** Running and waiting jobs of a server (or of one user in it), running first, then in expected order. */
  list(filter: { platform: string; serverId: string; userId?: string }): JobPosition[] {
    const forecast = this.forecast();
    return [...this.active.values()]
      .filter((j) => !j.ended && j.record.platform === filter.platform && j.record.serverId === filter.serverId && (filter.userId === undefined || j.record.userId === filter.userId))
      .map((j) => this.positionOf(j, forecast))
      .sort((a, b) => (a.position ?? 0) - (b.position ?? 0));
  }

  /** Points a job's events at another conversation (e.g. the thread the adapter made on its reply). */
  async setReplyRef(jobId: string, replyRef: unknown): Promise<void> {
    const job = this.active.get(jobId);
    if (job) job.replyRef = replyRef ?? null;
    await this.deps.store.jobs.setReplyRef(jobId, replyRef);
  }

  /** Deletes files of jobs that ended more than the retention period ago, and inputs no job needs, page by page. */
  async purgeExpired(): Promise<{ jobs: number; inputs: number }> {
    return this.serial(async () => {
      const now = this.clock.now();
      const before = new Date(now - (this.deps.retentionMs ?? 7 * 24 * 3600 * 1000));
      let jobs = 0;
      let afterId: string | undefined;
      for (;;) {
        const ids = await this.deps.store.jobs.listExpired(before, afterId === undefined ? {} : { afterId });
        if (ids.length === 0) break;
        const kept = (await this.deps.protectedJobIds?.(ids)) ?? new Set<string>();
        const purged = ids.filter((id) => !kept.has(id));
        for (const id of purged) await this.deps.files.removeResults(id);
        await this.deps.store.jobs.markPurged(purged, new Date(now));
        jobs += purged.length;
        afterId = ids.at(-1);
      }
      const inputs = await this.deps.files.removeUnusedInputs((hashes) => this.deps.store.jobs.hashesInUse(hashes));
      if (jobs > 0 || inputs > 0) this.log.info({ jobs, inputs }, 'expired job files removed');
      return { jobs, inputs };
    });
  }

  /** Takes over jobs whose owner stopped renewing its lease (the process died); runs at every sweep. */
  async takeOverExpired(): Promise<number> {
    if (this.closing) return 0;
    return this.serial(() => this.recover(true));
  }

  /**
   * Stops taking jobs and stops running ones before their next step. Running jobs go back to the queue in
   * the database at once (a `requeued` event each, their attempt refunded) and resume at the next start;
   * waiting ones stay queued and get `requeued` when the queue has drained. Waits until no run is left.
   * Cancelling still works meanwhile. The store is the caller's to close afterwards.
   */
  async close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.sweeper) clearInterval(this.sweeper);
      if (this.takeOverTimer) clearInterval(this.takeOverTimer);
      // submissions already past their checks finish first, so that none is left half-done
      await this.tail.catch(() => undefined);
      const queueClosed = this.queue.close(); // from here on no job starts
      const stops: Promise<void>[] = [];
      for (const job of this.active.values()) {
        if (job.status !== 'running' || job.ended) continue;
        job.stopReason ??= { kind: 'shutdown' };
        job.controller?.abort(new Error('shutting down'));
        if (job.stopReason.kind === 'shutdown') stops.push(this.requeueStopped(job));
      }
      await Promise.all(stops);
      await queueClosed;
      for (const job of [...this.active.values()]) {
        if (job.ended || job.status !== 'queued') continue;
        this.forget(job);
        this.terminal(job, 'requeued', { job: this.view(job), wasRunning: false });
      }
    })();
    return this.closing;
  }

  private assertOpen(): void {
    if (!this.started) throw new Error('JobService.start() must run before submit()');
    if (this.closing) throw new JobError({ code: 'SHUTTING_DOWN' });
  }

  /** The checks every new job passes (queue room, budgets), then its row, its place in the queue and `queued`. */
  private async admit(admission: Admission, limits: ServerLimits): Promise<JobPosition> {
    const now = this.clock.now();
    const { requester, options } = admission;
    const userKey = keyOf(requester.platform, requester.userId);
    const serverKey = keyOf(requester.platform, requester.serverId);
    const waiting = this.queue.waiting().filter((e) => e.userKey === userKey && e.serverKey === serverKey).length;
    if (waiting >= limits.maxWaitingPerUser && !this.queue.couldStartNow({ userKey, serverKey, maxRunningPerUser: limits.maxRunningPerUser, maxConcurrent: limits.maxConcurrent })) {
      throw new JobError({ code: 'LIMIT_REACHED', limit: 'waiting', max: limits.maxWaitingPerUser, retryAt: null });
    }
    const estimatedSeconds = this.estimator.estimateSeconds(options);
    await this.checkBudgets(requester, limits, estimatedSeconds, now);

    const id = await this.freshId();
    const { inputs, created } = await admission.storeInputs();
    let record: JobRecord;
    try {
      record = await this.deps.store.jobs.create({
        id,
        platform: requester.platform,
        serverId: requester.serverId,
        channelId: admission.conversation.channelId,
        threadId: admission.conversation.threadId ?? null,
        userId: requester.userId,
        options,
        presetName: admission.presetName,
        totalSteps: totalSteps(options, admission.contentSize),
        estimatedSeconds,
        createdAt: new Date(Math.max(now, this.lastCreatedAt + 1)),
        inputs,
        replyRef: admission.conversation.replyRef ?? null,
        uploadLimitBytes: admission.conversation.uploadLimitBytes ?? null,
        parentId: admission.parentId,
        followUp: admission.followUp,
      });
    } catch (error) {
      // no job row: the pictures this submission wrote belong to nobody
      await Promise.all(created.map((file) => this.deps.files.removeInput(file).catch(() => undefined)));
      throw error;
    }
    this.lastCreatedAt = record.createdAt.getTime();
    const job = this.track(record, options, limits);
    this.log.info({ job: record.id, user: userKey, server: serverKey, estimatedSeconds, parent: admission.parentId }, 'job queued');
    this.queue.add(job.entry);
    const position = this.positionOf(job);
    this.emitter.emit('queued', { job: position.job, position: position.position!, startsInSeconds: position.startsInSeconds!, etaSeconds: position.etaSeconds! });
    return position;
  }

  /**
   * Adopts the jobs of the database that no live process holds: at start every queued or running one;
   * later (`onlyExpired`) only running ones whose owner's lease ran out.
   */
  private async recover(onlyExpired: boolean): Promise<number> {
    if (!onlyExpired) {
      for (const record of (await this.deps.store.jobs.recentDone(20)).reverse()) {
        const options = stylizeOptionsSchema.safeParse(record.options);
        if (options.success && record.computeSeconds) this.estimator.recordRun(options.data, record.computeSeconds);
      }
    }
    const now = this.clock.now();
    const maxAttempts = this.deps.maxAttempts ?? 3;
    const recovered: ActiveJob[] = [];
    for (const record of await this.deps.store.jobs.listActive()) {
      if (this.active.has(record.id)) continue;
      const wasRunning = record.status === 'running';
      const leaseLive = wasRunning && record.owner !== this.owner && record.leaseUntil !== null && record.leaseUntil.getTime() >= now;
      if (leaseLive || (onlyExpired && !wasRunning)) continue;
      this.lastCreatedAt = Math.max(this.lastCreatedAt, record.createdAt.getTime());
      // a claim under this process's own name is from an earlier life of this worker (a crash): take it back now
      const unclaimed: JobHolder = wasRunning && record.owner === this.owner ? { owner: this.owner } : { unclaimedAt: new Date(now) };
      const parsed = stylizeOptionsSchema.safeParse(record.options);
      if (!parsed.success) {
        await this.fail(record.id, jobViewOfRecord(record), storedOptionsFailure(record.id, patchViolations(record.options)), null, unclaimed);
        continue;
      }
      if (wasRunning && record.attempts >= maxAttempts) {
        await this.fail(record.id, jobViewOfRecord(record), interruptedFailure(record.id, record.attempts), null, unclaimed);
        continue;
      }
      // another process may have claimed it since listActive: then it is theirs
      if (wasRunning && !(await this.deps.store.jobs.requeue(record.id, unclaimed))) continue;
      const server = await this.settings.get(record);
      const job = this.track({ ...record, status: 'queued', progressStep: 0 }, parsed.data, server.limits);
      recovered.push(job);
      this.log.info({ job: record.id, wasRunning, previousOwner: record.owner }, wasRunning ? 'job taken over from a stopped process' : 'job recovered after restart');
      this.emitter.emit('recovered', { job: this.view(job), wasRunning });
    }
    for (const job of recovered) this.queue.add(job.entry);
    for (const job of recovered) {
      const p = this.positionOf(job);
      if (p.position !== null && p.position > 0) this.emitter.emit('queued', { job: p.job, position: p.position, startsInSeconds: p.startsInSeconds!, etaSeconds: p.etaSeconds! });
    }
    return recovered.length;
  }

  private async execute(entry: QueueEntry): Promise<void> {
    const job = this.active.get(entry.id);
    if (!job || job.ended) return;
    const controller = new AbortController();
    job.controller = controller;
    const startedAt = this.clock.now();
    job.status = 'running';
    job.startedAt = startedAt;
    job.attempts += 1;
    job.lastWrite = startedAt;
    job.lastBeat = startedAt;
    let beat: NodeJS.Timeout | undefined;
    job.claim = this.deps.store.jobs.claim(job.record.id, { owner: this.owner, now: new Date(startedAt), leaseUntil: new Date(startedAt + this.leaseMs) });
    try {
      if (!(await job.claim)) {
        // another process claimed it first, or it was changed behind this process's back
        const stored = await this.deps.store.jobs.get(job.record.id);
        this.log.warn({ job: job.record.id, status: stored?.status, owner: stored?.owner }, 'job was no longer queued in the database; not running it');
        this.terminal(job, 'released', { job: stored ? jobViewOfRecord(stored) : this.view(job), reason: stored?.status === 'running' ? 'claimed-elsewhere' : 'changed-elsewhere' });
        return;
      }
      // a real timer for long steps; progress also beats (that is what an injected clock drives)
      beat = setInterval(() => void this.heartbeat(job), this.heartbeatMs);
      beat.unref();
      if (job.stopReason) return;
      this.log.info({ job: job.record.id, attempt: job.attempts, owner: this.owner }, 'job started');
      this.emitter.emit('started', { job: this.view(job), etaSeconds: this.remainingSeconds(job) });

      let pictures: Buffer[];
      try {
        pictures = await Promise.all(job.record.inputs.map((input) => this.deps.files.read(input.path)));
      } catch (error) {
        this.log.error({ err: error, job: job.record.id }, 'stored inputs unreadable');
        await this.fail(job.record.id, this.view(job), missingInputFailure(job.record.id), null, { owner: this.owner }, job);
        return;
      }
      if (job.stopReason) return;
      const byRole = (role: JobInputRecord['role']) => job.record.inputs.flatMap((input, i) => (input.role === role ? [pictures[i]!] : []));
      const initImage = byRole('init')[0];
      const result = await this.deps.runner(
        {
          id: job.record.id,
          content: byRole('content')[0]!,
          styles: byRole('style'),
          options: job.options,
          ...(initImage ? { initImage } : {}),
          ...(job.record.uploadLimitBytes === null ? {} : { maxUploadBytes: job.record.uploadLimitBytes }),
        },
        { signal: controller.signal, onProgress: (progress) => this.onProgress(job, controller.signal, progress) },
      );
      // a result that arrives after a cancel or shutdown is dropped: that path has told the user already
      if (job.stopReason) return;

      const finishedAt = this.clock.now();
      const computeSeconds = (finishedAt - startedAt) / 1000;
      const files = await this.deps.files.writeResults(job.record.id, result);
      const steps = result.summary.steps;
      const recorded = await this.deps.store.jobs.markDone(job.record.id, this.owner, {
        finishedAt: new Date(finishedAt),
        computeSeconds,
        secondsPerStep: steps > 0 ? computeSeconds / steps : 0,
        progressStep: steps,
        ...files,
        summary: { ...result.summary, versions: packageVersions() },
      });
      if (!recorded) {
        const stored = await this.deps.store.jobs.get(job.record.id);
        this.log.warn({ job: job.record.id, status: stored?.status, owner: stored?.owner }, 'job finished, but this process no longer held it; result not recorded');
        this.terminal(job, 'released', { job: stored ? jobViewOfRecord(stored) : this.view(job), reason: stored?.status === 'running' ? 'lease-lost' : 'changed-elsewhere' });
        return;
      }
      this.estimator.recordRun(job.options, computeSeconds);
      this.log.info({ job: job.record.id, computeSeconds, steps }, 'job done');
      job.progressStep = steps;
      this.terminal(job, 'finished', {
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
      if (beat) clearInterval(beat);
      this.forget(job);
    }
  }

  /** A run that threw: stopped on purpose (that path recorded it), or failed. */
  private async settle(job: ActiveJob, error: unknown, startedAt: number): Promise<void> {
    if (job.stopReason || job.ended) return;
    const claimed = await job.claim?.catch(() => false);
    const failure = classifyFailure(error, job.record.id);
    if (failure.operatorError) this.log.error({ err: error, job: job.record.id }, 'job failed');
    else this.log.info({ job: job.record.id, code: failure.code }, 'job refused by the pipeline');
    const holder: JobHolder = claimed ? { owner: this.owner } : { unclaimedAt: new Date(this.clock.now()) };
    await this.fail(job.record.id, this.view(job), failure, (this.clock.now() - startedAt) / 1000, holder, job, job.progressStep);
  }

  /** Records a failure and tells the owner, also when the database refuses the write (it is logged). */
  private async fail(jobId: string, view: JobView, failure: JobFailure, computeSeconds: number | null, holder: JobHolder, job?: ActiveJob, progressStep?: number): Promise<void> {
    const finishedAt = this.clock.now();
    const ended = { finishedAt: new Date(finishedAt), computeSeconds, errorCode: failure.code, errorDetails: failure.details };
    try {
      await this.deps.store.jobs.markFailed(jobId, holder, progressStep === undefined ? ended : { ...ended, progressStep });
    } catch (error) {
      this.log.error({ err: error, job: jobId }, 'job failure not recorded');
    }
    const event = { job: { ...view, status: 'failed' as const, finishedAt: new Date(finishedAt) }, code: failure.code, details: failure.details };
    if (job) this.terminal(job, 'failed', event);
    else this.emitter.emit('failed', event);
  }

  /** A running job stopped by shutdown: back to the queue in the database (attempt refunded) and `requeued`. */
  private async requeueStopped(job: ActiveJob): Promise<void> {
    try {
      if (await job.claim) await this.deps.store.jobs.requeue(job.record.id, { owner: this.owner }, true);
    } catch (error) {
      this.log.error({ err: error, job: job.record.id }, 'interrupted job not re-queued; it is taken over when its lease expires');
    }
    this.log.info({ job: job.record.id }, 'running job interrupted by shutdown; it resumes at the next start');
    this.terminal(job, 'requeued', { job: this.view(job, { status: 'queued' }), wasRunning: true });
  }

  private async heartbeat(job: ActiveJob): Promise<void> {
    if (job.stopReason || job.ended) return;
    const now = this.clock.now();
    job.lastBeat = now;
    let held: boolean;
    try {
      held = await this.deps.store.jobs.heartbeat(job.record.id, this.owner, new Date(now + this.leaseMs));
    } catch (error) {
      this.log.warn({ err: error, job: job.record.id }, 'lease not extended');
      return;
    }
    if (held || job.stopReason || job.ended) return;
    job.stopReason = { kind: 'lost' };
    job.controller?.abort(new Error('lease lost'));
    const stored = await this.deps.store.jobs.get(job.record.id).catch(() => null);
    this.log.warn({ job: job.record.id, owner: stored?.owner }, 'lease lost: another process took the job over; stopping this run');
    this.terminal(job, 'released', { job: stored ? jobViewOfRecord(stored) : this.view(job), reason: 'lease-lost' });
  }

  private onProgress(job: ActiveJob, signal: AbortSignal, progress: RunnerProgress): void {
    if (signal.aborted || job.stopReason) return;
    job.progressStep = progress.step;
    job.totalSteps = progress.totalSteps;
    const now = this.clock.now();
    if (now - job.lastBeat >= this.heartbeatMs) void this.heartbeat(job);
    if (now - job.lastWrite >= (this.deps.progressWriteIntervalMs ?? 5000)) {
      job.lastWrite = now;
      this.deps.store.jobs.updateProgress(job.record.id, this.owner, progress.step).catch((error: unknown) => this.log.warn({ err: error, job: job.record.id }, 'progress not saved'));
    }
    this.emitter.emit('progress', { job: this.view(job), step: progress.step, totalSteps: progress.totalSteps, losses: progress.losses, ...(progress.preview ? { preview: progress.preview } : {}) });
  }

  private async checkBudgets(requester: Requester, limits: ServerLimits, neededSeconds: number, now: number): Promise<void> {
    const since = new Date(now - BUDGET_WINDOW_MS);
    const scopes = [
      { kind: 'user' as const, budget: limits.userHourlySeconds, scope: { platform: requester.platform, serverId: requester.serverId, userId: requester.userId } },
      { kind: 'server' as const, budget: limits.serverHourlySeconds, scope: { platform: requester.platform, serverId: requester.serverId } },
    ];
    for (const { kind, budget, scope } of scopes) {
      const pendingSeconds = [...this.active.values()]
        .filter((j) => !j.ended && j.record.platform === scope.platform && j.record.serverId === scope.serverId && (!('userId' in scope) || j.record.userId === scope.userId))
        .reduce((sum, j) => sum + j.record.estimatedSeconds, 0);
      const finished = await this.deps.store.jobs.computeSince(since, scope);
      const verdict = checkBudget({ budgetSeconds: budget, finished, pendingSeconds, neededSeconds });
      if (verdict.ok) continue;
      if (verdict.tooLarge) throw new JobError({ code: 'JOB_TOO_LARGE', estimatedSeconds: neededSeconds, budgetSeconds: budget, scope: kind });
      throw new JobError({ code: 'LIMIT_REACHED', limit: kind === 'user' ? 'userBudget' : 'serverBudget', max: budget, retryAt: verdict.retryAt });
    }
  }

  private track(record: JobRecord, options: StylizeOptions, limits: ServerLimits): ActiveJob {
    let finish!: () => void;
    const done = new Promise<void>((resolve) => (finish = resolve));
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
      replyRef: record.replyRef ?? null,
      progressStep: 0,
      totalSteps: record.totalSteps,
      attempts: record.attempts,
      startedAt: null,
      lastWrite: 0,
      lastBeat: 0,
      ended: false,
      done,
      finish,
    };
    this.active.set(record.id, job);
    return job;
  }

  /** Emits a job's one terminal event; any later attempt is a no-op. */
  private terminal<K extends JobEventName>(job: ActiveJob, name: K, event: JobEventMap[K]): void {
    if (job.ended) return;
    job.ended = true;
    this.emitter.emit(name, event);
  }

  private forget(job: ActiveJob): void {
    if (this.active.get(job.record.id) === job) this.active.delete(job.record.id);
    job.finish();
  }

  private forecast() {
    return this.queue.forecast((e) => this.remainingSeconds(this.active.get(e.id)));
  }

  private positionOf(job: ActiveJob, forecast = this.forecast()): JobPosition {
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
      replyRef: job.replyRef,
      parentId: r.parentId,
      followUp: isFollowUp(r.followUp) ? r.followUp : null,
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

/** The upright size from a picture's header, or undefined when it is no picture this release reads. */
async function headerSize(bytes: Uint8Array): Promise<Size | undefined> {
  try {
    const { width, height } = await probeImage(bytes);
    return { width, height };
  } catch {
    return undefined;
  }
}

function keyOf(platform: string, id: string): string {
  return `${platform}:${id}`;
}
