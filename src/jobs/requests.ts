import type { StylizeOptionsInput } from '../pipeline/index.js';
import type { Requester } from './access.js';
import type { FollowUpAction, JobView } from './events.js';

// What adapters send to the job service and what it answers, apart from the service that does the work.

/** The most style images one job may blend (the options schema allows as many blend weights). */
export const MAX_STYLE_IMAGES = 8;

/** Where a job was asked for, and so where its events go. */
export interface Conversation {
  readonly channelId: string;
  readonly threadId?: string | null;
  /** the adapter's opaque JSON pointer to the conversation, echoed on every event of the job */
  readonly replyRef?: unknown;
  /** the platform's upload limit here, bytes: every output of the job is kept under it */
  readonly uploadLimitBytes?: number;
}

export interface SubmitRequest extends Requester, Conversation {
  /** the encoded content picture as uploaded */
  readonly content: Uint8Array;
  /** encoded style pictures, 1 to MAX_STYLE_IMAGES */
  readonly styles: readonly Uint8Array[];
  /** the options the user typed: the strongest layer */
  readonly options?: StylizeOptionsInput;
  /** a preset of this user to apply below the typed options */
  readonly presetName?: string;
}

export interface FollowUpRequest extends Conversation {
  readonly parentId: string;
  readonly action: FollowUpAction;
}

export interface JobPosition {
  readonly job: JobView;
  /** 1 = next to start; 0 = running; null = ended */
  readonly position: number | null;
  readonly startsInSeconds: number | null;
  /** until the result is ready; null = ended */
  readonly etaSeconds: number | null;
}

export interface HistoryPage {
  /** newest first */
  readonly jobs: readonly JobView[];
  /** pass to the next call for the page after this one; null at the end */
  readonly nextCursor: string | null;
}

export interface JobResultFiles {
  readonly png: Buffer;
  readonly gif: Buffer;
  readonly plot: Buffer;
}
