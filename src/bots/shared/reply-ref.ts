import type { Json, ReplyRef } from './contract.js';

/**
 * What the core stores as a job's replyRef once it has posted: the conversation and the messages it made
 * there, so that after a restart it edits the same status message. Before that, the stored replyRef is the
 * adapter's own (the conversation the command came from).
 */
export interface StoredReplyRef {
  readonly sb: 1;
  readonly conversation: ReplyRef;
  readonly status: ReplyRef | null;
  readonly result: ReplyRef | null;
  /** the adapter's public reply to the command (edited at start and end); absent when it gave none */
  readonly reply?: ReplyRef;
}

export function isStoredReplyRef(value: unknown): value is StoredReplyRef {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && (value as { sb?: unknown }).sb === 1 && 'conversation' in value;
}

export function storedReplyRef(conversation: ReplyRef, status: ReplyRef | null, result: ReplyRef | null, reply: ReplyRef | null = null): StoredReplyRef & Json {
  return (reply === null ? { sb: 1, conversation, status, result } : { sb: 1, conversation, status, result, reply }) as StoredReplyRef & Json;
}

/** The conversation a replyRef points to: the adapter's own ref, or the one inside the core's envelope. */
export function conversationOf(replyRef: unknown): ReplyRef | null {
  if (replyRef === undefined || replyRef === null) return null;
  return isStoredReplyRef(replyRef) ? replyRef.conversation : (replyRef as ReplyRef);
}
