import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { EngineError } from '../errors.js';

export interface DownloadProgress {
  /** bytes of the file on disk so far, a resumed part included */
  readonly receivedBytes: number;
  /** the whole file's size when the server says it */
  readonly totalBytes?: number;
}

export interface DownloadOptions {
  readonly url: string;
  readonly dest: string;
  /** hex md5 of the whole file: checked before `dest` appears */
  readonly md5: string;
  readonly onProgress?: (progress: DownloadProgress) => void;
  readonly signal?: AbortSignal;
  readonly fetchImpl?: typeof fetch;
}

/**
 * Fetches `url` into `dest` through `dest.part`, resuming a part left by an earlier attempt with a
 * Range request. `dest` only ever appears complete and verified (renamed from the part). A network
 * failure keeps the part for the next attempt; a checksum mismatch deletes it, since some of it is wrong
 * and there is no telling which.
 */
export async function downloadFile(options: DownloadOptions): Promise<void> {
  const { url, dest } = options;
  const part = `${dest}.part`;
  const expected = options.md5.toLowerCase();
  await mkdir(dirname(dest), { recursive: true });

  // One restart at most: a server that cannot serve the part's range gets a plain download instead.
  for (let restarted = false; ; restarted = true) {
    const offset = await sizeOf(part);
    const response = await request(options, offset);

    if (response.status === 416 && offset > 0) {
      await response.body?.cancel();
      const total = parseContentRange(response.headers.get('content-range'))?.total;
      if (total === offset) {
        // The part was already whole: an earlier attempt died between the last byte and the rename.
        const hash = createHash('md5');
        await hashFile(part, hash);
        options.onProgress?.({ receivedBytes: offset, totalBytes: total });
        return finish(part, dest, url, expected, hash.digest('hex'));
      }
      if (restarted) throw failed(`${url} refused the range ${offset}- of a fresh download (HTTP 416)`);
      await rm(part, { force: true });
      continue;
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw failed(`Downloading ${url} failed: HTTP ${response.status} ${response.statusText}`.trim() + '.');
    }

    let start = 0;
    let total = contentLength(response);
    if (response.status === 206) {
      const range = parseContentRange(response.headers.get('content-range'));
      if (range?.start !== offset) {
        await response.body?.cancel();
        if (restarted) throw failed(`${url} answered a range request with the wrong range.`);
        await rm(part, { force: true });
        continue;
      }
      start = offset;
      total = range.total;
    }
    // A 200 to a range request means the server ignored the range: the body is the whole file.
    const hash = createHash('md5');
    if (start > 0) await hashFile(part, hash);
    const received = await receive(response, part, start, total, hash, options);
    if (total !== undefined && received !== total) {
      throw failed(`Downloading ${url} stopped after ${received} of ${total} bytes; run again to resume.`);
    }
    return finish(part, dest, url, expected, hash.digest('hex'));
  }
}

async function request(options: DownloadOptions, offset: number): Promise<Response> {
  const fetchImpl = options.fetchImpl ?? fetch;
  // identity: byte ranges and lengths must count the file's own bytes, not a compressed stream's.
  const headers: Record<string, string> = { 'Accept-Encoding': 'identity' };
  if (offset > 0) headers.Range = `bytes=${offset}-`;
  try {
    return await fetchImpl(options.url, { headers, signal: options.signal, redirect: 'follow' });
  } catch (error) {
    throw networkError(options, error);
  }
}

async function receive(
  response: Response,
  part: string,
  start: number,
  total: number | undefined,
  hash: Hash,
  options: DownloadOptions,
): Promise<number> {
  if (!response.body) return start;
  const reader = response.body.getReader();
  const file = await open(part, start > 0 ? 'a' : 'w');
  let received = start;
  try {
    options.onProgress?.({ receivedBytes: received, totalBytes: total });
    for (;;) {
      const chunk = await reader.read().catch((error: unknown) => {
        throw networkError(options, error);
      });
      if (chunk.done) return received;
      // Written before it is counted, so every byte reported is on disk if the connection then dies.
      await file.write(chunk.value);
      hash.update(chunk.value);
      received += chunk.value.byteLength;
      options.onProgress?.({ receivedBytes: received, totalBytes: total });
    }
  } catch (error) {
    // Frees the connection when the failure was ours (disk, progress callback) rather than the network's.
    await reader.cancel().catch(() => undefined);
    throw error;
  } finally {
    reader.releaseLock();
    await file.close();
  }
}

async function finish(part: string, dest: string, url: string, expected: string, actual: string): Promise<void> {
  if (actual !== expected) {
    await rm(part, { force: true });
    throw failed(`The file downloaded from ${url} has md5 ${actual}, expected ${expected}; it was deleted.`);
  }
  await rename(part, dest);
}

function networkError(options: DownloadOptions, error: unknown): EngineError {
  if (options.signal?.aborted) {
    return new EngineError('CANCELLED', `Download of ${options.url} cancelled; the partial file is kept.`, {
      cause: error,
    });
  }
  return new EngineError('WEIGHTS_DOWNLOAD_FAILED', `Downloading ${options.url} failed: ${describe(error)}.`, {
    cause: error,
  });
}

function failed(message: string): EngineError {
  return new EngineError('WEIGHTS_DOWNLOAD_FAILED', message);
}

/** fetch wraps the useful part ("connect ECONNREFUSED ...") in its causes behind "fetch failed". */
function describe(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error; e !== undefined && parts.length < 4; e = (e as { cause?: unknown }).cause) {
    parts.push(e instanceof Error ? e.message : String(e));
    if (!(e instanceof Error)) break;
  }
  return parts.join(': ');
}

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
}

async function hashFile(path: string, hash: Hash): Promise<void> {
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
}

function contentLength(response: Response): number | undefined {
  // With a content encoding the header counts compressed bytes, not the bytes we write.
  if (response.headers.get('content-encoding')) return undefined;
  const value = Number(response.headers.get('content-length') ?? NaN);
  return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

function parseContentRange(header: string | null): { start?: number; total?: number } | undefined {
  const match = header ? /^bytes (?:(\d+)-\d+|\*)\/(\d+|\*)$/.exec(header.trim()) : null;
  if (!match) return undefined;
  const num = (s: string | undefined): number | undefined => (s === undefined || s === '*' ? undefined : Number(s));
  return { start: num(match[1]), total: num(match[2]) };
}
