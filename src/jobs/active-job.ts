import type { Size } from '../images/index.js';
import type { StylizeOptions } from '../pipeline/index.js';
import type { JobRecord, NewJob } from '../store/index.js';
import type { Requester } from './access.js';
import type { FollowUpAction } from './events.js';
import type { Conversation } from './requests.js';
import type { QueueEntry } from './scheduler.js';

// The job service's in-memory view of the jobs it holds; private to src/jobs.

/** Why a running job was told to stop. */
export type StopReason = { readonly kind: 'cancel'; readonly by: string } | { readonly kind: 'shutdown' } | { readonly kind: 'lost' };

/** A job this process holds, queued or running, with what its run needs. */
export interface ActiveJob {
  readonly record: JobRecord;
  readonly options: StylizeOptions;
  readonly entry: QueueEntry;
  status: 'queued' | 'running';
  replyRef: unknown;
  progressStep: number;
  totalSteps: number;
  attempts: number;
  startedAt: number | null;
  lastWrite: number;
  lastBeat: number;
  controller?: AbortController;
  /** settles when the database has answered this process's claim */
  claim?: Promise<boolean>;
  stopReason?: StopReason;
  /** a terminal event went out: nothing more is said about this job */
  ended: boolean;
  readonly done: Promise<void>;
  finish(): void;
}

/** A job that passed its option checks, on its way into the queue. */
export interface Admission {
  readonly requester: Requester;
  readonly conversation: Conversation;
  readonly options: StylizeOptions;
  readonly styleCount: number;
  readonly presetName: string | null;
  readonly parentId: string | null;
  readonly followUp: FollowUpAction | null;
  /** the content's upload size when its header could be read: the plan (total steps) depends on it */
  readonly contentSize: Size | undefined;
  /** writes the pictures; returns the input rows and the files it newly created */
  readonly storeInputs: () => Promise<{ inputs: NewJob['inputs']; created: string[] }>;
}
