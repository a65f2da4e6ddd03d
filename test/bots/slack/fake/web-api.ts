import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SocketModeServer } from './socket-mode.js';

/** One Web API call as the fake saw it (token and arguments; JSON-encoded form fields are decoded). */
export interface ApiCall {
  readonly method: string;
  readonly token: string | null;
  readonly args: Record<string, unknown>;
  /** what the fake answered: the JSON body, or the injected fault */
  readonly status: number;
  readonly response: Record<string, unknown>;
}

export interface Message {
  readonly channel: string;
  readonly ts: string;
  readonly threadTs: string | null;
  text: string;
  blocks: unknown[];
  /** every version, first one included */
  readonly versions: Array<{ text: string; blocks: unknown[] }>;
  /** files shared with this message (files.completeUploadExternal) */
  readonly files: HostedFile[];
}

export interface HostedFile {
  readonly id: string;
  readonly name: string;
  readonly mimetype: string;
  readonly bytes: Uint8Array;
  readonly url_private_download: string;
  expired: boolean;
}

/** A fault the next matching calls answer with, instead of doing the work. */
export type Fault =
  | { readonly kind: 'ratelimited'; readonly retryAfterSeconds: number }
  | { readonly kind: 'http'; readonly status: number }
  | { readonly kind: 'error'; readonly error: string };

export interface FakeSlackOptions {
  readonly botToken: string;
  readonly appToken?: string;
  readonly teamId?: string;
  readonly botUserId?: string;
}

const ts = (() => {
  let n = 0;
  return () => `1700000000.${String(++n).padStart(6, '0')}`;
})();

/**
 * A local Slack: the Web API methods Stylebot calls, private file hosting that checks the bot token, the
 * external upload URLs of files upload v2, and a Socket Mode WebSocket. Everything it was asked is kept in
 * `calls`; `fail` makes the next calls of a method answer with a fault.
 */
export class FakeSlack extends EventEmitter {
  readonly calls: ApiCall[] = [];
  readonly messages: Message[] = [];
  /** what the app posted to response_url (slash commands' answers) */
  readonly responses: Array<{ readonly id: string; readonly body: Record<string, unknown> }> = [];
  readonly ephemerals: Array<{ channel: string; user: string; text: string; blocks: unknown[]; threadTs: string | null }> = [];
  readonly views = new Map<string, { id: string; triggerId: string | null; view: Record<string, unknown>; hash: string }>();
  readonly files = new Map<string, HostedFile>();
  /** user group id -> member ids, for usergroups.users.list */
  readonly userGroups = new Map<string, string[]>();
  /** file ids whose bytes arrived at their upload URL but are not completed yet */
  private readonly pendingUploads = new Map<string, { name: string; length: number; bytes?: Uint8Array }>();
  private readonly faults: Array<{ method: string; fault: Fault; times: number }> = [];
  private readonly usedTriggers = new Set<string>();
  /** while set, downloads wait for it (a slow file host) */
  private downloadGate: Promise<void> | undefined;
  private server: Server | undefined;
  readonly socket = new SocketModeServer();
  readonly teamId: string;
  readonly botUserId: string;
  private base = '';

  constructor(readonly options: FakeSlackOptions) {
    super();
    this.teamId = options.teamId ?? 'T0TEAM';
    this.botUserId = options.botUserId ?? 'U0BOT';
  }

  /** e.g. http://127.0.0.1:1234/api/ — what SLACK_API_URL is set to */
  get apiUrl(): string {
    return `${this.base}/api/`;
  }

  get origin(): string {
    return this.base;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      this.route(req, res).catch((error: unknown) => {
        res.writeHead(500).end(String(error));
      });
    });
    this.socket.attach(this.server);
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    await this.socket.close();
    await new Promise<void>((resolve) => {
      this.server?.closeAllConnections();
      this.server?.close(() => resolve());
    });
  }

  /** The next `times` calls of `method` ('upload' for the external upload URL) answer with `fault`. */
  fail(method: string, fault: Fault, times = 1): void {
    this.faults.push({ method, fault, times });
  }

  /** A file in the workspace, as a user would have uploaded it; returns the file object events carry. */
  hostFile(name: string, mimetype: string, bytes: Uint8Array): Record<string, unknown> & HostedFile {
    const id = `F${randomUUID().replace(/-/g, '').slice(0, 10).toUpperCase()}`;
    const file: HostedFile = { id, name, mimetype, bytes, url_private_download: `${this.base}/files-pri/${this.teamId}-${id}/download/${encodeURIComponent(name)}`, expired: false };
    this.files.set(id, file);
    return Object.assign(this.fileObject(file), file);
  }

  /** Holds every download until the returned function is called. */
  holdDownloads(): () => void {
    let release!: () => void;
    this.downloadGate = new Promise((resolve) => (release = resolve));
    return () => {
      this.downloadGate = undefined;
      release();
    };
  }

  /** The file's download answers 404 from now on, as Slack's does for a deleted or expired file. */
  expire(id: string): void {
    const file = this.files.get(id);
    if (!file) throw new Error(`no file ${id}`);
    file.expired = true;
  }

  /** the file object as Slack's payloads spell it */
  fileObject(file: HostedFile): Record<string, unknown> & { id: string } {
    return {
      id: file.id,
      name: file.name,
      title: file.name,
      mimetype: file.mimetype,
      filetype: file.name.split('.').pop() ?? '',
      size: file.bytes.byteLength,
      url_private: file.url_private_download.replace('/download/', '/'),
      url_private_download: file.url_private_download,
    };
  }

  /** Resolves with the first call, past or future, that matches. */
  waitForCall(match: (call: ApiCall) => boolean): Promise<ApiCall> {
    const past = this.calls.find(match);
    if (past) return Promise.resolve(past);
    return new Promise((resolve) => {
      const listener = (call: ApiCall) => {
        if (!match(call)) return;
        this.off('call', listener);
        resolve(call);
      };
      this.on('call', listener);
    });
  }

  /** Resolves when `check` holds, tested now and after every call. */
  waitUntil<T>(check: () => T | undefined | false | null): Promise<T> {
    const now = check();
    if (now) return Promise.resolve(now);
    return new Promise((resolve) => {
      const listener = () => {
        const value = check();
        if (!value) return;
        this.off('call', listener);
        resolve(value);
      };
      this.on('call', listener);
    });
  }

  /** a response_url for one slash command */
  responseUrl(): string {
    return `${this.base}/respond/${randomUUID()}`;
  }

  callsOf(method: string): ApiCall[] {
    return this.calls.filter((c) => c.method === method && c.status === 200 && c.response.ok === true);
  }

  thread(channel: string, threadTs: string): Message[] {
    return this.messages.filter((m) => m.channel === channel && m.threadTs === threadTs);
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.base);
    if (url.pathname.startsWith('/api/') && req.method === 'POST') return this.api(url.pathname.slice(5), req, res);
    if (url.pathname.startsWith('/files-pri/') && req.method === 'GET') return this.download(url, req, res);
    if (url.pathname.startsWith('/upload/') && req.method === 'POST') return this.receiveUpload(url, req, res);
    if (url.pathname.startsWith('/respond/') && req.method === 'POST') {
      const body = JSON.parse((await readBody(req)).toString('utf8') || '{}') as Record<string, unknown>;
      this.responses.push({ id: url.pathname.slice('/respond/'.length), body });
      res.writeHead(200).end('ok');
      const call: ApiCall = { method: 'response_url', token: null, args: body, status: 200, response: { ok: true } };
      this.calls.push(call);
      this.emit('call', call);
      return;
    }
    res.writeHead(404).end();
  }

  private takeFault(method: string): Fault | undefined {
    const index = this.faults.findIndex((f) => f.method === method);
    if (index < 0) return undefined;
    const entry = this.faults[index]!;
    if (--entry.times <= 0) this.faults.splice(index, 1);
    return entry.fault;
  }

  private answerFault(fault: Fault, res: ServerResponse): { status: number; response: Record<string, unknown> } {
    if (fault.kind === 'ratelimited') {
      res.writeHead(429, { 'Retry-After': String(fault.retryAfterSeconds), 'Content-Type': 'application/json' }).end(JSON.stringify({ ok: false, error: 'ratelimited' }));
      return { status: 429, response: { ok: false, error: 'ratelimited' } };
    }
    if (fault.kind === 'http') {
      res.writeHead(fault.status).end('upstream trouble');
      return { status: fault.status, response: { ok: false } };
    }
    const body = { ok: false, error: fault.error, ...(fault.error === 'missing_scope' ? { needed: 'files:read', provided: 'chat:write' } : {}) };
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
    return { status: 200, response: body };
  }

  private async api(method: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const args = parseArgs(raw, req.headers['content-type'] ?? '');
    const auth = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? (typeof args.token === 'string' ? args.token : null);
    const record = (status: number, response: Record<string, unknown>) => {
      const call: ApiCall = { method, token: auth, args, status, response };
      this.calls.push(call);
      this.emit('call', call);
    };
    const fault = this.takeFault(method);
    if (fault) {
      const { status, response } = this.answerFault(fault, res);
      record(status, response);
      return;
    }
    const wanted = method === 'apps.connections.open' ? this.options.appToken : this.options.botToken;
    let response: Record<string, unknown>;
    if (auth !== wanted) response = { ok: false, error: 'invalid_auth' };
    else {
      try {
        response = { ok: true, ...this.handle(method, args) };
      } catch (error) {
        response = { ok: false, error: (error as Error).message };
      }
    }
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(response));
    record(200, response);
  }

  private handle(method: string, a: Record<string, unknown>): Record<string, unknown> {
    switch (method) {
      case 'auth.test':
        return { url: `${this.base}/`, team: 'Fake Team', user: 'stylebot', team_id: this.teamId, user_id: this.botUserId, bot_id: 'B0BOT', is_enterprise_install: false };
      case 'apps.connections.open':
        return { url: this.socket.url(this.base) };
      case 'usergroups.users.list': {
        const users = this.userGroups.get(String(a.usergroup ?? ''));
        if (!users) throw new Error('no_such_subteam');
        return { users };
      }
      case 'users.info':
        return { user: { id: a.user, team_id: this.teamId, name: `name-${String(a.user)}`, is_admin: a.user === 'UADMIN', profile: { display_name: `Name ${String(a.user)}` } } };
      case 'views.open': {
        const trigger = String(a.trigger_id ?? '');
        if (!trigger) throw new Error('invalid_arguments');
        if (this.usedTriggers.has(trigger)) throw new Error('expired_trigger_id');
        this.usedTriggers.add(trigger);
        const id = `V${randomUUID().slice(0, 8).toUpperCase()}`;
        const view = { id, triggerId: trigger, view: a.view as Record<string, unknown>, hash: randomUUID() };
        this.views.set(id, view);
        return { view: { id, hash: view.hash, ...view.view } };
      }
      case 'views.update': {
        const existing = this.views.get(String(a.view_id));
        if (!existing) throw new Error('not_found');
        existing.view = a.view as Record<string, unknown>;
        return { view: { id: existing.id, ...existing.view } };
      }
      case 'chat.postMessage': {
        const channel = String(a.channel ?? '');
        if (!channel) throw new Error('channel_not_found');
        const thread = typeof a.thread_ts === 'string' ? a.thread_ts : null;
        const message: Message = { channel, ts: ts(), threadTs: thread, text: String(a.text ?? ''), blocks: (a.blocks as unknown[]) ?? [], versions: [], files: [] };
        message.versions.push({ text: message.text, blocks: message.blocks });
        this.messages.push(message);
        return { channel, ts: message.ts, message: { ts: message.ts, text: message.text, thread_ts: thread ?? undefined } };
      }
      case 'chat.update': {
        const message = this.messages.find((m) => m.channel === a.channel && m.ts === a.ts);
        if (!message) throw new Error('message_not_found');
        message.text = String(a.text ?? '');
        message.blocks = (a.blocks as unknown[]) ?? [];
        message.versions.push({ text: message.text, blocks: message.blocks });
        return { channel: message.channel, ts: message.ts };
      }
      case 'chat.postEphemeral':
        this.ephemerals.push({ channel: String(a.channel), user: String(a.user), text: String(a.text ?? ''), blocks: (a.blocks as unknown[]) ?? [], threadTs: typeof a.thread_ts === 'string' ? a.thread_ts : null });
        return { message_ts: ts() };
      case 'files.getUploadURLExternal': {
        const id = `F${randomUUID().replace(/-/g, '').slice(0, 10).toUpperCase()}`;
        this.pendingUploads.set(id, { name: String(a.filename), length: Number(a.length) });
        return { upload_url: `${this.base}/upload/${id}`, file_id: id };
      }
      case 'files.completeUploadExternal': {
        const list = a.files as Array<{ id: string; title?: string }>;
        const channel = typeof a.channel_id === 'string' ? a.channel_id : null;
        const thread = typeof a.thread_ts === 'string' ? a.thread_ts : null;
        const done: HostedFile[] = [];
        for (const entry of list) {
          const pending = this.pendingUploads.get(entry.id);
          if (!pending?.bytes) throw new Error('file_not_found');
          const file: HostedFile = { id: entry.id, name: pending.name, mimetype: mimeOf(pending.name), bytes: pending.bytes, url_private_download: `${this.base}/files-pri/${this.teamId}-${entry.id}/download/${pending.name}`, expired: false };
          this.files.set(file.id, file);
          this.pendingUploads.delete(entry.id);
          done.push(file);
        }
        if (channel) {
          const message: Message = { channel, ts: ts(), threadTs: thread, text: String(a.initial_comment ?? ''), blocks: (a.blocks as unknown[]) ?? [], versions: [], files: done };
          message.versions.push({ text: message.text, blocks: message.blocks });
          this.messages.push(message);
        }
        return { files: done.map((f) => ({ id: f.id, title: f.name })) };
      }
      case 'files.info': {
        const file = this.files.get(String(a.file));
        if (!file) throw new Error('file_not_found');
        return { file: this.fileObject(file) };
      }
      default:
        throw new Error('unknown_method');
    }
  }

  private async download(url: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.emit('download-start');
    await this.downloadGate;
    const fault = this.takeFault('download');
    if (fault?.kind === 'error') {
      // without files:read Slack sends the browser to its sign-in page instead of the file
      res.writeHead(302, { Location: `${this.base}/signin` }).end();
      return;
    }
    if (fault) {
      this.answerFault(fault, res);
      return;
    }
    const id = /^\/files-pri\/[^-]+-([^/]+)\//.exec(url.pathname)?.[1];
    const file = id ? this.files.get(id) : undefined;
    // Slack answers a download without a valid token with its login page, not with the file
    if (req.headers.authorization !== `Bearer ${this.options.botToken}`) {
      res.writeHead(302, { Location: `${this.base}/signin` }).end();
      this.emit('download', { id, authorized: false });
      return;
    }
    this.emit('download', { id, authorized: true });
    if (!file || file.expired) {
      res.writeHead(404).end('file not found');
      return;
    }
    res.writeHead(200, { 'Content-Type': file.mimetype, 'Content-Length': String(file.bytes.byteLength) }).end(Buffer.from(file.bytes));
  }

  private async receiveUpload(url: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const record = (status: number) => {
      const call: ApiCall = { method: 'upload', token: null, args: { url: url.pathname }, status, response: { ok: status === 200 } };
      this.calls.push(call);
      this.emit('call', call);
    };
    const fault = this.takeFault('upload');
    if (fault) {
      record(this.answerFault(fault, res).status);
      return;
    }
    const id = url.pathname.slice('/upload/'.length);
    const pending = this.pendingUploads.get(id);
    if (!pending) {
      res.writeHead(404).end();
      record(404);
      return;
    }
    const type = req.headers['content-type'] ?? '';
    let bytes: Uint8Array = raw;
    if (type.startsWith('multipart/form-data')) {
      const form = await new Request('http://x/', { method: 'POST', headers: { 'content-type': type }, body: raw }).formData();
      const part = [...form.values()].find((v) => typeof v !== 'string') as Blob | undefined;
      bytes = part ? new Uint8Array(await part.arrayBuffer()) : new Uint8Array();
    }
    pending.bytes = bytes;
    res.writeHead(200).end(`OK - ${bytes.byteLength}`);
    record(200);
  }
}

function mimeOf(name: string): string {
  if (name.endsWith('.png')) return 'image/png';
  if (name.endsWith('.gif')) return 'image/gif';
  if (name.endsWith('.jpg') || name.endsWith('.jpeg')) return 'image/jpeg';
  return 'application/octet-stream';
}

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The WebClient sends form fields, objects JSON-encoded; some clients send JSON. */
function parseArgs(raw: Buffer, type: string): Record<string, unknown> {
  if (type.includes('application/json')) return JSON.parse(raw.toString('utf8') || '{}') as Record<string, unknown>;
  const args: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(raw.toString('utf8'))) {
    args[key] = /^[[{]/.test(value) ? safeJson(value) : value;
  }
  return args;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
