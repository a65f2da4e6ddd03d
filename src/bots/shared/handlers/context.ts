import type { Logger } from 'pino';
import type { DecodeLimits } from '../../../images/index.js';
import type { Actor, Command, CommandKind, Reply, ReplyRef } from '../contract.js';
import type { Requester } from '../jobs-types.js';
import type { JobsPort } from '../ports.js';
import type { Timers } from '../timers.js';

/** What every handler gets: the job service, time, limits, and the core's own memory. */
export interface HandlerDeps {
  readonly jobs: JobsPort;
  readonly logger: Logger;
  readonly timers: Timers;
  readonly attachments: { readonly maxBytes: number; readonly timeoutMs: number; readonly decode: Partial<DecodeLimits> };
  readonly historyPageSize: number;
  /** the reply of a recent delivery id, so a redelivered command answers the same and makes no second job */
  readonly deliveries: { get(key: string): Promise<Reply> | undefined; set(key: string, reply: Promise<Reply>): void; delete(key: string): void };
  /**
   * Says that the adapter will bind this job's conversation after showing the reply. Every new job's
   * updates already wait for the bind (up to `bindWaitMs`, then `replyRef` is the conversation); handlers
   * that make jobs call it so the intent stays explicit if that default changes.
   */
  readonly expectBind: (jobId: string, replyRef: ReplyRef) => void;
}

export type Handler<K extends CommandKind> = (command: Extract<Command, { kind: K }>, actor: Actor, deps: HandlerDeps) => Promise<Reply>;

export type HandlerTable = { readonly [K in CommandKind]: Handler<K> };

/** The job service's view of the actor. Moderators count as admins where cancelling is concerned (see cancel). */
export function requesterOf(actor: Actor): Requester {
  return { platform: actor.platform, serverId: actor.serverId, userId: actor.userId, isAdmin: actor.isAdmin };
}

export function ownerOf(actor: Actor): { platform: string; userId: string } {
  return { platform: actor.platform, userId: actor.userId };
}
