import type { Command, FollowUpAction, ReplyRef } from './contract.js';

/**
 * Buttons carry their meaning in one string shared by every platform (Discord custom ids, Slack action ids,
 * web form posts): `sb1:<action>:<subject>`. The version prefix lets a later release change the format
 * while buttons of old messages still decode (or are refused with a clear answer instead of misread), and
 * Discord caps custom ids at 100 characters.
 */
export const ACTION_VERSION = 1;
export const ACTION_MAX_LENGTH = 100;
const PREFIX = `sb${ACTION_VERSION}`;

/** What a button of a job does; `vote` is reserved for challenge entries. */
export const JOB_ACTIONS = ['cancel', 'seed', 'style', 'content', 'upscale', 'save', 'card'] as const;
export type JobAction = (typeof JOB_ACTIONS)[number];
export const RESERVED_ACTIONS = ['vote'] as const;
export type ButtonAction = JobAction | (typeof RESERVED_ACTIONS)[number];

const ACTIONS: ReadonlySet<string> = new Set<string>([...JOB_ACTIONS, ...RESERVED_ACTIONS]);
/** job ids and challenge entry ids: short, typeable, no separators */
const SUBJECT = /^[a-z0-9][a-z0-9_-]{2,63}$/i;

export interface DecodedAction {
  readonly action: ButtonAction;
  /** the job id (or the entry id of a vote) */
  readonly subject: string;
}

export type ActionProblem = 'foreign' | 'version' | 'action' | 'subject' | 'length';

export class ActionCodecError extends Error {
  override readonly name = 'ActionCodecError';
  constructor(readonly problem: ActionProblem, readonly text: string) {
    super(`action id ${JSON.stringify(text.slice(0, ACTION_MAX_LENGTH + 1))}: ${problem}`);
  }
}

export function encodeAction(action: ButtonAction, subject: string): string {
  if (!ACTIONS.has(action)) throw new ActionCodecError('action', action);
  if (!SUBJECT.test(subject)) throw new ActionCodecError('subject', subject);
  const id = `${PREFIX}:${action}:${subject}`;
  if (id.length > ACTION_MAX_LENGTH) throw new ActionCodecError('length', id);
  return id;
}

/** The button's action and subject; throws ActionCodecError for ids that are not ours, of another version, or garbled. */
export function decodeAction(id: string): DecodedAction {
  if (id.length > ACTION_MAX_LENGTH) throw new ActionCodecError('length', id);
  const parts = id.split(':');
  if (!/^sb\d+$/.test(parts[0] ?? '')) throw new ActionCodecError('foreign', id);
  if (parts[0] !== PREFIX) throw new ActionCodecError('version', id);
  if (parts.length !== 3) throw new ActionCodecError('subject', id);
  const [, action, subject] = parts as [string, string, string];
  if (!ACTIONS.has(action)) throw new ActionCodecError('action', id);
  if (!SUBJECT.test(subject)) throw new ActionCodecError('subject', id);
  return { action: action as ButtonAction, subject };
}

export function isOurAction(id: string): boolean {
  return /^sb\d+:/.test(id);
}

const FOLLOW_UPS: ReadonlySet<string> = new Set<FollowUpAction>(['seed', 'style', 'content', 'upscale']);

export interface ActionContext {
  /** where a follow-up job's updates go (the conversation the button was pressed in) */
  readonly replyRef: ReplyRef;
  /** what the user typed when the button asked for a text (`save`: the preset name) */
  readonly input?: string;
}

/**
 * The command a pressed button stands for, so adapters only decode and hand over. A `save` without its
 * name (the adapter did not ask) becomes a preset save with an empty name, which the core refuses in words.
 */
export function commandForAction(id: string, context: ActionContext): Command {
  const { action, subject } = decodeAction(id);
  if (action === 'cancel') return { kind: 'cancel', jobId: subject };
  if (action === 'card') return { kind: 'job', jobId: subject, full: true };
  if (action === 'save') return { kind: 'preset', op: 'saveFromJob', name: context.input ?? '', jobId: subject };
  if (FOLLOW_UPS.has(action)) return { kind: 'followUp', action: action as FollowUpAction, jobId: subject, replyRef: context.replyRef };
  if (action === 'vote') return { kind: 'challenge', op: 'vote', entryId: subject };
  throw new ActionCodecError('action', id);
}
