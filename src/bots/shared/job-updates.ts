import type { Logger } from 'pino';
import { LRUCache } from 'lru-cache';
import type { FileUpload, MessageParts, PlatformName, ReplyRef, Transport } from './contract.js';
import type { JobEventMap, JobView } from './jobs-types.js';
import {
  cancelledStatus,
  doneStatus,
  failedStatus,
  progressStatus,
  queuedStatus,
  recoveredStatus,
  replyCancelled,
  replyDone,
  replyFailed,
  replyRunning,
  resultCard,
  resultImages,
  startedStatus,
} from './messages/index.js';
import type { JobsPort } from './ports.js';
import { conversationOf, isStoredReplyRef, storedReplyRef } from './reply-ref.js';
import type { Timers } from './timers.js';
import { withRetry, type RetryPolicy } from './transport-retry.js';

export interface JobUpdatesDeps {
  /** `status` refreshes the positions of waiting jobs when the queue moves */
  readonly jobs: Pick<JobsPort, 'events' | 'setReplyRef' | 'status'>;
  readonly logger: Logger;
  readonly timers: Timers;
  readonly editIntervalMs: number;
  readonly bindWaitMs: number;
  readonly retry: RetryPolicy;
}

interface StatusUpdate {
  readonly parts: MessageParts;
  /** progress is coalesced to one edit per interval; state changes go at once */
  readonly throttled: boolean;
  /** the final "done" line: only edits a status message that exists, never posts one after the result */
  readonly editOnly?: boolean;
}

interface Tracked {
  readonly jobId: string;
  readonly platform: string;
  /** the job as last seen, for asking its position again */
  job: JobView;
  /** where to post; undefined while waiting for the adapter's bind */
  conversation: ReplyRef | undefined;
  /** the command's replyRef: the conversation when no bind comes */
  readonly fallback: ReplyRef | null;
  status: ReplyRef | null;
  result: ReplyRef | null;
  /** the adapter's public reply to the command, when it told where it is */
  reply: ReplyRef | null;
  /** what the reply says at the job's end (set with `terminal`) */
  replyEnd: MessageParts | undefined;
  /** how far this process has edited the reply: once at start, once at the end */
  replyShown: 'running' | 'end' | undefined;
  pendingStatus: StatusUpdate | undefined;
  pendingUpload: { readonly parts: MessageParts; readonly files: readonly FileUpload[] } | undefined;
  lastEditAt: number;
  editTimer: unknown;
  bindTimer: unknown;
  busy: Promise<void> | undefined;
  terminal: boolean;
  /** a permanent transport failure was logged for this job: later ones are not */
  warned: boolean;
  /** transport calls of this job waiting out a retry backoff */
  backingOff: number;
}

/**
 * Tells each job's story through its platform's Transport: one status message, posted once and edited
 * (queued, started, progress at most once per interval with a preview, cancelled or failed in place), then
 * the result with its card and follow-up buttons, and the status edited to done. It listens to the job
 * service's events, which it never blocks: transport calls run on their own chain per job, retried with
 * backoff when retryable, and a job whose platform is down simply keeps its latest state until it is back.
 */
export class JobUpdates {
  private readonly tracked = new Map<string, Tracked>();
  private readonly transports = new Map<string, Transport>();
  /** binds that came before the job's first event (the event is emitted inside submit, so rarely) */
  private readonly earlyBinds = new LRUCache<string, { conversation: ReplyRef; reply: ReplyRef | null }>({ max: 1000 });
  private readonly unsubscribe: Array<() => void> = [];
  private readonly previews = new Map<string, Uint8Array>();
  private readonly log: Logger;

  constructor(private readonly deps: JobUpdatesDeps) {
    this.log = deps.logger.child({ component: 'job-updates' });
    const on = <K extends keyof JobEventMap>(name: K, listener: (event: JobEventMap[K]) => void) =>
      this.unsubscribe.push(deps.jobs.events.on(name, (event) => listener(event)));
    on('queued', (e) => this.update(e.job, { parts: queuedStatus(e.job, e.position, e.etaSeconds), throttled: false }));
    on('started', (e) => this.update(e.job, { parts: startedStatus(e.job, e.etaSeconds), throttled: false }));
    on('progress', (e) => {
      // previews come every few steps; the latest one stays on the status until a newer one comes
      if (e.preview) this.previews.set(e.job.id, e.preview);
      const preview = e.preview ?? this.previews.get(e.job.id);
      this.update(e.job, { parts: progressStatus(e.job, e.step, e.totalSteps, e.losses, this.secondsLeft(e.job, e.step, e.totalSteps), preview), throttled: true });
    });
    on('recovered', (e) => this.update(e.job, { parts: recoveredStatus(e.job, e.wasRunning), throttled: false }, { recovered: true }));
    on('cancelled', (e) => this.update(e.job, { parts: cancelledStatus(e.job, e.wasRunning), throttled: false }, { terminal: true, replyEnd: replyCancelled(e.job) }));
    on('failed', (e) => this.update(e.job, { parts: failedStatus(e.job, e.code, e.details), throttled: false }, { terminal: true, replyEnd: replyFailed(e.job, e.code, e.details) }));
    on('finished', (e) => {
      const files = resultImages(e.job.id, { result: e.result, gif: e.gif, plot: e.plot });
      this.update(e.job, { parts: doneStatus(e.job, e.summary.seconds), throttled: false, editOnly: true }, { terminal: true, upload: { parts: resultCard(e.job, e.summary), files }, replyEnd: replyDone(e.job) });
    });
    // a job leaving the queue moves the others up: their status shows the new position
    for (const name of ['started', 'cancelled', 'failed', 'finished'] as const) on(name, (e) => this.queueMoved(e.job.id));
    // this process let the job go (shutdown, another process took it): nothing more to tell from here
    on('requeued', (e) => this.forget(e.job.id));
    on('released', (e) => this.forget(e.job.id));
  }

  /** Updates of `transport.platform` go through it from now on; waiting ones are delivered now. */
  attach(transport: Transport): () => void {
    this.transports.set(transport.platform, transport);
    for (const t of this.tracked.values()) if (t.platform === transport.platform) this.flush(t);
    return () => {
      if (this.transports.get(transport.platform) === transport) this.transports.delete(transport.platform);
    };
  }

  /**
   * The conversation the adapter made for the job (e.g. the thread on its reply): the status goes there.
   * `reply` is the adapter's public reply, edited at the job's start and end.
   */
  bind(jobId: string, conversation: ReplyRef, reply?: ReplyRef): void {
    const t = this.tracked.get(jobId);
    if (!t) {
      this.earlyBinds.set(jobId, { conversation, reply: reply ?? null });
      return;
    }
    t.conversation = conversation;
    if (reply !== undefined && reply !== null) t.reply = reply;
    this.deps.timers.clearTimeout(t.bindTimer);
    this.flush(t);
  }

  /**
   * Resolves when no transport call is in flight or due now: throttled edits wait for their timer and
   * retries for their backoff, so those do not count.
   */
  async idle(): Promise<void> {
    for (;;) {
      const busy = [...this.tracked.values()].filter((t) => t.busy !== undefined && t.backingOff === 0).map((t) => t.busy!);
      if (busy.length === 0) return;
      await Promise.race([...busy, new Promise((resolve) => setImmediate(resolve))]);
    }
  }

  close(): void {
    for (const stop of this.unsubscribe.splice(0)) stop();
    for (const t of this.tracked.values()) this.clearTimers(t);
    this.tracked.clear();
    this.previews.clear();
  }

  private update(job: JobView, status: StatusUpdate, change: { terminal?: boolean; recovered?: boolean; upload?: Tracked['pendingUpload']; replyEnd?: MessageParts } = {}): void {
    const known = this.tracked.get(job.id);
    if (!known && change.terminal && !this.transports.has(job.platform)) return; // nobody to tell, nothing to keep
    const t = known ?? this.track(job, change.recovered === true);
    t.job = job;
    if (change.recovered && t.conversation === undefined) t.conversation = t.fallback ?? undefined;
    t.pendingStatus = status;
    if (change.upload) t.pendingUpload = change.upload;
    if (change.terminal) t.terminal = true;
    if (change.replyEnd) t.replyEnd = change.replyEnd;
    this.flush(t);
  }

  private queueMoved(exceptId: string): void {
    for (const t of this.tracked.values()) {
      if (t.jobId === exceptId || t.terminal || t.job.status !== 'queued') continue;
      const { platform, serverId, userId } = t.job;
      this.deps.jobs.status({ platform, serverId, userId }, t.jobId).then(
        (p) => {
          if (this.tracked.get(t.jobId) !== t || t.job.status !== 'queued' || p.job.status !== 'queued' || !p.position) return;
          // coalesced like progress: a busy queue moves often
          this.update(t.job, { parts: queuedStatus(t.job, p.position, p.etaSeconds ?? 0), throttled: true });
        },
        (error: unknown) => this.log.debug({ err: error, job: t.jobId }, 'queue position not refreshed'),
      );
    }
  }

  private track(job: JobView, recovered: boolean): Tracked {
    const stored = job.replyRef;
    const envelope = isStoredReplyRef(stored) ? stored : null;
    const early = this.earlyBinds.get(job.id);
    this.earlyBinds.delete(job.id);
    const t: Tracked = {
      jobId: job.id,
      platform: job.platform,
      job,
      conversation: early?.conversation ?? envelope?.conversation ?? (recovered ? (conversationOf(stored) ?? undefined) : undefined),
      fallback: conversationOf(stored),
      status: envelope?.status ?? null,
      result: envelope?.result ?? null,
      reply: early?.reply ?? envelope?.reply ?? null,
      replyEnd: undefined,
      replyShown: undefined,
      pendingStatus: undefined,
      pendingUpload: undefined,
      lastEditAt: Number.NEGATIVE_INFINITY,
      editTimer: undefined,
      bindTimer: undefined,
      busy: undefined,
      terminal: false,
      warned: false,
      backingOff: 0,
    };
    if (t.conversation === undefined) {
      // a job just submitted: its adapter binds the conversation once it has shown the reply
      t.bindTimer = this.deps.timers.setTimeout(() => {
        t.bindTimer = undefined;
        if (t.conversation !== undefined) return;
        t.conversation = t.fallback ?? undefined;
        this.flush(t);
      }, this.deps.bindWaitMs);
    }
    this.tracked.set(job.id, t);
    return t;
  }

  private flush(t: Tracked): void {
    // a job forgotten (or the updates closed) while its drain ran: re-flushing would spin without end
    if (t.busy || t.conversation === undefined || !this.transports.has(t.platform) || this.tracked.get(t.jobId) !== t) return;
    if (t.conversation === null) {
      // a job without a conversation (submitted with no replyRef): nothing can be posted
      if (t.terminal) this.forget(t.jobId);
      return;
    }
    t.busy = this.drain(t).finally(() => {
      t.busy = undefined;
      if (t.terminal && !t.pendingStatus && !t.pendingUpload) this.forget(t.jobId);
      else if (t.pendingUpload || (t.pendingStatus && !t.pendingStatus.throttled) || this.replyDue(t)) this.flush(t);
    });
  }

  private async drain(t: Tracked): Promise<void> {
    for (;;) {
      const transport = this.transports.get(t.platform);
      if (!transport || this.tracked.get(t.jobId) !== t) return;
      const conversation = t.conversation as ReplyRef;
      if (t.pendingUpload) {
        const upload = t.pendingUpload;
        t.pendingUpload = undefined;
        const ref = await this.call(t, 'upload', () => transport.upload(conversation, upload.parts, upload.files));
        if (ref !== undefined) {
          t.result = ref;
          await this.persist(t);
        }
        continue;
      }
      const status = t.pendingStatus;
      if (!status) {
        if (!this.replyDue(t)) return;
        await this.editReply(t, transport);
        continue;
      }
      if (status.editOnly && t.status === null) {
        t.pendingStatus = undefined;
        continue;
      }
      const now = this.deps.timers.now();
      if (status.throttled && now - t.lastEditAt < this.deps.editIntervalMs) {
        // the reply's one edit at start does not wait for the progress throttle
        if (this.replyDue(t)) {
          await this.editReply(t, transport);
          continue;
        }
        this.scheduleEdit(t, t.lastEditAt + this.deps.editIntervalMs - now);
        return;
      }
      t.pendingStatus = undefined;
      this.deps.timers.clearTimeout(t.editTimer);
      t.editTimer = undefined;
      t.lastEditAt = now;
      const existing = t.status;
      if (existing !== null) {
        const ref = await this.call(t, 'edit', () => transport.edit(existing, status.parts));
        // the message is gone (deleted by someone): the next update posts a new one
        if (ref === undefined) t.status = null;
        else if (JSON.stringify(ref) !== JSON.stringify(existing)) {
          t.status = ref;
          await this.persist(t);
        }
      } else {
        const ref = await this.call(t, 'post', () => transport.post(conversation, status.parts));
        if (ref !== undefined) {
          t.status = ref;
          await this.persist(t);
        }
      }
    }
  }

  /** The public reply waits for its edit at start (the job runs) or at the end (a final line is known). */
  private replyDue(t: Tracked): boolean {
    if (t.reply === null || t.replyShown === 'end') return false;
    if (t.replyEnd) return true;
    return !t.terminal && t.replyShown === undefined && t.job.status === 'running';
  }

  /**
   * Edits the public reply, retried like the other calls. It is tried once per stage: a reply that cannot
   * be edited (deleted, no permission) is logged quietly and never holds up or silences the thread's story.
   */
  private async editReply(t: Tracked, transport: Transport): Promise<void> {
    const reply = t.reply!;
    const parts = t.replyEnd ?? replyRunning(t.job);
    t.replyShown = t.replyEnd ? 'end' : 'running';
    try {
      await withRetry(() => transport.edit(reply, parts), this.deps.timers, this.deps.retry, (waiting) => (t.backingOff += waiting ? 1 : -1));
    } catch (error) {
      this.log.info({ err: error, job: t.jobId, platform: t.platform, call: 'edit reply' }, 'the command\'s reply could not be updated; the job\'s thread still tells its story');
    }
  }

  private scheduleEdit(t: Tracked, ms: number): void {
    if (t.editTimer !== undefined) return;
    t.editTimer = this.deps.timers.setTimeout(() => {
      t.editTimer = undefined;
      if (t.pendingStatus) {
        // the timer is the throttle's end: the latest progress goes out now
        t.lastEditAt = Number.NEGATIVE_INFINITY;
        this.flush(t);
      }
    }, ms);
  }

  /** One transport call with retries; undefined when it failed for good (logged once per job). */
  private async call(t: Tracked, what: string, call: () => Promise<ReplyRef>): Promise<ReplyRef | undefined> {
    try {
      return await withRetry(call, this.deps.timers, this.deps.retry, (waiting) => (t.backingOff += waiting ? 1 : -1));
    } catch (error) {
      if (!t.warned) {
        t.warned = true;
        this.log.warn({ err: error, job: t.jobId, platform: t.platform, call: what }, 'a job update could not be delivered; the job goes on and its result stays retrievable by id');
      }
      return undefined;
    }
  }

  private async persist(t: Tracked): Promise<void> {
    try {
      await this.deps.jobs.setReplyRef(t.jobId, storedReplyRef(t.conversation as ReplyRef, t.status, t.result, t.reply));
    } catch (error) {
      this.log.warn({ err: error, job: t.jobId }, 'where the job is shown was not saved; after a restart its updates go to a new message');
    }
  }

  private secondsLeft(job: JobView, step: number, totalSteps: number): number | null {
    if (!job.startedAt || step <= 0) return null;
    const elapsed = (this.deps.timers.now() - job.startedAt.getTime()) / 1000;
    return Math.max(0, (elapsed / step) * (totalSteps - step));
  }

  private forget(jobId: string): void {
    const t = this.tracked.get(jobId);
    if (!t) return;
    this.clearTimers(t);
    this.tracked.delete(jobId);
    this.previews.delete(jobId);
  }

  private clearTimers(t: Tracked): void {
    this.deps.timers.clearTimeout(t.editTimer);
    this.deps.timers.clearTimeout(t.bindTimer);
    t.editTimer = undefined;
    t.bindTimer = undefined;
  }
}

export type { PlatformName };
