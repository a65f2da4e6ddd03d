import type { LossTerms } from '../engine/index.js';
import { STYLIZE_DEFAULTS, stylizeOptionsSchema, type PipelineSummary, type StylizeOptions } from '../pipeline/index.js';
import type { JobRecord, JobStatus } from '../store/index.js';
import type { FailureCode, FailureDetails } from './failures.js';

/** Follow-ups of a finished job, each a new job linked to its parent. */
export type FollowUpAction = 'seed' | 'style' | 'content' | 'upscale';
export const FOLLOW_UP_ACTIONS: readonly FollowUpAction[] = ['seed', 'style', 'content', 'upscale'];

/** A job as chat adapters see it: where to answer, whose it is, how far it got. */
export interface JobView {
  readonly id: string;
  readonly platform: string;
  readonly serverId: string;
  readonly channelId: string;
  readonly threadId: string | null;
  readonly userId: string;
  readonly status: JobStatus;
  readonly options: StylizeOptions;
  readonly presetName: string | null;
  readonly progressStep: number;
  readonly totalSteps: number;
  readonly attempts: number;
  readonly createdAt: Date;
  readonly startedAt: Date | null;
  readonly finishedAt: Date | null;
  /** the adapter's opaque pointer given at submission (or set later), echoed on every event; null when none */
  readonly replyRef: unknown;
  /** the job this one follows up on, and how */
  readonly parentId: string | null;
  readonly followUp: FollowUpAction | null;
}

/**
 * Everything the queue tells the outside, one event type per moment of a job's life. The same events
 * serve every platform; an adapter subscribes and renders them (edit a message, post a file).
 *
 * Every job this process took on ends here with exactly one terminal event: `finished`, `failed`,
 * `cancelled`, `requeued` (this process stopped; the job waits in the database for the next start) or
 * `released` (another process runs or ended it). `submit` emits `queued` before it resolves; the event's
 * `job.replyRef` is the one given to submit, so an adapter can match the two.
 */
export interface JobEventMap {
  /** accepted or re-queued; position 1 starts next */
  queued: { readonly job: JobView; readonly position: number; readonly startsInSeconds: number; readonly etaSeconds: number };
  started: { readonly job: JobView; readonly etaSeconds: number };
  /** every step; `preview` (PNG) on frame steps */
  progress: { readonly job: JobView; readonly step: number; readonly totalSteps: number; readonly losses: LossTerms; readonly preview?: Uint8Array };
  finished: {
    readonly job: JobView;
    readonly result: Uint8Array;
    readonly gif: Uint8Array;
    readonly plot: Uint8Array;
    readonly summary: PipelineSummary;
    /** where they are kept until retention removes them, relative to the data directory */
    readonly files: { readonly result: string; readonly gif: string; readonly plot: string };
  };
  /** `details` is data: render it with describeFailure(code, details) of the bot layer */
  failed: { readonly job: JobView; readonly code: FailureCode; readonly details: FailureDetails };
  cancelled: { readonly job: JobView; readonly by: string; readonly wasRunning: boolean };
  /** after a restart: the job survived and is queued again (a queued event follows) */
  recovered: { readonly job: JobView; readonly wasRunning: boolean };
  /** terminal for this process: it shut down; the job stays queued in the database and resumes at the next start */
  requeued: { readonly job: JobView; readonly wasRunning: boolean };
  /**
   * terminal for this process: the job is another process's now (it claimed the job first, or took it
   * over after this one's lease expired), or it was ended behind this process's back; `job` is as stored.
   */
  released: { readonly job: JobView; readonly reason: 'claimed-elsewhere' | 'lease-lost' | 'changed-elsewhere' };
}

export const JOB_EVENT_NAMES: readonly JobEventName[] = ['queued', 'started', 'progress', 'finished', 'failed', 'cancelled', 'recovered', 'requeued', 'released'];
export const TERMINAL_EVENTS: readonly JobEventName[] = ['finished', 'failed', 'cancelled', 'requeued', 'released'];

export type JobEventName = keyof JobEventMap;
export type JobEventListener<K extends JobEventName> = (event: JobEventMap[K]) => void | Promise<void>;

/** The subscribing half, which is all that adapters get. */
export interface JobEventSource {
  /** returns the function that unsubscribes */
  on<K extends JobEventName>(name: K, listener: JobEventListener<K>): () => void;
}

/**
 * A small typed emitter. Listeners run in order; one that throws or rejects is reported through
 * `onListenerError` and does not stop the others or the queue (an adapter's outage must not stall jobs).
 */
export class JobEvents implements JobEventSource {
  private readonly listeners = new Map<JobEventName, Set<JobEventListener<never>>>();

  constructor(private readonly onListenerError: (name: JobEventName, error: unknown) => void) {}

  on<K extends JobEventName>(name: K, listener: JobEventListener<K>): () => void {
    let set = this.listeners.get(name);
    if (!set) this.listeners.set(name, (set = new Set()));
    set.add(listener as JobEventListener<never>);
    return () => set.delete(listener as JobEventListener<never>);
  }

  emit<K extends JobEventName>(name: K, event: JobEventMap[K]): void {
    for (const listener of [...(this.listeners.get(name) ?? [])]) {
      try {
        const result = (listener as JobEventListener<K>)(event);
        if (result instanceof Promise) result.catch((error: unknown) => this.onListenerError(name, error));
      } catch (error) {
        this.onListenerError(name, error);
      }
    }
  }
}

/** The view of a job read back from the database (an ended one, or one another process left). */
export function jobViewOfRecord(record: JobRecord): JobView {
  const parsed = stylizeOptionsSchema.safeParse(record.options);
  return {
    id: record.id,
    platform: record.platform,
    serverId: record.serverId,
    channelId: record.channelId,
    threadId: record.threadId,
    userId: record.userId,
    status: record.status,
    // options a later release refuses: the job failed for it at recovery; the defaults stand in for display
    options: parsed.success ? parsed.data : STYLIZE_DEFAULTS,
    presetName: record.presetName,
    progressStep: record.progressStep,
    totalSteps: record.totalSteps,
    attempts: record.attempts,
    createdAt: record.createdAt,
    startedAt: record.startedAt,
    finishedAt: record.finishedAt,
    replyRef: record.replyRef ?? null,
    parentId: record.parentId,
    followUp: isFollowUp(record.followUp) ? record.followUp : null,
  };
}

export function isFollowUp(value: unknown): value is FollowUpAction {
  return typeof value === 'string' && (FOLLOW_UP_ACTIONS as readonly string[]).includes(value);
}
