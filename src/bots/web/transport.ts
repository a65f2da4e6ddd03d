import { randomUUID } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { FileUpload, MessageParts, ReplyRef, Transport } from '../shared/contract.js';
import { renderMessage, type FileShelf, type PageMessage } from './render.js';

/**
 * The web page's conversation: one per submitted job (a follow-up gets its own). It is the `replyRef`
 * stored with the job, so after a restart the core's updates still find their place on the page.
 */
export type WebConversation = { readonly web: string };

export type WebMessageRef = { readonly web: string; readonly message: string };

/** What the page's event stream carries: one message made or replaced in one conversation. */
export interface PageEvent {
  readonly conversation: string;
  readonly jobId: string | null;
  readonly messageId: string;
  readonly op: 'post' | 'edit' | 'upload';
  readonly message: PageMessage;
}

interface ConversationState {
  jobId: string | null;
  readonly createdAt: number;
  /** in the order posted; an edit replaces in place */
  readonly messages: Map<string, PageMessage>;
}

export function newConversation(): WebConversation {
  return { web: randomUUID() };
}

export function conversationId(ref: ReplyRef): string | undefined {
  if (ref !== null && typeof ref === 'object' && !Array.isArray(ref)) {
    const id = (ref as Record<string, unknown>).web;
    if (typeof id === 'string' && id.length > 0 && id.length <= 64) return id;
  }
  return undefined;
}

/**
 * Turns the core's post / edit / upload into page events: every message is kept (recent conversations
 * only) so that a page opened later, or reloaded, shows the same story, and each change is pushed to the
 * open event streams. Nothing here can fail for a network reason, so the core never has to retry.
 */
export class WebTransport implements Transport {
  readonly platform = 'web' as const;
  private readonly conversations: LRUCache<string, ConversationState>;
  private readonly listeners = new Set<(event: PageEvent) => void>();

  constructor(private readonly shelf: FileShelf, maxConversations = 200) {
    this.conversations = new LRUCache<string, ConversationState>({ max: maxConversations });
  }

  /** the job a conversation is about, once the core answered the command */
  link(conversation: WebConversation, jobId: string): void {
    this.state(conversation.web).jobId = jobId;
  }

  subscribe(listener: (event: PageEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** the recent conversations, oldest first, for a page that (re)loads */
  snapshot(): Array<{ conversation: string; jobId: string | null; messages: Array<{ messageId: string; message: PageMessage }> }> {
    return [...this.conversations.entries()]
      .map(([id, state]) => ({ id, state }))
      .sort((a, b) => a.state.createdAt - b.state.createdAt)
      .map(({ id, state }) => ({
        conversation: id,
        jobId: state.jobId,
        messages: [...state.messages].map(([messageId, message]) => ({ messageId, message })),
      }));
  }

  async post(conversation: ReplyRef, parts: MessageParts): Promise<ReplyRef> {
    return this.add(conversation, 'post', renderMessage(parts, this.shelf));
  }

  async upload(conversation: ReplyRef, parts: MessageParts, files: readonly FileUpload[]): Promise<ReplyRef> {
    return this.add(conversation, 'upload', renderMessage(parts, this.shelf, files));
  }

  async edit(ref: ReplyRef, parts: MessageParts): Promise<ReplyRef> {
    const id = conversationId(ref);
    const messageId = (ref as { message?: unknown } | null)?.message;
    if (id === undefined || typeof messageId !== 'string') throw new TypeError('not a web message reference');
    const state = this.state(id);
    const message = renderMessage(parts, this.shelf);
    state.messages.set(messageId, message);
    this.emit({ conversation: id, jobId: state.jobId, messageId, op: 'edit', message });
    return { web: id, message: messageId } satisfies WebMessageRef;
  }

  private add(conversation: ReplyRef, op: 'post' | 'upload', message: PageMessage): WebMessageRef {
    const id = conversationId(conversation);
    if (id === undefined) throw new TypeError('not a web conversation');
    const state = this.state(id);
    const messageId = `${id}.${state.messages.size + 1}`;
    state.messages.set(messageId, message);
    this.emit({ conversation: id, jobId: state.jobId, messageId, op, message });
    return { web: id, message: messageId };
  }

  private state(id: string): ConversationState {
    let state = this.conversations.get(id);
    if (!state) {
      // a conversation from before a restart comes back with its job's next update
      state = { jobId: null, createdAt: Date.now(), messages: new Map() };
      this.conversations.set(id, state);
    }
    return state;
  }

  private emit(event: PageEvent): void {
    for (const listener of [...this.listeners]) listener(event);
  }
}
