import type { ServerResponse } from 'node:http';
import fastifyMultipart from '@fastify/multipart';
import Fastify, { LogController, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { Actor, BotCore, Command, RawOptions, Reply } from '../shared/contract.js';
import { commandForAction, isOurAction } from '../shared/actions.js';
import { isLoopback, sameOrigin, TokenGuard } from './auth.js';
import { formFields } from './form.js';
import { FileShelf, renderReply } from './render.js';
import { loadPageFiles } from './static.js';
import { newConversation, WebTransport, type PageEvent, type WebConversation } from './transport.js';
import { attachmentOf, receiveSubmission, type UploadLimits } from './uploads.js';

/** The one person using the page: the machine's owner, so an admin of its own server. */
export const LOCAL_ACTOR: Actor = {
  platform: 'web',
  serverId: 'local',
  channelId: 'local',
  threadId: null,
  userId: 'local',
  displayName: 'you',
  isAdmin: true,
  isModerator: true,
};

export interface WebServerOptions {
  readonly uploadLimits: UploadLimits;
  /** the whole request, upload included: a client that trickles its body is cut off at this age */
  readonly requestTimeoutMs: number;
  readonly headersTimeoutMs: number;
  /** how often Node checks the two limits above (its default, 30 s, would let a trickle live that long) */
  readonly timeoutCheckMs: number;
  /** uploads being received at once; more are refused at once instead of filling the disk */
  readonly maxConcurrentUploads: number;
  /** memory for the pictures of recent messages */
  readonly fileShelfBytes: number;
  /** a comment on every event stream this often, so that idle proxies keep it open */
  readonly heartbeatMs: number;
}

/**
 * Where the engine's weights stand, for a first run: the composition root reports it while it resolves the
 * weights (the download's progress callback), so the page shows a progress bar rather than a silent wait.
 * `message` is the engine's own explanation (e.g. where to put the file when offline).
 */
export type WeightsStatus =
  | { readonly state: 'downloading'; readonly receivedBytes: number; readonly totalBytes?: number }
  | { readonly state: 'ready' }
  | { readonly state: 'failed'; readonly message: string };

export interface WebServerDeps {
  readonly core: BotCore;
  readonly logger: Logger;
  readonly host: string;
  readonly token: string | undefined;
  readonly options: WebServerOptions;
}

/** A protocol-level refusal (the request itself, not what it asks for): a code the page maps to its chrome. */
function refuse(reply: FastifyReply, status: number, code: string) {
  return reply.code(status).send({ error: { code } });
}

const OPTION_FIELD_RESERVED = new Set(['content', 'style', 'preset']);

export function buildWebServer(deps: WebServerDeps) {
  const { core, logger, options } = deps;
  const page = loadPageFiles();
  const shelf = new FileShelf(options.fileShelfBytes);
  const transport = new WebTransport(shelf);
  const guard = deps.token === undefined ? undefined : new TokenGuard(deps.token);
  const boundToLoopback = isLoopback(deps.host);
  const streams = new Set<ServerResponse>();
  let weights: WeightsStatus | undefined;
  const weightsListeners = new Set<(status: WeightsStatus) => void>();
  const reportWeights = (status: WeightsStatus) => {
    weights = status;
    for (const listener of [...weightsListeners]) listener(status);
  };
  let uploadsInFlight = 0;

  const app = Fastify({
    loggerInstance: logger.child({ component: 'web' }),
    // one line per thing that happens: jobs and refusals are logged, not every request of the page
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 64 * 1024,
    requestTimeout: options.requestTimeoutMs,
    forceCloseConnections: true,
    http: { headersTimeout: options.headersTimeoutMs, connectionsCheckingInterval: options.timeoutCheckMs },
  });
  // a picture over the cap is cut, not an error: the core then refuses it by its size, in its words
  app.register(fastifyMultipart, { throwFileSizeLimit: false });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 4096 }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });

  const publicPaths = new Set(['/login', '/style.css']);
  app.addHook('onRequest', async (request, reply) => {
    if (!sameOrigin(request, boundToLoopback)) return refuse(reply, 403, 'FOREIGN_ORIGIN');
    if (!guard || publicPaths.has(request.url.split('?')[0]!)) return;
    if (guard.allows(request)) return;
    if (request.method === 'GET' && !request.url.startsWith('/api/') && !request.url.startsWith('/files/')) return reply.redirect('/login', 303);
    return refuse(reply, 401, 'TOKEN_REQUIRED');
  });

  const sendPage = (name: string) => async (_request: FastifyRequest, reply: FastifyReply) => {
    const file = page.get(name)!;
    return reply.type(file.contentType).header('cache-control', 'no-cache').header('x-content-type-options', 'nosniff').send(file.bytes);
  };
  app.get('/', sendPage('index.html'));
  app.get('/app.js', sendPage('app.js'));
  app.get('/style.css', sendPage('style.css'));

  if (guard) {
    app.get('/login', sendPage('login.html'));
    app.post('/login', async (request, reply) => {
      const body = (request.body ?? {}) as Record<string, unknown>;
      const token = typeof body.token === 'string' ? body.token : '';
      if (!guard.tokenMatches(token)) return reply.redirect('/login?wrong=1', 303);
      guard.setSession(reply, request.protocol === 'https');
      return reply.redirect('/', 303);
    });
  }

  const answer = (reply: FastifyReply, result: Reply, conversation?: WebConversation) =>
    reply.send({ reply: renderReply(result, shelf), ...(conversation ? { conversation: conversation.web } : {}) });

  /** after the core answered a command that made a job: its updates go to the page from now on */
  const follow = async (result: Reply, conversation: WebConversation) => {
    if (result.jobId === undefined) return;
    transport.link(conversation, result.jobId);
    await core.bind(result.jobId, conversation);
  };

  app.get('/api/form', async () => ({
    fields: formFields(),
    presets: await core.presetChoices(LOCAL_ACTOR, ''),
    limits: { maxFileBytes: options.uploadLimits.maxFileBytes },
  }));

  app.get('/api/state', async () => ({ conversations: transport.snapshot(), weights: weights ?? null }));

  app.get('/api/events', (request, reply) => {
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    raw.write('retry: 2000\n\n');
    streams.add(raw);
    const send = (event: PageEvent) => raw.write(`event: message\ndata: ${JSON.stringify(event)}\n\n`);
    const unsubscribe = transport.subscribe(send);
    const sendWeights = (status: WeightsStatus) => raw.write(`event: weights\ndata: ${JSON.stringify(status)}\n\n`);
    weightsListeners.add(sendWeights);
    const heartbeat = setInterval(() => raw.write(': keep-alive\n\n'), options.heartbeatMs);
    heartbeat.unref();
    request.raw.on('close', () => {
      clearInterval(heartbeat);
      weightsListeners.delete(sendWeights);
      unsubscribe();
      streams.delete(raw);
    });
  });

  app.post('/api/jobs', async (request, reply) => {
    if (!request.isMultipart()) return refuse(reply, 415, 'MULTIPART_REQUIRED');
    if (uploadsInFlight >= options.maxConcurrentUploads) return refuse(reply, 503, 'BUSY');
    uploadsInFlight++;
    let submission;
    try {
      submission = await receiveSubmission(request, options.uploadLimits);
    } catch (error) {
      const code = (error as { code?: string }).code;
      request.log.info({ code, err: error }, 'upload refused');
      const status = (error as { statusCode?: number }).statusCode;
      return refuse(reply, status !== undefined && status >= 400 && status < 500 ? status : 400, code === 'FST_FILES_LIMIT' ? 'TOO_MANY_FILES' : code === 'FST_FIELDS_LIMIT' || code === 'FST_PARTS_LIMIT' ? 'TOO_MANY_FIELDS' : 'BAD_UPLOAD');
    } finally {
      uploadsInFlight--;
    }
    const conversation = newConversation();
    let result: Reply;
    try {
      const content = submission.files.find((f) => f.field === 'content');
      const styles = submission.files.filter((f) => f.field === 'style');
      const raw: Record<string, string> = {};
      for (const [name, value] of submission.fields) if (!OPTION_FIELD_RESERVED.has(name) && value.trim() !== '') raw[name] = value;
      const preset = submission.fields.get('preset')?.trim();
      const command: Command = {
        kind: 'stylize',
        content: content ? attachmentOf(content) : missingPicture('content'),
        styles: styles.map(attachmentOf),
        options: raw as RawOptions,
        ...(preset ? { preset } : {}),
        replyRef: conversation,
      };
      result = await core.handle(command, LOCAL_ACTOR);
    } finally {
      // the core has read what it keeps; the spool goes before the answer does
      await submission.dispose();
    }
    await follow(result, conversation);
    return answer(reply, result, conversation);
  });

  app.post('/api/actions', async (request, reply) => {
    const body = (request.body ?? {}) as { id?: unknown; text?: unknown };
    if (typeof body.id !== 'string' || body.id.length > 200) return refuse(reply, 400, 'BAD_ACTION');
    const conversation = newConversation();
    let command: Command;
    try {
      if (!isOurAction(body.id)) return refuse(reply, 400, 'BAD_ACTION');
      command = commandForAction(body.id, { replyRef: conversation, ...(typeof body.text === 'string' ? { input: body.text.slice(0, 200) } : {}) });
    } catch {
      return refuse(reply, 400, 'BAD_ACTION');
    }
    const result = await core.handle(command, LOCAL_ACTOR);
    // only a follow-up makes a job of its own; a cancel's or a card's answer names the job it is about
    if (command.kind !== 'followUp') return answer(reply, result);
    await follow(result, conversation);
    return answer(reply, result, result.jobId !== undefined ? conversation : undefined);
  });

  app.get<{ Params: { id: string } }>('/api/jobs/:id', async (request, reply) =>
    answer(reply, await core.handle({ kind: 'job', jobId: request.params.id, full: true }, LOCAL_ACTOR)));

  app.post<{ Params: { id: string } }>('/api/jobs/:id/cancel', async (request, reply) =>
    answer(reply, await core.handle({ kind: 'cancel', jobId: request.params.id }, LOCAL_ACTOR)));

  app.get('/api/presets', async (_request, reply) => answer(reply, await core.handle({ kind: 'preset', op: 'list' }, LOCAL_ACTOR)));

  // read only: the page lists the challenges of every server the bot runs on (they are started there)
  app.get('/api/challenges', async (_request, reply) => answer(reply, await core.handle({ kind: 'challenge', op: 'list' }, LOCAL_ACTOR)));

  app.get('/api/presets/choices', async () => ({ choices: await core.presetChoices(LOCAL_ACTOR, '') }));

  app.post('/api/presets', async (request, reply) => {
    const command = presetCommand(request.body);
    if (!command) return refuse(reply, 400, 'BAD_PRESET_REQUEST');
    return answer(reply, await core.handle(command, LOCAL_ACTOR));
  });

  app.get<{ Params: { id: string; name: string } }>('/files/:id/:name', async (request, reply) => {
    const file = shelf.get(request.params.id);
    if (!file) return refuse(reply, 404, 'GONE');
    return reply.type(file.contentType).header('cache-control', 'private, max-age=3600, immutable').header('x-content-type-options', 'nosniff').send(Buffer.from(file.bytes.buffer, file.bytes.byteOffset, file.bytes.byteLength));
  });

  app.setErrorHandler((error: { statusCode?: number; code?: string }, request, reply) => {
    const status = error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) request.log.error({ err: error }, 'web request failed');
    return refuse(reply, status, status === 500 ? 'INTERNAL' : (error.code ?? 'BAD_REQUEST'));
  });

  const closeStreams = () => {
    for (const stream of streams) stream.end();
    streams.clear();
  };
  return { app, transport, closeStreams, reportWeights };
}

/** No content picture chosen: an attachment that declares nothing, for the core to refuse with its words. */
function missingPicture(name: string) {
  return attachmentOf({ field: name, name: '', type: null, bytes: 0, path: '/dev/null' });
}

function presetCommand(body: unknown): Command | undefined {
  if (body === null || typeof body !== 'object') return undefined;
  const b = body as Record<string, unknown>;
  const text = (key: string) => (typeof b[key] === 'string' ? (b[key] as string).slice(0, 2000) : undefined);
  const name = text('name');
  switch (b.op) {
    case 'save': {
      const options: Record<string, string> = {};
      if (b.options && typeof b.options === 'object') for (const [k, v] of Object.entries(b.options as object)) if (typeof v === 'string' && v.trim() !== '') options[k] = v;
      return name === undefined ? undefined : { kind: 'preset', op: 'save', name, options };
    }
    case 'show':
    case 'delete':
    case 'share':
      return name === undefined ? undefined : { kind: 'preset', op: b.op, name };
    case 'default':
      return { kind: 'preset', op: 'default', name: name ?? null };
    case 'import': {
      const code = text('code');
      return code === undefined ? undefined : { kind: 'preset', op: 'import', code, ...(name ? { name } : {}) };
    }
    default:
      return undefined;
  }
}
