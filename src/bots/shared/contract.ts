/**
 * The contract between the platform-neutral bot core (this folder) and the platform adapters
 * (src/bots/discord, src/bots/slack, src/bots/web). Only plain data and small interfaces live here: no
 * discord.js, Bolt or HTTP types. An adapter parses its platform's event into a `Command` and an `Actor`,
 * calls the core's `handle`, and renders the `Reply` it gets back; job updates arrive later through the
 * `Transport` the adapter registers.
 */

/** JSON that survives a trip through the database. */
export type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json };

/**
 * An adapter's opaque pointer to where a job's conversation lives (a channel + thread + message, a Slack
 * channel + thread_ts, a web session). The core stores it on the job and hands it back on every update,
 * also after a restart, so it must be JSON and must not hold secrets (interaction tokens expire anyway:
 * store what is needed to fall back to the bot's own channel messages).
 */
export type ReplyRef = Json;

export type PlatformName = 'discord' | 'slack' | 'web';

/** Who is asking, and where. Filled by the adapter from the platform event. */
export interface Actor {
  readonly platform: PlatformName;
  /** guild / team id; in DMs `dmServerId(userId)`, never a shared constant */
  readonly serverId: string;
  readonly channelId: string;
  /** the thread the command was typed in, if any */
  readonly threadId: string | null;
  readonly userId: string;
  /** for display only ("queued for Ada") */
  readonly displayName?: string;
  /** Manage Server on Discord, workspace admin on Slack, the local user on the web page */
  readonly isAdmin: boolean;
  /** Manage Messages on Discord (may cancel others' jobs, see the server's queue) */
  readonly isModerator: boolean;
  /** the platform's upload limit for this conversation, bytes (Discord sends it per interaction) */
  readonly uploadLimitBytes?: number;
}

/** A DM has no server: each user's DMs are a server of their own, so limits and budgets stay per user. */
export function dmServerId(userId: string): string {
  return `dm-${userId}`;
}

/**
 * A file the user attached, not yet downloaded. The declared size and type are checked before `open` is
 * called; the core enforces the byte cap while streaming and a time limit through `signal`.
 */
export interface Attachment {
  readonly name: string;
  /** bytes as the platform declares them; null when unknown */
  readonly declaredBytes: number | null;
  /** MIME type as the platform declares it; null when unknown */
  readonly declaredType: string | null;
  /**
   * Starts the download. The adapter refuses foreign hosts here (throwing `AttachmentRefused`-style errors
   * of the core, see attachments.ts) without making a request.
   */
  open(signal: AbortSignal): Promise<AsyncIterable<Uint8Array>>;
}

/** Follow-ups of a finished job: each makes a new job linked to its parent. */
export type FollowUpAction = 'seed' | 'style' | 'content' | 'upscale';

/** Raw options as typed by the user: option name (as the descriptors spell it) -> text. */
export type RawOptions = Readonly<Record<string, string>>;

export type PresetCommand =
  | { readonly op: 'save'; readonly name: string; readonly options: RawOptions }
  | { readonly op: 'saveFromJob'; readonly name: string; readonly jobId: string }
  | { readonly op: 'list' }
  | { readonly op: 'show'; readonly name: string }
  | { readonly op: 'delete'; readonly name: string }
  /** name null clears the default */
  | { readonly op: 'default'; readonly name: string | null }
  | { readonly op: 'share'; readonly name: string }
  | { readonly op: 'import'; readonly code: string; readonly name?: string };

export type SettingsCommand =
  | { readonly op: 'show' }
  /** limits: limit key -> number text or 'default'; defaults: raw options for the server's jobs */
  | { readonly op: 'set'; readonly limits?: RawOptions; readonly defaults?: RawOptions }
  | { readonly op: 'reset' };

/**
 * Community style challenges (src/challenges). `start` is for server admins (Actor.isAdmin), `end` for
 * moderators and admins; the rest for every member. A challenge is found by id, else it is the server's
 * open one (the one of this channel when there are several).
 */
export type ChallengeCommand =
  | {
      readonly op: 'start';
      readonly style: Attachment;
      readonly title: string;
      /** `2d`, `6h`, `90m`, `1d12h` */
      readonly duration: string;
      /** locked for every entry */
      readonly options: RawOptions;
      readonly preset?: string;
      /** where the announcement is; the challenge's conversation until the adapter binds another (bindChallenge) */
      readonly replyRef: ReplyRef;
    }
  | { readonly op: 'submit'; readonly content: Attachment; readonly challengeId?: string; readonly replyRef: ReplyRef }
  /** the Vote button of an entry (actions.ts `vote`) */
  | { readonly op: 'vote'; readonly entryId: string }
  | { readonly op: 'leaderboard'; readonly challengeId?: string }
  | { readonly op: 'end'; readonly challengeId?: string }
  | { readonly op: 'list' };

/** Everything a user can ask for, as data. */
export type Command =
  | {
      readonly kind: 'stylize';
      readonly content: Attachment;
      /** 1 to 8 */
      readonly styles: readonly Attachment[];
      readonly options: RawOptions;
      readonly preset?: string;
      /** where the job's updates go; the adapter's pointer to the conversation */
      readonly replyRef: ReplyRef;
      /** the platform's delivery id, so that a redelivered command never makes a second job */
      readonly deliveryId?: string;
    }
  | { readonly kind: 'followUp'; readonly action: FollowUpAction; readonly jobId: string; readonly replyRef: ReplyRef }
  | { readonly kind: 'cancel'; readonly jobId: string }
  | { readonly kind: 'job'; readonly jobId: string; readonly full?: boolean }
  | { readonly kind: 'queue'; readonly scope: 'mine' | 'server' }
  | { readonly kind: 'history'; readonly cursor?: string }
  | ({ readonly kind: 'preset' } & PresetCommand)
  | ({ readonly kind: 'settings' } & SettingsCommand)
  | ({ readonly kind: 'challenge' } & ChallengeCommand);

export type CommandKind = Command['kind'];

/** A picture or file to show with a message. Bytes are given, or fetched by the adapter from `url`. */
export interface ImageRef {
  readonly role: 'result' | 'gif' | 'plot' | 'preview' | 'content' | 'style';
  /** file name with extension, e.g. `stylebot-abc12345.png` */
  readonly name: string;
  readonly contentType: 'image/png' | 'image/gif' | 'image/jpeg' | 'image/webp';
  readonly bytes: Uint8Array;
  /** short alt text for screen readers */
  readonly alt: string;
}

/** A button. `id` is an encoded action (actions.ts): the same string on every platform. */
export interface ActionButton {
  readonly id: string;
  readonly label: string;
  readonly style: 'primary' | 'secondary' | 'danger';
  /** the adapter asks for a text first (Discord modal, Slack modal, web prompt), e.g. a preset name */
  readonly asksFor?: { readonly label: string; readonly placeholder?: string; readonly maxLength: number };
}

export interface MessageField {
  readonly name: string;
  readonly value: string;
  readonly inline?: boolean;
}

/** One message as data. Adapters render it as an embed, Block Kit blocks or HTML. */
export interface MessageParts {
  readonly tone: 'info' | 'progress' | 'success' | 'warning' | 'error';
  readonly title: string;
  /** plain text with light markdown (**bold**, `code`, line breaks); adapters convert */
  readonly body?: string;
  readonly fields?: readonly MessageField[];
  readonly images?: readonly ImageRef[];
  readonly actions?: readonly ActionButton[];
  /** small print: job id, attribution */
  readonly footer?: string;
}

/** What a handler answers. */
export interface Reply {
  /** private: only the actor sees it (Discord ephemeral, Slack ephemeral / modal error, web response) */
  readonly visibility: 'private' | 'public';
  readonly message: MessageParts;
  /**
   * Per-input problems for forms (Slack modal `response_action: errors`, web form): key is an option name
   * as the descriptors spell it, or 'content' / 'style' / 'style2' / 'preset'.
   */
  readonly fieldErrors?: Readonly<Record<string, string>>;
  /** set when the command made a job (stylize, follow-up): its updates follow through the Transport */
  readonly jobId?: string;
  /**
   * with `jobId`, when the command made the job: the name for the job's thread (Discord), which, unlike
   * `message.title`, does not go stale as the job moves on
   */
  readonly threadTitle?: string;
  /** choices for autocomplete-like answers (preset names) */
  readonly choices?: readonly { readonly name: string; readonly value: string }[];
  /** paginated answers (history): pass as the command's `cursor` for the next page; absent on the last */
  readonly nextCursor?: string;
  /** set when the command started a challenge: bind its conversation (the thread on this reply) with `bindChallenge` */
  readonly challengeId?: string;
}

/** A file to upload with a message. */
export type FileUpload = ImageRef;

/**
 * Thrown by a Transport. `retryable` errors (429, 5xx, timeouts, dropped sockets) are retried by the core
 * with backoff (honouring `retryAfterMs`); others (unknown channel, missing permission) are logged once
 * and the job goes on: an adapter's outage never stalls the queue, and results stay retrievable by id.
 */
export class TransportError extends Error {
  override readonly name = 'TransportError';
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly retryAfterMs?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * What each adapter implements so the core can tell a job's story after the command returned. Each call
 * returns a durable reference to the message it made or changed, which also identifies its conversation
 * (channel + thread): the core stores the references on the job, so after a restart it still edits the
 * right message and posts in the right thread.
 *
 * The story of a job: the command's Reply (public, with `jobId`) is rendered by the adapter as its answer
 * (Discord: the deferred interaction reply, then a thread on it; Slack: a channel message; web: the HTTP
 * response). The adapter then calls `core.bind(jobId, conversation)`. The core posts ONE status message in
 * that conversation and edits it (queued position and ETA, progress at most every 5 s with a preview,
 * cancelled / failed in place), then uploads the result, GIF and loss plot with the card and follow-up
 * buttons. Without a bind (the adapter died in between), the command's `replyRef` is the conversation.
 */
export interface Transport {
  readonly platform: PlatformName;
  /** posts a new message in the job's conversation (its thread when there is one; the adapter makes the thread on the first post) */
  post(conversation: ReplyRef, message: MessageParts): Promise<ReplyRef>;
  /** replaces a message posted earlier (`message` is what post/upload returned) */
  edit(message: ReplyRef, parts: MessageParts): Promise<ReplyRef>;
  /** posts a message with files in the job's conversation */
  upload(conversation: ReplyRef, parts: MessageParts, files: readonly FileUpload[]): Promise<ReplyRef>;
}

/** The core as an adapter sees it. Built once by the composition root (src/main.ts). */
export interface BotCore {
  /** every command of every platform goes through here; never throws for a user's mistake */
  handle(command: Command, actor: Actor): Promise<Reply>;
  /** preset names of the actor starting with `prefix` (autocomplete), at most 25 */
  presetChoices(actor: Actor, prefix: string): Promise<ReadonlyArray<{ readonly name: string; readonly value: string }>>;
  /** job updates of `transport.platform` go through this transport from now on; returns the unregister function */
  attach(transport: Transport): () => void;
  /**
   * Where a job's updates go, once the adapter has shown the command's reply: a reference that `post` and
   * `upload` accept as the conversation (e.g. the thread made on the reply). Updates that came before are
   * delivered then (the latest state only). `reply`, when given, is the adapter's public reply itself (a
   * reference `edit` accepts): the core edits it once when the job starts and once at its end, to a short
   * line without buttons, so that it never keeps a stale queue place or a Cancel that no longer applies.
   */
  bind(jobId: string, conversation: ReplyRef, reply?: ReplyRef): Promise<void>;
  /** Where a new challenge's entries and winners are posted: like `bind`, for a reply with `challengeId`. */
  bindChallenge?(challengeId: string, conversation: ReplyRef): Promise<void>;
}

/** What the composition root gives every adapter. */
export interface AdapterContext {
  readonly core: BotCore;
  readonly logger: import('pino').Logger;
}

/** A running platform connection, started and stopped by the composition root. */
export interface PlatformAdapter {
  readonly name: PlatformName;
  start(): Promise<void>;
  /** stops taking commands; pending updates may still be delivered until the job service closes */
  stop(): Promise<void>;
}
