import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { EventLog } from './log.js';
import { snowflake } from './snowflake.js';

/**
 * A local Discord that speaks the real wire protocol, for end-to-end tests of the bot with the real
 * discord.js client: REST v10 (JSON and multipart), interaction callbacks and webhook follow-ups with a
 * token lifetime, channel messages and threads, a gateway WebSocket (HELLO, IDENTIFY -> READY,
 * GUILD_CREATE, heartbeats, RESUME, dispatches), `/gateway/bot` and a CDN route for attachments. Faults
 * (429 with retry_after, 5xx, slow answers, dropped sockets) are switched on per test.
 */

export const EPHEMERAL = 64;
const LOADING = 128;
export const PERMISSIONS = { ManageGuild: 1n << 5n, ManageMessages: 1n << 13n, SendMessages: 1n << 11n, ViewChannel: 1n << 10n } as const;
const MEMBER_PERMISSIONS = PERMISSIONS.SendMessages | PERMISSIONS.ViewChannel;

export interface FakeUser {
  readonly id: string;
  readonly username: string;
}

export interface StoredFile {
  readonly id: string;
  readonly filename: string;
  readonly contentType: string | null;
  readonly bytes: Buffer;
  readonly url: string;
}

export interface FakeMessage {
  readonly id: string;
  readonly channelId: string;
  readonly interactionId: string | null;
  /** 'webhook' for interaction responses and follow-ups, 'bot' for channel messages with the bot token */
  readonly via: 'webhook' | 'bot';
  content: string;
  embeds: Array<Record<string, unknown>>;
  components: Array<{ type: number; components: Array<Record<string, unknown>> }>;
  files: StoredFile[];
  flags: number;
  edits: number;
  deleted: boolean;
}

export interface FakeChannel {
  readonly id: string;
  readonly type: number;
  readonly guildId: string | null;
  readonly parentId: string | null;
  readonly name: string;
}

export interface FakeInteraction {
  readonly id: string;
  readonly token: string;
  readonly type: number;
  readonly user: FakeUser;
  readonly channelId: string;
  readonly createdAt: number;
  /** set by expireTokens(): the 15 minutes are over */
  expired: boolean;
  originalId: string | null;
  callback: { type: number; data: Record<string, unknown> | undefined; latencyMs: number } | null;
}

export type LogEntry =
  | { readonly kind: 'request'; readonly method: string; readonly route: string; readonly status: number; readonly fault: boolean }
  | { readonly kind: 'callback'; readonly interaction: FakeInteraction; readonly type: number; readonly latencyMs: number }
  | { readonly kind: 'message'; readonly message: FakeMessage }
  | { readonly kind: 'edit'; readonly message: FakeMessage }
  | { readonly kind: 'delete'; readonly message: FakeMessage }
  | { readonly kind: 'thread'; readonly channel: FakeChannel }
  | { readonly kind: 'commands'; readonly guildId: string | null; readonly commands: unknown[] }
  | { readonly kind: 'cdn'; readonly path: string }
  | { readonly kind: 'gateway'; readonly event: 'connected' | 'identify' | 'resume' | 'heartbeat' | 'closed' | 'resumed' };

export interface Fault {
  readonly method?: string;
  /** matched against the route after /api/v10, e.g. /channels/123/messages */
  readonly path: RegExp;
  /** 429, 500, 502...; omitted: the request is only delayed (with `delayMs`) */
  readonly status?: number;
  /** seconds, for 429 */
  readonly retryAfter?: number;
  /** answer only after this long; a client that gave up by then finds nothing done */
  readonly delayMs?: number;
  /** how many requests it hits, default 1 */
  times?: number;
}

export interface FakeDiscordOptions {
  readonly token?: string;
  readonly applicationId?: string;
  /** how long interaction tokens work, default 15 minutes */
  readonly tokenLifetimeMs?: number;
  /** interactions acknowledged later than this are unknown, as on Discord: 3 s */
  readonly ackDeadlineMs?: number;
  readonly heartbeatIntervalMs?: number;
  /** the per-message upload limit the fake enforces (and sends as attachment_size_limit) */
  readonly uploadLimitBytes?: number;
  /** the slash commands the fake validates invocations against (the committed commands/discord.json) */
  readonly commands?: ReadonlyArray<CommandDefinition>;
}

interface CommandOption {
  readonly name: string;
  readonly type: number;
  readonly options?: readonly CommandOption[];
}
export interface CommandDefinition {
  readonly name: string;
  readonly options?: readonly CommandOption[];
}

export type OptionValue = string | number | boolean | FakeAttachmentRef;
export interface FakeAttachmentRef {
  readonly id: string;
  readonly filename: string;
  readonly size: number;
  readonly url: string;
  readonly proxy_url: string;
  readonly content_type?: string;
  readonly width?: number;
  readonly height?: number;
}

interface Session {
  readonly id: string;
  seq: number;
  readonly buffer: Array<{ s: number; payload: string }>;
}

export interface InvokeOptions {
  readonly user: FakeUser;
  /** null: a DM with the bot */
  readonly guild?: string | null;
  readonly channel?: string;
  readonly permissions?: bigint;
  /** sent as attachment_size_limit; null leaves it out */
  readonly attachmentSizeLimit?: number | null;
}

export class FakeDiscord {
  readonly log = new EventLog<LogEntry>();
  readonly token: string;
  readonly applicationId: string;
  readonly botUser: FakeUser;
  readonly guildId = snowflake();
  readonly channelId = snowflake();
  readonly faults: Fault[] = [];
  readonly channels = new Map<string, FakeChannel>();
  readonly messages = new Map<string, FakeMessage>();
  readonly interactions = new Map<string, FakeInteraction>();
  readonly cdnFiles = new Map<string, { bytes: Buffer; contentType: string }>();
  registeredCommands: unknown[] = [];
  private readonly server = http.createServer((req, res) => void this.handle(req, res));
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly sessions = new Map<string, Session>();
  private socket: { ws: WebSocket; session: Session | null } | null = null;
  private readonly dmChannels = new Map<string, string>();
  private commandDefinitions: ReadonlyArray<CommandDefinition>;
  private baseUrl = '';

  constructor(private readonly options: FakeDiscordOptions = {}) {
    this.token = options.token ?? 'fake-bot-token-SECRET';
    this.applicationId = options.applicationId ?? snowflake();
    this.botUser = { id: this.applicationId, username: 'Stylebot' };
    this.commandDefinitions = options.commands ?? [];
    this.channels.set(this.channelId, { id: this.channelId, type: 0, guildId: this.guildId, parentId: null, name: 'general' });
    this.server.on('upgrade', (req, socket, head) => {
      if (!req.url?.startsWith('/gateway')) return socket.destroy();
      this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws));
    });
  }

  async start(): Promise<this> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** what DISCORD_API_URL is set to: discord.js appends /v10 */
  get apiUrl(): string {
    return `${this.baseUrl}/api`;
  }

  get uploadLimitBytes(): number {
    return this.options.uploadLimitBytes ?? 10 * 1024 * 1024;
  }

  async close(): Promise<void> {
    for (const client of this.wss.clients) client.terminate();
    this.wss.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---------------------------------------------------------------- the user's side

  /** Serves a file from the fake CDN, as an attachment object of an interaction. */
  attachment(filename: string, bytes: Uint8Array, contentType: string | null, extra: { size?: number; width?: number; height?: number; url?: string } = {}): FakeAttachmentRef {
    const id = snowflake();
    const path = `/attachments/${this.channelId}/${id}/${encodeURIComponent(filename)}`;
    this.cdnFiles.set(path, { bytes: Buffer.from(bytes), contentType: contentType ?? 'application/octet-stream' });
    const url = extra.url ?? `${this.baseUrl}${path}`;
    return {
      id,
      filename,
      size: extra.size ?? bytes.byteLength,
      url,
      proxy_url: url,
      ...(contentType === null ? {} : { content_type: contentType }),
      ...(extra.width === undefined ? {} : { width: extra.width, height: extra.height }),
    };
  }

  /** A user runs a slash command. `path` is `stylize` or `preset save`. */
  slash(path: string, values: Record<string, OptionValue>, options: InvokeOptions): FakeInteraction {
    const [name, sub] = path.split(' ') as [string, string | undefined];
    const definition = this.commandDefinitions.find((c) => c.name === name);
    if (!definition) throw new Error(`/${name} is not a registered command`);
    const resolved: Record<string, FakeAttachmentRef> = {};
    const optionsOf = (defs: readonly CommandOption[] | undefined) =>
      Object.entries(values).map(([key, value]) => {
        const def = defs?.find((o) => o.name === key);
        if (!def) throw new Error(`/${path} has no option ${key}`);
        if (def.type === 11) {
          const attachment = value as FakeAttachmentRef;
          resolved[attachment.id] = attachment;
          return { name: key, type: 11, value: attachment.id };
        }
        return { name: key, type: def.type, value };
      });
    let options_: unknown[];
    if (sub) {
      const subDef = definition.options?.find((o) => o.name === sub && o.type === 1);
      if (!subDef) throw new Error(`/${name} has no subcommand ${sub}`);
      options_ = [{ name: sub, type: 1, options: optionsOf(subDef.options) }];
    } else {
      options_ = optionsOf(definition.options);
    }
    const data = { id: snowflake(), name, type: 1, options: options_, ...(Object.keys(resolved).length ? { resolved: { attachments: resolved } } : {}) };
    return this.interact(2, data, options);
  }

  /** A user types in an autocompleted option; resolves with the choices the bot answered. */
  async autocomplete(path: string, option: string, typed: string, options: InvokeOptions): Promise<Array<{ name: string; value: string }>> {
    const [name, sub] = path.split(' ') as [string, string | undefined];
    const focused = [{ name: option, type: 3, value: typed, focused: true }];
    const data = { id: snowflake(), name, type: 1, options: sub ? [{ name: sub, type: 1, options: focused }] : focused };
    const interaction = this.interact(4, data, options);
    const callback = await this.acknowledged(interaction);
    if (callback.type !== 8) throw new Error(`autocomplete answered with callback type ${callback.type}`);
    return (callback.interaction.callback!.data as { choices: Array<{ name: string; value: string }> }).choices;
  }

  /** A user presses a button of a message. */
  click(message: FakeMessage, customId: string, options: InvokeOptions): FakeInteraction {
    const exists = message.components.some((row) => row.components.some((c) => c['custom_id'] === customId));
    if (!exists) throw new Error(`message ${message.id} has no button ${customId}`);
    return this.interact(3, { custom_id: customId, component_type: 2 }, { ...options, channel: message.channelId }, this.messageJson(message));
  }

  /** A user submits the modal the bot showed in answer to `opener`. */
  submitModal(opener: FakeInteraction, values: Record<string, string>, options: InvokeOptions): FakeInteraction {
    const modal = opener.callback;
    if (modal?.type !== 9) throw new Error('the bot showed no modal');
    const customId = String(modal.data!['custom_id']);
    const components = Object.entries(values).map(([id, value]) => ({ type: 1, components: [{ type: 4, custom_id: id, value }] }));
    return this.interact(5, { custom_id: customId, components }, { ...options, channel: opener.channelId });
  }

  /** The first callback of an interaction (defer, reply, modal, autocomplete result). */
  acknowledged(interaction: FakeInteraction): Promise<Extract<LogEntry, { kind: 'callback' }>> {
    return this.log.waitFor((e): e is Extract<LogEntry, { kind: 'callback' }> => e.kind === 'callback' && e.interaction === interaction, `the callback of interaction ${interaction.id}`);
  }

  /** The next message matching `match` (created or edited), past or future. */
  async message(match: (m: FakeMessage) => boolean, what = 'a message'): Promise<FakeMessage> {
    const entry = await this.log.waitFor((e) => (e.kind === 'message' || e.kind === 'edit') && !e.message.deleted && match(e.message), what);
    return (entry as { message: FakeMessage }).message;
  }

  /** Messages of an interaction (its original response and follow-ups) that still exist. */
  messagesOf(interaction: FakeInteraction): FakeMessage[] {
    return [...this.messages.values()].filter((m) => m.interactionId === interaction.id && !m.deleted);
  }

  /** Messages of a channel or thread, oldest first. */
  messagesIn(channelId: string): FakeMessage[] {
    return [...this.messages.values()].filter((m) => m.channelId === channelId && !m.deleted);
  }

  /** Ends every interaction token's life now: the 15 minutes are over. */
  expireTokens(): void {
    for (const interaction of this.interactions.values()) interaction.expired = true;
  }

  /**
   * Drops the gateway connection without a close frame; resolves when the client has resumed. `whileDown`
   * runs before the client can reconnect: what it dispatches waits in the session's buffer for the RESUME.
   */
  async dropSocket(whileDown?: () => void): Promise<void> {
    const current = this.socket;
    if (!current) throw new Error('no gateway connection to drop');
    const resumed = this.log.entries.length;
    current.ws.terminate();
    this.socket = null;
    whileDown?.();
    await this.log.waitFor((e) => e.kind === 'gateway' && e.event === 'resumed' && this.log.entries.indexOf(e) >= resumed, 'the client to resume');
  }

  ready(): Promise<unknown> {
    return this.log.waitFor((e) => e.kind === 'gateway' && e.event === 'identify', 'the bot to identify');
  }

  private interact(type: number, data: Record<string, unknown>, options: InvokeOptions, message?: Record<string, unknown>): FakeInteraction {
    const guildId = options.guild === undefined ? this.guildId : options.guild;
    const channelId = guildId === null ? this.dmChannelOf(options.user) : (options.channel ?? this.channelId);
    const channel = this.channels.get(channelId)!;
    const interaction: FakeInteraction = { id: snowflake(), token: `itoken-${snowflake()}`, type, user: options.user, channelId, createdAt: Date.now(), expired: false, originalId: null, callback: null };
    this.interactions.set(interaction.id, interaction);
    const userJson = this.userJson(options.user);
    const permissions = String(options.permissions ?? MEMBER_PERMISSIONS);
    const limit = options.attachmentSizeLimit === undefined ? this.uploadLimitBytes : options.attachmentSizeLimit;
    this.dispatch('INTERACTION_CREATE', {
      id: interaction.id,
      application_id: this.applicationId,
      type,
      data,
      token: interaction.token,
      version: 1,
      locale: 'en-US',
      app_permissions: String(MEMBER_PERMISSIONS | (1n << 38n) | (1n << 35n)),
      entitlements: [],
      authorizing_integration_owners: { '0': guildId ?? undefined, '1': options.user.id },
      context: guildId === null ? 1 : 0,
      channel_id: channelId,
      channel: this.channelJson(channel),
      ...(guildId === null
        ? { user: userJson }
        : { guild_id: guildId, guild_locale: 'en-US', guild: { id: guildId, locale: 'en-US', features: [] }, member: { user: userJson, roles: [], permissions, joined_at: new Date().toISOString(), deaf: false, mute: false, flags: 0 } }),
      ...(limit === null ? {} : { attachment_size_limit: limit }),
      ...(message ? { message } : {}),
    });
    return interaction;
  }

  private dmChannelOf(user: FakeUser): string {
    let id = this.dmChannels.get(user.id);
    if (!id) {
      id = snowflake();
      this.dmChannels.set(user.id, id);
      this.channels.set(id, { id, type: 1, guildId: null, parentId: null, name: '' });
    }
    return id;
  }

  // ---------------------------------------------------------------- gateway

  private onConnection(ws: WebSocket): void {
    this.socket?.ws.terminate();
    const connection = { ws, session: null as Session | null };
    this.socket = connection;
    this.log.push({ kind: 'gateway', event: 'connected' });
    const interval = this.options.heartbeatIntervalMs ?? 41_250;
    ws.send(JSON.stringify({ op: 10, d: { heartbeat_interval: interval }, s: null, t: null }));
    ws.on('message', (raw) => {
      const { op, d } = JSON.parse(String(raw)) as { op: number; d: Record<string, unknown> };
      if (op === 1) {
        this.log.push({ kind: 'gateway', event: 'heartbeat' });
        ws.send(JSON.stringify({ op: 11, d: null, s: null, t: null }));
      } else if (op === 2) {
        if (d['token'] !== this.token) return ws.close(4004, 'Authentication failed.');
        const session: Session = { id: snowflake(), seq: 0, buffer: [] };
        this.sessions.set(session.id, session);
        connection.session = session;
        this.log.push({ kind: 'gateway', event: 'identify' });
        this.dispatch('READY', {
          v: 10,
          user: { ...this.userJson(this.botUser), bot: true, verified: true, flags: 0, mfa_enabled: false },
          guilds: [{ id: this.guildId, unavailable: true }],
          session_id: session.id,
          session_type: 'normal',
          resume_gateway_url: `ws://${new URL(this.baseUrl).host}/gateway`,
          shard: [0, 1],
          application: { id: this.applicationId, flags: 0 },
          private_channels: [],
          presences: [],
          relationships: [],
          guild_join_requests: [],
          user_settings: {},
          geo_ordered_rtc_regions: [],
        });
        this.dispatch('GUILD_CREATE', this.guildJson());
      } else if (op === 6) {
        const session = this.sessions.get(String(d['session_id']));
        if (!session || d['token'] !== this.token) return void ws.send(JSON.stringify({ op: 9, d: false, s: null, t: null }));
        connection.session = session;
        this.log.push({ kind: 'gateway', event: 'resume' });
        const from = Number(d['seq'] ?? 0);
        for (const event of session.buffer.filter((e) => e.s > from)) ws.send(event.payload);
        this.dispatch('RESUMED', {});
        this.log.push({ kind: 'gateway', event: 'resumed' });
      }
    });
    ws.on('close', () => {
      if (this.socket === connection) this.socket = null;
      this.log.push({ kind: 'gateway', event: 'closed' });
    });
  }

  /** Sends a dispatch on the current session; while the socket is down it waits in the resume buffer. */
  private dispatch(t: string, d: unknown): void {
    const session = this.socket?.session ?? [...this.sessions.values()].at(-1);
    if (!session) throw new Error(`no gateway session to dispatch ${t} on: start the bot first`);
    const s = ++session.seq;
    const payload = JSON.stringify({ op: 0, t, s, d });
    session.buffer.push({ s, payload });
    if (this.socket?.session === session && this.socket.ws.readyState === this.socket.ws.OPEN) this.socket.ws.send(payload);
  }

  // ---------------------------------------------------------------- REST

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.baseUrl);
    const method = req.method ?? 'GET';
    const body = await readBody(req);
    if (url.pathname.startsWith('/attachments/')) {
      this.log.push({ kind: 'cdn', path: url.pathname });
      const file = this.cdnFiles.get(url.pathname);
      if (!file) return send(res, 404, { message: 'Not found' });
      res.writeHead(200, { 'content-type': file.contentType, 'content-length': file.bytes.byteLength });
      return void res.end(file.bytes);
    }
    const route = url.pathname.replace(/^\/api\/v10/, '');
    const fault = this.faults.find((f) => (f.method === undefined || f.method === method) && f.path.test(route) && (f.times ?? 1) > 0);
    if (fault) {
      fault.times = (fault.times ?? 1) - 1;
      if (fault.delayMs) {
        await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
        // the client gave up (its timeout): as far as it knows, nothing happened
        if (res.destroyed || req.destroyed) return void this.log.push({ kind: 'request', method, route, status: 0, fault: true });
      }
      if (fault.status !== undefined) {
        this.log.push({ kind: 'request', method, route, status: fault.status, fault: true });
        if (fault.status === 429) {
          const retryAfter = fault.retryAfter ?? 0.05;
          res.setHeader('retry-after', String(retryAfter));
          res.setHeader('x-ratelimit-scope', 'user');
          return send(res, 429, { message: 'You are being rate limited.', retry_after: retryAfter, global: false });
        }
        return send(res, fault.status, { message: '500: Internal Server Error', code: 0 });
      }
    }
    let status = 200;
    let result: unknown;
    try {
      [status, result] = await this.route(method, route, url, req, body);
    } catch (error) {
      [status, result] = error instanceof ApiError ? [error.status, { message: error.message, code: error.code }] : [500, { message: String(error), code: 0 }];
    }
    this.log.push({ kind: 'request', method, route, status, fault: false });
    send(res, status, result);
  }

  private async route(method: string, route: string, url: URL, req: http.IncomingMessage, raw: Buffer): Promise<[number, unknown]> {
    const parts = route.split('/').filter(Boolean).map(decodeURIComponent);
    const isBot = req.headers.authorization === `Bot ${this.token}`;
    const needBot = () => {
      if (!isBot) throw new ApiError(401, 0, '401: Unauthorized');
    };
    const payload = async () => parsePayload(req.headers['content-type'] ?? '', raw);

    if (method === 'GET' && route === '/gateway/bot') {
      needBot();
      return [200, { url: `ws://${new URL(this.baseUrl).host}/gateway`, shards: 1, session_start_limit: { total: 1000, remaining: 999, reset_after: 3600_000, max_concurrency: 1 } }];
    }
    if (method === 'GET' && route === '/users/@me') {
      needBot();
      return [200, { ...this.userJson(this.botUser), bot: true }];
    }
    if (parts[0] === 'applications' && parts[1] === this.applicationId && method === 'PUT' && parts.at(-1) === 'commands') {
      needBot();
      const commands = JSON.parse(raw.toString('utf8')) as unknown[];
      this.registeredCommands = commands;
      this.log.push({ kind: 'commands', guildId: parts[2] === 'guilds' ? parts[3]! : null, commands });
      return [200, commands.map((c) => ({ ...(c as object), id: snowflake(), application_id: this.applicationId, version: snowflake() }))];
    }
    if (parts[0] === 'interactions' && parts[3] === 'callback' && method === 'POST') {
      const interaction = this.interactions.get(parts[1]!);
      if (!interaction || interaction.token !== parts[2]) throw new ApiError(404, 10062, 'Unknown interaction');
      const latencyMs = Date.now() - interaction.createdAt;
      if (latencyMs > (this.options.ackDeadlineMs ?? 3000)) throw new ApiError(404, 10062, 'Unknown interaction');
      if (interaction.callback) throw new ApiError(400, 40060, 'Interaction has already been acknowledged.');
      const { json, files } = await payload();
      const type = Number(json['type']);
      const data = json['data'] as Record<string, unknown> | undefined;
      interaction.callback = { type, data, latencyMs };
      let message: FakeMessage | undefined;
      if (type === 4 || type === 5) {
        message = this.createMessage(interaction.channelId, interaction.id, 'webhook', type === 5 ? { flags: (Number(data?.['flags'] ?? 0) & EPHEMERAL) | LOADING } : (data ?? {}), type === 5 ? [] : files);
        interaction.originalId = message.id;
      } else if (type === 7 && interaction.type === 3) {
        // update the message the button is on
      }
      this.log.push({ kind: 'callback', interaction, type, latencyMs });
      if (url.searchParams.get('with_response') === 'true') {
        return [200, { interaction: { id: interaction.id, type: interaction.type, activity_instance_id: null, response_message_id: message?.id ?? null, response_message_loading: type === 5, response_message_ephemeral: message ? (message.flags & EPHEMERAL) !== 0 : false }, resource: { type, ...(message ? { message: this.messageJson(message) } : {}) } }];
      }
      return [204, undefined];
    }
    if (parts[0] === 'webhooks') {
      const [, appId, token, sub, messageId] = parts;
      const interaction = [...this.interactions.values()].find((i) => i.token === token);
      if (appId !== this.applicationId || !interaction) throw new ApiError(404, 10015, 'Unknown Webhook');
      if (interaction.expired || Date.now() - interaction.createdAt > (this.options.tokenLifetimeMs ?? 15 * 60_000)) throw new ApiError(401, 50027, 'Invalid Webhook Token');
      if (sub === undefined && method === 'POST') {
        const { json, files } = await payload();
        const original = interaction.originalId ? this.messages.get(interaction.originalId) : undefined;
        // Discord's rule: the first follow-up of a deferral still loading resolves it, keeping the deferral's visibility
        if (original && (original.flags & LOADING) !== 0 && !original.deleted) return [200, this.messageJson(this.editMessage(original, { ...json, flags: original.flags }, files))];
        const message = this.createMessage(interaction.channelId, interaction.id, 'webhook', json, files);
        return [200, this.messageJson(message)];
      }
      if (sub === 'messages') {
        const id = messageId === '@original' ? interaction.originalId : messageId;
        const message = id ? this.messages.get(id) : undefined;
        if (!message || message.deleted || message.interactionId !== interaction.id) throw new ApiError(404, 10008, 'Unknown Message');
        if (method === 'GET') return [200, this.messageJson(message)];
        if (method === 'DELETE') return [204, this.deleteMessage(message)];
        if (method === 'PATCH') {
          const { json, files } = await payload();
          return [200, this.messageJson(this.editMessage(message, json, files))];
        }
      }
    }
    if (parts[0] === 'channels') {
      needBot();
      const channel = this.channels.get(parts[1]!);
      if (!channel) throw new ApiError(404, 10003, 'Unknown Channel');
      if (parts.length === 2 && method === 'GET') return [200, this.channelJson(channel)];
      if (parts[2] === 'messages' && parts.length === 3 && method === 'POST') {
        const { json, files } = await payload();
        return [200, this.messageJson(this.createMessage(channel.id, null, 'bot', json, files))];
      }
      if (parts[2] === 'messages' && parts.length >= 4) {
        const message = this.messages.get(parts[3]!);
        if (!message || message.deleted || message.channelId !== channel.id || (message.flags & EPHEMERAL) !== 0) throw new ApiError(404, 10008, 'Unknown Message');
        if (parts[4] === 'threads' && method === 'POST') {
          if (channel.type !== 0) throw new ApiError(400, 50024, 'Cannot execute action on this channel type');
          // a thread started on a message has the message's id: the second start is refused
          if (this.channels.has(message.id)) throw new ApiError(400, 160004, 'A thread has already been created for this message');
          const json = JSON.parse(raw.toString('utf8')) as { name?: string };
          const thread: FakeChannel = { id: message.id, type: 11, guildId: channel.guildId, parentId: channel.id, name: String(json.name ?? '') };
          if (!thread.name || thread.name.length > 100) throw new ApiError(400, 50035, 'Invalid Form Body: name');
          this.channels.set(thread.id, thread);
          this.log.push({ kind: 'thread', channel: thread });
          this.dispatch('THREAD_CREATE', { ...this.channelJson(thread), newly_created: true });
          return [201, this.channelJson(thread)];
        }
        if (parts.length === 4 && method === 'GET') return [200, this.messageJson(message)];
        if (parts.length === 4 && method === 'DELETE') return [204, this.deleteMessage(message)];
        if (parts.length === 4 && method === 'PATCH') {
          if (message.via !== 'bot' && message.interactionId === null) throw new ApiError(403, 50005, 'Cannot edit a message authored by another user');
          const { json, files } = await payload();
          return [200, this.messageJson(this.editMessage(message, json, files))];
        }
      }
    }
    throw new ApiError(404, 0, `404: Not Found (${method} ${route})`);
  }

  private createMessage(channelId: string, interactionId: string | null, via: 'webhook' | 'bot', json: Record<string, unknown>, files: UploadedFile[]): FakeMessage {
    const stored = this.storeFiles(channelId, files, json);
    const message: FakeMessage = {
      id: snowflake(),
      channelId,
      interactionId,
      via,
      content: String(json['content'] ?? ''),
      embeds: (json['embeds'] as FakeMessage['embeds']) ?? [],
      components: (json['components'] as FakeMessage['components']) ?? [],
      files: stored,
      flags: Number(json['flags'] ?? 0),
      edits: 0,
      deleted: false,
    };
    this.checkMessage(message);
    this.messages.set(message.id, message);
    this.log.push({ kind: 'message', message });
    return message;
  }

  private editMessage(message: FakeMessage, json: Record<string, unknown>, files: UploadedFile[]): FakeMessage {
    const next = { ...message };
    if ('content' in json) next.content = String(json['content'] ?? '');
    if ('embeds' in json) next.embeds = (json['embeds'] as FakeMessage['embeds']) ?? [];
    if ('components' in json) next.components = (json['components'] as FakeMessage['components']) ?? [];
    if ('attachments' in json || files.length > 0) {
      const kept = ((json['attachments'] as Array<{ id: string }> | undefined) ?? []).map((a) => message.files.find((f) => f.id === String(a.id))).filter((f): f is StoredFile => f !== undefined);
      next.files = [...kept, ...this.storeFiles(message.channelId, files, json)];
    }
    this.checkMessage(next);
    Object.assign(message, next, { flags: message.flags & ~LOADING, edits: message.edits + 1 });
    this.log.push({ kind: 'edit', message });
    return message;
  }

  private deleteMessage(message: FakeMessage): undefined {
    message.deleted = true;
    this.log.push({ kind: 'delete', message });
    return undefined;
  }

  /** Discord's own limits on a message, so that a bot exceeding them fails here as it would there. */
  private checkMessage(message: FakeMessage): void {
    if (message.content.length > 2000) throw new ApiError(400, 50035, 'Invalid Form Body: content');
    if (message.embeds.length > 10) throw new ApiError(400, 50035, 'Invalid Form Body: embeds');
    for (const embed of message.embeds) {
      if (String(embed['title'] ?? '').length > 256 || String(embed['description'] ?? '').length > 4096) throw new ApiError(400, 50035, 'Invalid Form Body: embed');
      const fields = (embed['fields'] as Array<{ name: string; value: string }> | undefined) ?? [];
      if (fields.length > 25 || fields.some((f) => !f.name || !f.value || f.name.length > 256 || f.value.length > 1024)) throw new ApiError(400, 50035, 'Invalid Form Body: embed fields');
    }
    if (message.components.length > 5 || message.components.some((row) => row.type !== 1 || row.components.length > 5)) throw new ApiError(400, 50035, 'Invalid Form Body: components');
    for (const button of message.components.flatMap((row) => row.components)) {
      const id = String(button['custom_id'] ?? '');
      if (!id || id.length > 100 || String(button['label'] ?? '').length > 80) throw new ApiError(400, 50035, 'Invalid Form Body: button');
    }
  }

  private storeFiles(channelId: string, files: UploadedFile[], json: Record<string, unknown>): StoredFile[] {
    const total = files.reduce((sum, f) => sum + f.bytes.byteLength, 0);
    if (total > this.uploadLimitBytes) throw new ApiError(413, 40005, 'Request entity too large');
    const meta = (json['attachments'] as Array<{ id: string | number; filename?: string }> | undefined) ?? [];
    return files.map((file) => {
      const id = snowflake();
      const filename = meta.find((m) => String(m.id) === file.index)?.filename ?? file.filename;
      const path = `/attachments/${channelId}/${id}/${encodeURIComponent(filename)}`;
      this.cdnFiles.set(path, { bytes: file.bytes, contentType: file.contentType ?? 'application/octet-stream' });
      return { id, filename, contentType: file.contentType, bytes: file.bytes, url: `${this.baseUrl}${path}` };
    });
  }

  // ---------------------------------------------------------------- JSON shapes

  private userJson(user: FakeUser) {
    return { id: user.id, username: user.username, global_name: user.username, discriminator: '0', avatar: null, public_flags: 0 };
  }

  private channelJson(channel: FakeChannel) {
    if (channel.type === 1) return { id: channel.id, type: 1, last_message_id: null, recipients: [], flags: 0 };
    return {
      id: channel.id,
      type: channel.type,
      guild_id: channel.guildId,
      name: channel.name,
      parent_id: channel.parentId,
      position: 0,
      permission_overwrites: [],
      nsfw: false,
      flags: 0,
      ...(channel.type === 11 ? { owner_id: this.applicationId, thread_metadata: { archived: false, auto_archive_duration: 1440, archive_timestamp: new Date().toISOString(), locked: false }, member_count: 1, message_count: 0 } : {}),
    };
  }

  private guildJson() {
    return {
      id: this.guildId,
      name: 'Fake guild',
      icon: null,
      owner_id: snowflake(),
      afk_timeout: 300,
      verification_level: 0,
      default_message_notifications: 0,
      explicit_content_filter: 0,
      roles: [{ id: this.guildId, name: '@everyone', permissions: String(MEMBER_PERMISSIONS), position: 0, color: 0, hoist: false, managed: false, mentionable: false, flags: 0 }],
      emojis: [],
      stickers: [],
      features: [],
      mfa_level: 0,
      system_channel_flags: 0,
      premium_tier: 0,
      preferred_locale: 'en-US',
      nsfw_level: 0,
      premium_progress_bar_enabled: false,
      joined_at: new Date().toISOString(),
      large: false,
      unavailable: false,
      member_count: 3,
      voice_states: [],
      members: [],
      channels: [...this.channels.values()].filter((c) => c.guildId === this.guildId && c.type === 0).map((c) => this.channelJson(c)),
      threads: [...this.channels.values()].filter((c) => c.guildId === this.guildId && c.type === 11).map((c) => this.channelJson(c)),
      presences: [],
      stage_instances: [],
      guild_scheduled_events: [],
      soundboard_sounds: [],
    };
  }

  messageJson(message: FakeMessage) {
    return {
      id: message.id,
      channel_id: message.channelId,
      type: message.interactionId ? 20 : 0,
      author: { ...this.userJson(this.botUser), bot: true },
      content: message.content,
      embeds: message.embeds,
      components: message.components,
      attachments: message.files.map((f) => ({ id: f.id, filename: f.filename, size: f.bytes.byteLength, url: f.url, proxy_url: f.url, content_type: f.contentType })),
      flags: message.flags,
      timestamp: new Date().toISOString(),
      edited_timestamp: message.edits > 0 ? new Date().toISOString() : null,
      tts: false,
      mention_everyone: false,
      mentions: [],
      mention_roles: [],
      pinned: false,
      application_id: this.applicationId,
      webhook_id: message.via === 'webhook' ? this.applicationId : undefined,
    };
  }
}

class ApiError extends Error {
  constructor(readonly status: number, readonly code: number, message: string) {
    super(message);
  }
}

interface UploadedFile {
  readonly index: string;
  readonly filename: string;
  readonly contentType: string | null;
  readonly bytes: Buffer;
}

async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** JSON bodies, or multipart with `payload_json` and `files[n]` as discord.js sends uploads. */
async function parsePayload(contentType: string, raw: Buffer): Promise<{ json: Record<string, unknown>; files: UploadedFile[] }> {
  if (contentType.startsWith('multipart/form-data')) {
    const form = await new Request('http://fake/', { method: 'POST', headers: { 'content-type': contentType }, body: raw }).formData();
    const json = JSON.parse(String(form.get('payload_json') ?? '{}')) as Record<string, unknown>;
    const files: UploadedFile[] = [];
    for (const [key, value] of form.entries()) {
      const match = /^files\[(\d+)\]$/.exec(key);
      if (!match || typeof value === 'string') continue;
      files.push({ index: match[1]!, filename: value.name, contentType: value.type || null, bytes: Buffer.from(await value.arrayBuffer()) });
    }
    return { json, files };
  }
  return { json: raw.byteLength ? (JSON.parse(raw.toString('utf8')) as Record<string, unknown>) : {}, files: [] };
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  if (res.destroyed) return;
  if (status === 204 || body === undefined) {
    res.writeHead(status === 200 ? 204 : status);
    return void res.end();
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
