import type { ReplyRef } from '../shared/contract.js';

/**
 * Where a job's conversation lives in Slack: a channel and the thread's root ts; a message ref also has
 * the message's own ts. All plain JSON, so it survives the database and restarts.
 */
// a type, not an interface: only type literals are assignable to the core's Json
export type SlackRef = {
  readonly channel: string;
  /** the thread root; null: the channel itself (the first post starts the thread) */
  readonly thread: string | null;
  /** the message this ref points at, when it points at one */
  readonly ts?: string;
};

export function slackRef(channel: string, thread: string | null, ts?: string): SlackRef {
  return ts === undefined ? { channel, thread } : { channel, thread, ts };
}

/** Reads back a ref this adapter made; anything else is a programming error upstream. */
export function readRef(ref: ReplyRef): SlackRef {
  if (ref && typeof ref === 'object' && !Array.isArray(ref)) {
    const r = ref as Record<string, unknown>;
    if (typeof r.channel === 'string' && (r.thread === null || typeof r.thread === 'string')) {
      return slackRef(r.channel, r.thread as string | null, typeof r.ts === 'string' ? r.ts : undefined);
    }
  }
  throw new TypeError(`not a Slack reply reference: ${JSON.stringify(ref)}`);
}
