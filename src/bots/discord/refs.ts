import type { ReplyRef } from '../shared/contract.js';

/**
 * What the Discord adapter stores on a job (through the core) to find its conversation again, also after
 * a restart or long after the interaction token expired: channel and message ids only, never a token.
 */
export interface DiscordConversation {
  readonly v: 1;
  /** the channel (or thread, or DM channel) the public reply is in */
  readonly channelId: string;
  /** the public reply a thread is started on; null: post in the channel itself */
  readonly messageId: string | null;
  /** start a thread on `messageId` at the first post (not in DMs, not inside a thread) */
  readonly startThread: boolean;
  /** the thread's name, taken from the reply's title */
  readonly threadName: string;
}

/** A message the transport made; its channel is also the conversation for later posts. */
export interface DiscordMessageRef {
  readonly v: 1;
  readonly channelId: string;
  readonly messageId: string;
}

export function conversationRef(value: DiscordConversation): ReplyRef {
  return { ...value };
}

export function messageRef(channelId: string, messageId: string): ReplyRef {
  return { v: 1, channelId, messageId } satisfies DiscordMessageRef;
}

const isId = (value: unknown): value is string => typeof value === 'string' && /^\d{1,25}$/.test(value);

/** Reads a conversation or a message reference back; a message's channel is its conversation. */
export function readConversation(ref: ReplyRef): DiscordConversation {
  const value = (ref ?? {}) as Record<string, unknown>;
  if (value['v'] !== 1 || !isId(value['channelId'])) throw new TypeError(`not a Discord conversation reference: ${JSON.stringify(ref)}`);
  const messageId = isId(value['messageId']) ? value['messageId'] : null;
  const startThread = value['startThread'] === true && messageId !== null;
  return { v: 1, channelId: value['channelId'], messageId, startThread, threadName: typeof value['threadName'] === 'string' ? value['threadName'] : '' };
}

export function readMessageRef(ref: ReplyRef): DiscordMessageRef {
  const value = (ref ?? {}) as Record<string, unknown>;
  if (value['v'] !== 1 || !isId(value['channelId']) || !isId(value['messageId'])) throw new TypeError(`not a Discord message reference: ${JSON.stringify(ref)}`);
  return { v: 1, channelId: value['channelId'], messageId: value['messageId'] };
}
