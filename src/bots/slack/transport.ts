import type { webApi } from '@slack/bolt';
import { LRUCache } from 'lru-cache';
import type { FileUpload, MessageParts, ReplyRef, Transport } from '../shared/contract.js';
import { messagePayload } from './blocks.js';
import { readRef, slackRef, type SlackRef } from './refs.js';
import { toTransportError } from './web-errors.js';

/**
 * The core's Transport on the Web API: messages with chat.postMessage / chat.update, files with the upload
 * v2 flow (files.getUploadURLExternal, the upload, files.completeUploadExternal into the thread), then the
 * card with its buttons as a message below the files. The client must not retry on its own: the core
 * retries with backoff, honouring Retry-After, so that a rate-limited job never blocks the others.
 */
export class SlackTransport implements Transport {
  readonly platform = 'slack' as const;
  /**
   * Files already shared in a thread by an upload whose card then failed: the core's retry posts only the
   * card, so a flaky chat.postMessage never doubles the files in the thread.
   */
  private readonly shared = new LRUCache<string, true>({ max: 500 });

  constructor(private readonly client: webApi.WebClient) {}

  async post(conversation: ReplyRef, message: MessageParts): Promise<ReplyRef> {
    const where = readRef(conversation);
    const thread = threadOf(where);
    const answer = await this.call('chat.postMessage', () =>
      this.client.chat.postMessage({ channel: where.channel, ...(thread ? { thread_ts: thread } : {}), ...messagePayload(message), unfurl_links: false }),
    );
    const ts = answer.ts!;
    return slackRef(where.channel, thread ?? ts, ts);
  }

  async edit(message: ReplyRef, parts: MessageParts): Promise<ReplyRef> {
    const ref = readRef(message);
    if (ref.ts === undefined) throw new TypeError('chat.update needs a message reference');
    await this.call('chat.update', () => this.client.chat.update({ channel: ref.channel, ts: ref.ts!, ...messagePayload(parts) }));
    return ref;
  }

  async upload(conversation: ReplyRef, parts: MessageParts, files: readonly FileUpload[]): Promise<ReplyRef> {
    const where = readRef(conversation);
    const thread = threadOf(where);
    const key = `${where.channel}:${thread ?? ''}:${files.map((f) => f.name).join('|')}`;
    if (files.length > 0 && !this.shared.has(key)) {
      await this.call('files.uploadV2', () =>
        this.client.filesUploadV2({
          channel_id: where.channel,
          ...(thread ? { thread_ts: thread } : {}),
          file_uploads: files.map((f) => ({ file: Buffer.from(f.bytes), filename: f.name, title: f.name, alt_text: f.alt })),
        } as webApi.FilesUploadV2Arguments),
      );
      this.shared.set(key, true);
    }
    const card = await this.post(thread ? slackRef(where.channel, thread) : where, parts);
    this.shared.delete(key);
    return card;
  }

  private async call<T>(method: string, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      throw toTransportError(method, error);
    }
  }
}

function threadOf(ref: SlackRef): string | null {
  return ref.thread ?? ref.ts ?? null;
}
