import type { REST } from 'discord.js';
import { LRUCache } from 'lru-cache';
import { Routes, type APIChannel, type APIMessage } from 'discord-api-types/v10';
import type { Logger } from 'pino';
import type { FileUpload, MessageParts, ReplyRef, Transport } from '../shared/contract.js';
import { discordCode, DISCORD_CODES, loggableError, toTransportError } from './errors.js';
import { messageRef, readConversation, readMessageRef, type DiscordConversation } from './refs.js';
import { renderMessage, restBody } from './render.js';

const THREAD_NAME_MAX = 100;
/** a day: threads of jobs that run long stay open while the job is told */
const THREAD_AUTO_ARCHIVE_MINUTES = 1440;

/**
 * Job updates over the bot's own channel-message REST routes (bot token), never the interaction's webhook
 * token: those routes work as long as the bot is in the channel, so a job queued for an hour, or resumed
 * after a restart, still ends in its thread. The first post on a conversation starts the thread on the
 * public reply; a thread started on a message has that message's id, so the thread is found again from
 * the stored reference alone.
 */
export class DiscordTransport implements Transport {
  readonly platform = 'discord' as const;
  /**
   * message id -> the channel the conversation's posts go to (the thread once it exists). Bounded: a
   * forgotten entry costs one refused thread start (Discord answers that it exists) at the next post.
   */
  private readonly threads = new LRUCache<string, Promise<string>>({ max: 2000 });

  constructor(
    private readonly rest: REST,
    private readonly log: Logger,
  ) {}

  async post(conversation: ReplyRef, message: MessageParts): Promise<ReplyRef> {
    return this.send(conversation, message, [], 'posting a message');
  }

  async upload(conversation: ReplyRef, parts: MessageParts, files: readonly FileUpload[]): Promise<ReplyRef> {
    return this.send(conversation, parts, files, 'uploading files');
  }

  async edit(message: ReplyRef, parts: MessageParts): Promise<ReplyRef> {
    const ref = readMessageRef(message);
    const { body, files } = restBody(renderMessage(parts));
    try {
      await this.rest.patch(Routes.channelMessage(ref.channelId, ref.messageId), { body, files });
    } catch (error) {
      throw toTransportError(error, `editing message ${ref.messageId}`);
    }
    return messageRef(ref.channelId, ref.messageId);
  }

  private async send(conversation: ReplyRef, parts: MessageParts, uploads: readonly FileUpload[], what: string): Promise<ReplyRef> {
    const channelId = await this.channelOf(readConversation(conversation));
    const { body, files } = restBody(renderMessage(parts, uploads));
    try {
      const created = (await this.rest.post(Routes.channelMessages(channelId), { body, files })) as APIMessage;
      return messageRef(channelId, created.id);
    } catch (error) {
      throw toTransportError(error, `${what} in channel ${channelId}`);
    }
  }

  /** Where a conversation's posts go: its thread (started now if need be), or the channel itself. */
  private channelOf(conversation: DiscordConversation): Promise<string> {
    if (!conversation.startThread || conversation.messageId === null) return Promise.resolve(conversation.channelId);
    const key = conversation.messageId;
    let thread = this.threads.get(key);
    if (!thread) {
      thread = this.startThread(conversation);
      this.threads.set(key, thread);
      // a failed start is tried again at the next post
      thread.catch(() => this.threads.delete(key));
    }
    return thread;
  }

  private async startThread(conversation: DiscordConversation): Promise<string> {
    const messageId = conversation.messageId!;
    try {
      const thread = (await this.rest.post(Routes.threads(conversation.channelId, messageId), {
        body: { name: threadName(conversation.threadName, messageId), auto_archive_duration: THREAD_AUTO_ARCHIVE_MINUTES },
      })) as APIChannel;
      return thread.id;
    } catch (error) {
      const code = discordCode(error);
      // started before (by this process before a restart, or a post whose answer was lost)
      if (code === DISCORD_CODES.threadExists) return messageId;
      // a channel without threads (a thread itself, a DM, a voice chat): the story goes in the channel
      if (code === DISCORD_CODES.wrongChannelType) {
        this.log.info({ channel: conversation.channelId, err: loggableError(error) }, 'no thread possible here; posting in the channel');
        return conversation.channelId;
      }
      throw toTransportError(error, `starting a thread on message ${messageId}`);
    }
  }
}

function threadName(title: string, fallback: string): string {
  // markdown marks of a message title (thread names show none); `_` stays, file names are full of it
  const name = title.replace(/[*`~|>]/g, '').replace(/\s+/g, ' ').trim() || fallback;
  return name.length <= THREAD_NAME_MAX ? name : `${name.slice(0, THREAD_NAME_MAX - 1)}…`;
}
