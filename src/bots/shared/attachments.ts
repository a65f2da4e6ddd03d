import { DEFAULT_DECODE_LIMITS, isImageInputError, verifyImage, type DecodeLimits, type ImageHeader } from '../../images/index.js';
import { AttachmentRefused } from './attachment-errors.js';
import type { Attachment } from './contract.js';
import { systemTimers, type Timers } from './timers.js';

/** The types the decoder takes; a declared type outside them is refused before any download. */
const IMAGE_TYPES: ReadonlySet<string> = new Set(['image/jpeg', 'image/jpg', 'image/pjpeg', 'image/png', 'image/webp', 'image/gif']);

export interface FetchLimits {
  readonly maxBytes: number;
  readonly timeoutMs: number;
  /** the caller's own cancellation (the command was abandoned) */
  readonly signal?: AbortSignal;
  readonly timers?: Timers;
}

/**
 * Checks what the platform declares (size, type) before calling `open`, then downloads with the byte cap
 * enforced while streaming (the download stops at the first byte over) and the time limit through the
 * signal. Returns the bytes; throws AttachmentRefused for every refusal.
 */
export async function fetchAttachment(attachment: Attachment, limits: FetchLimits): Promise<Uint8Array> {
  checkDeclared(attachment, limits.maxBytes);
  const timers = limits.timers ?? systemTimers;
  const controller = new AbortController();
  const timedOut = new Error('attachment download timed out');
  const timer = timers.setTimeout(() => controller.abort(timedOut), limits.timeoutMs);
  const onCallerAbort = () => controller.abort(limits.signal!.reason);
  limits.signal?.addEventListener('abort', onCallerAbort, { once: true });
  const chunks: Uint8Array[] = [];
  let received = 0;
  try {
    if (limits.signal?.aborted) throw limits.signal.reason;
    let stream: AsyncIterable<Uint8Array>;
    try {
      stream = await raceAbort(attachment.open(controller.signal), controller.signal);
    } catch (error) {
      // a refusal of the adapter's, the limit, or the platform's file server unreachable
      if (error instanceof AttachmentRefused || controller.signal.aborted) throw error;
      throw new AttachmentRefused({ problem: 'unavailable', status: null }, { cause: error });
    }
    for await (const chunk of iterateUntilAbort(stream, controller.signal)) {
      received += chunk.byteLength;
      if (received > limits.maxBytes) {
        controller.abort(new Error('over the byte cap'));
        throw new AttachmentRefused({ problem: 'tooLarge', bytes: attachment.declaredBytes, maxBytes: limits.maxBytes });
      }
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof AttachmentRefused) throw error;
    if (controller.signal.reason === timedOut) throw new AttachmentRefused({ problem: 'timedOut', seconds: Math.round(limits.timeoutMs / 100) / 10 }, { cause: error });
    if (limits.signal?.aborted) throw limits.signal.reason;
    // the connection dropped mid-download
    throw new AttachmentRefused({ problem: 'truncated', received, declared: attachment.declaredBytes ?? received }, { cause: error });
  } finally {
    timers.clearTimeout(timer);
    limits.signal?.removeEventListener('abort', onCallerAbort);
  }
  if (attachment.declaredBytes !== null && received < attachment.declaredBytes) {
    throw new AttachmentRefused({ problem: 'truncated', received, declared: attachment.declaredBytes });
  }
  return concat(chunks, received);
}

/** The declared size and type, checked without downloading. */
export function checkDeclared(attachment: Pick<Attachment, 'declaredBytes' | 'declaredType'>, maxBytes: number): void {
  if (attachment.declaredBytes !== null && attachment.declaredBytes > maxBytes) {
    throw new AttachmentRefused({ problem: 'tooLarge', bytes: attachment.declaredBytes, maxBytes });
  }
  const type = attachment.declaredType?.split(';')[0]!.trim().toLowerCase();
  if (type && !IMAGE_TYPES.has(type)) throw new AttachmentRefused({ problem: 'notAnImage', declaredType: type });
}

/**
 * The picture's header (format, pixel count, sides) as the pipeline will check it, without decoding the
 * pixels: a 60000x60000 bomb costs microseconds here.
 */
export async function checkPictureHeader(bytes: Uint8Array, limits?: Partial<DecodeLimits>): Promise<ImageHeader> {
  try {
    // the header, then a tiny trial decode: a file cut off after its header is refused now, by its input
    return await verifyImage(bytes, { limits: { ...DEFAULT_DECODE_LIMITS, ...limits } });
  } catch (error) {
    if (isImageInputError(error)) throw new AttachmentRefused({ problem: 'image', imageCode: error.code, imageDetails: error.details }, { cause: error });
    throw error;
  }
}

export interface HttpAttachmentInit {
  readonly name: string;
  readonly url: string;
  readonly declaredBytes: number | null;
  readonly declaredType: string | null;
  /** host names the download may touch (Discord's CDN, Slack's file hosts, a test server's host) */
  readonly allowedHosts: readonly string[];
  /** e.g. Slack's `Authorization: Bearer` for url_private_download; sent to allowed hosts only */
  readonly headers?: Readonly<Record<string, string>>;
  readonly fetch?: typeof fetch;
  /** redirects followed, each checked against allowedHosts; default 3 */
  readonly maxRedirects?: number;
}

/**
 * An Attachment downloaded over HTTP(S) from an allowed host only: a URL (or a redirect) to any other host
 * is refused without a request, so a crafted attachment cannot make the bot fetch from the inside network
 * or send its token elsewhere.
 */
export function httpAttachment(init: HttpAttachmentInit): Attachment {
  const allowed = new Set(init.allowedHosts.map((h) => h.toLowerCase()));
  const doFetch = init.fetch ?? fetch;
  const hostOf = (url: URL) => url.host.toLowerCase();
  const check = (text: string, base?: URL): URL => {
    let url: URL;
    try {
      url = new URL(text, base);
    } catch {
      throw new AttachmentRefused({ problem: 'foreignHost', host: '(not a URL)' });
    }
    // either form: "cdn.discordapp.com" or "127.0.0.1:4010"
    if ((url.protocol !== 'https:' && url.protocol !== 'http:') || (!allowed.has(hostOf(url)) && !allowed.has(url.hostname.toLowerCase()))) {
      throw new AttachmentRefused({ problem: 'foreignHost', host: url.host || url.protocol });
    }
    return url;
  };
  return {
    name: init.name,
    declaredBytes: init.declaredBytes,
    declaredType: init.declaredType,
    async open(signal) {
      let url = check(init.url);
      for (let redirects = 0; ; redirects++) {
        const response = await doFetch(url, { signal, headers: { ...init.headers }, redirect: 'manual' });
        if (response.status >= 300 && response.status < 400 && response.headers.get('location')) {
          await response.body?.cancel().catch(() => undefined);
          if (redirects >= (init.maxRedirects ?? 3)) throw new AttachmentRefused({ problem: 'unavailable', status: response.status });
          url = check(response.headers.get('location')!, url);
          continue;
        }
        if (!response.ok || !response.body) {
          await response.body?.cancel().catch(() => undefined);
          throw new AttachmentRefused({ problem: 'unavailable', status: response.status });
        }
        return response.body as unknown as AsyncIterable<Uint8Array>;
      }
    },
  };
}

function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** Stops waiting for the next chunk as soon as the signal aborts: a stalled stream must not outlive the limit. */
async function* iterateUntilAbort(stream: AsyncIterable<Uint8Array>, signal: AbortSignal): AsyncGenerator<Uint8Array> {
  const iterator = stream[Symbol.asyncIterator]();
  try {
    for (;;) {
      const next = await raceAbort(iterator.next(), signal);
      if (next.done) return;
      yield next.value;
    }
  } finally {
    void Promise.resolve(iterator.return?.()).catch(() => undefined);
  }
}

function concat(chunks: readonly Uint8Array[], length: number): Uint8Array {
  const out = new Uint8Array(length);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}
