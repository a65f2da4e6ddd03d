import { createHash, randomBytes } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isEngineError } from '../../../src/engine/errors.js';
import { downloadFile, type DownloadProgress } from '../../../src/engine/weights/download.js';
import { useTempDirs } from './fixtures.js';
import { closedPortUrl, serveBytes, startServer, type TestServer } from './http-server.js';

const DATA = randomBytes(3 * 1024 * 1024 + 17);
const MD5 = createHash('md5').update(DATA).digest('hex');
const md5Of = async (file: string): Promise<string> => createHash('md5').update(await readFile(file)).digest('hex');
const exists = (file: string): Promise<boolean> => stat(file).then(() => true, () => false);

async function rejection(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(Error);
  return error as Error;
}

describe('downloadFile', () => {
  const tempDir = useTempDirs();
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('downloads, verifies md5, reports progress up to the total and leaves no part', async () => {
    server = await startServer(serveBytes(DATA));
    const dest = join(await tempDir(), 'nested', 'weights.h5');
    const progress: DownloadProgress[] = [];
    await downloadFile({ url: server.url, dest, md5: MD5, onProgress: (p) => progress.push(p) });
    expect(await md5Of(dest)).toBe(MD5);
    expect(await exists(`${dest}.part`)).toBe(false);
    expect(server.requests[0]?.range).toBeUndefined();
    expect(progress.at(-1)).toEqual({ receivedBytes: DATA.length, totalBytes: DATA.length });
    const received = progress.map((p) => p.receivedBytes);
    expect(received).toEqual([...received].sort((a, b) => a - b));
    expect(progress.length).toBeGreaterThan(2);
  });

  it('rejects wrong bytes with WEIGHTS_DOWNLOAD_FAILED naming both hashes, leaving neither file nor part', async () => {
    const wrong = Buffer.from(DATA);
    wrong[12345] = wrong[12345]! ^ 0xff;
    const actual = createHash('md5').update(wrong).digest('hex');
    server = await startServer(serveBytes(wrong));
    const dest = join(await tempDir(), 'weights.h5');
    const error = await rejection(downloadFile({ url: server.url, dest, md5: MD5 }));
    expect(isEngineError(error, 'WEIGHTS_DOWNLOAD_FAILED')).toBe(true);
    expect(error.message).toContain(MD5);
    expect(error.message).toContain(actual);
    expect(await exists(dest)).toBe(false);
    expect(await exists(`${dest}.part`)).toBe(false);
  });

  it('keeps the part when the connection dies and resumes it with a Range request', async () => {
    const cut = 1024 * 1024 + 3;
    let firstResponse: ServerResponse | undefined;
    server = await startServer((req, res, index) => {
      if (index > 0) return serveBytes(DATA)(req, res, index);
      firstResponse = res;
      res.writeHead(200, { 'Content-Length': DATA.length });
      res.write(DATA.subarray(0, cut));
    });
    const dest = join(await tempDir(), 'weights.h5');
    // Cut only once every sent byte has reached the disk, so the part's length is exactly `cut`.
    const onProgress = (p: DownloadProgress): void => {
      if (p.receivedBytes === cut) firstResponse?.socket?.destroy();
    };
    const error = await rejection(downloadFile({ url: server.url, dest, md5: MD5, onProgress }));
    expect(isEngineError(error, 'WEIGHTS_DOWNLOAD_FAILED')).toBe(true);
    expect(error.message).toContain(server.url);
    expect(await exists(dest)).toBe(false);
    expect((await stat(`${dest}.part`)).size).toBe(cut);

    const progress: DownloadProgress[] = [];
    await downloadFile({ url: server.url, dest, md5: MD5, onProgress: (p) => progress.push(p) });
    expect(server.requests[1]?.range).toBe(`bytes=${cut}-`);
    expect(progress[0]).toEqual({ receivedBytes: cut, totalBytes: DATA.length });
    expect(await md5Of(dest)).toBe(MD5);
    expect(await exists(`${dest}.part`)).toBe(false);
  });

  it('starts over when the server answers a range request with the whole file (200)', async () => {
    server = await startServer(serveBytes(DATA, { ignoreRange: true }));
    const dest = join(await tempDir(), 'weights.h5');
    // A part that disagrees with the file: appending to it would fail the md5.
    await writeFile(`${dest}.part`, randomBytes(1000));
    await downloadFile({ url: server.url, dest, md5: MD5 });
    expect(server.requests[0]?.range).toBe('bytes=1000-');
    expect(await md5Of(dest)).toBe(MD5);
  });

  it('finishes a part that is already whole when the server answers 416', async () => {
    server = await startServer(serveBytes(DATA));
    const dest = join(await tempDir(), 'weights.h5');
    await writeFile(`${dest}.part`, DATA);
    await downloadFile({ url: server.url, dest, md5: MD5 });
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]?.range).toBe(`bytes=${DATA.length}-`);
    expect(await md5Of(dest)).toBe(MD5);
  });

  it('restarts once when a part is longer than the file (416)', async () => {
    server = await startServer(serveBytes(DATA));
    const dest = join(await tempDir(), 'weights.h5');
    await writeFile(`${dest}.part`, Buffer.concat([DATA, Buffer.from('trailing junk')]));
    await downloadFile({ url: server.url, dest, md5: MD5 });
    expect(server.requests.map((h) => h.range)).toEqual([`bytes=${DATA.length + 13}-`, undefined]);
    expect(await md5Of(dest)).toBe(MD5);
  });

  it('reports an HTTP error status with the URL and keeps an existing part', async () => {
    server = await startServer((_req, res) => {
      res.writeHead(404);
      res.end();
    });
    const dest = join(await tempDir(), 'weights.h5');
    await writeFile(`${dest}.part`, DATA.subarray(0, 10));
    const error = await rejection(downloadFile({ url: server.url, dest, md5: MD5 }));
    expect(isEngineError(error, 'WEIGHTS_DOWNLOAD_FAILED')).toBe(true);
    expect(error.message).toContain('404');
    expect(error.message).toContain(server.url);
    expect((await stat(`${dest}.part`)).size).toBe(10);
  });

  it('reports a refused connection with the URL and the cause', async () => {
    const url = await closedPortUrl();
    const error = await rejection(downloadFile({ url, dest: join(await tempDir(), 'w.h5'), md5: MD5 }));
    expect(isEngineError(error, 'WEIGHTS_DOWNLOAD_FAILED')).toBe(true);
    expect(error.message).toContain(url);
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('turns an aborted signal into CANCELLED', async () => {
    server = await startServer(serveBytes(DATA));
    const error = await rejection(
      downloadFile({ url: server.url, dest: join(await tempDir(), 'w.h5'), md5: MD5, signal: AbortSignal.abort() }),
    );
    expect(isEngineError(error, 'CANCELLED')).toBe(true);
  });
});
