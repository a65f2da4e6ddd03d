import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isEngineError } from '../../../src/engine/errors.js';
import { defaultCacheDir, projectModelsDir, resolveWeightsFile, VGG19_WEIGHTS } from '../../../src/engine/weights/resolve.js';
import { REPO_ROOT } from '../../helpers/paths.js';
import { useTempDirs } from './fixtures.js';
import { closedPortUrl, serveBytes, startServer } from './http-server.js';

async function rejection(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(Error);
  return error as Error;
}

describe('defaultCacheDir', () => {
  it("prefers STYLEBOT_CACHE_DIR, then the project's models/ folder", () => {
    expect(defaultCacheDir({ STYLEBOT_CACHE_DIR: '/srv/cache', XDG_CACHE_HOME: '/xdg' })).toBe('/srv/cache');
    expect(defaultCacheDir({ XDG_CACHE_HOME: '/xdg' })).toBe(join(REPO_ROOT, 'models'));
    expect(projectModelsDir()).toBe(join(REPO_ROOT, 'models'));
  });

  it('without a models/ folder: XDG_CACHE_HOME/stylebot, then ~/.cache/stylebot', () => {
    expect(defaultCacheDir({ XDG_CACHE_HOME: '/xdg' }, null)).toBe('/xdg/stylebot');
    expect(defaultCacheDir({}, null)).toBe(join(homedir(), '.cache', 'stylebot'));
    // The XDG spec says a relative XDG_CACHE_HOME is invalid and to be ignored.
    expect(defaultCacheDir({ XDG_CACHE_HOME: 'relative' }, null)).toBe(join(homedir(), '.cache', 'stylebot'));
  });
});

describe('resolveWeightsFile', () => {
  const tempDir = useTempDirs();

  it('returns an explicit file that exists, without looking at the cache', async () => {
    const file = join(await tempDir(), 'mine.h5');
    await writeFile(file, 'x');
    expect(await resolveWeightsFile({ file, url: await closedPortUrl() })).toBe(file);
  });

  it('rejects an explicit file that does not exist, naming it and STYLEBOT_WEIGHTS', async () => {
    const file = join(await tempDir(), 'missing.h5');
    const error = await rejection(resolveWeightsFile({ file, cacheDir: await tempDir() }));
    expect(isEngineError(error, 'WEIGHTS_NOT_FOUND')).toBe(true);
    expect(error.message).toContain(file);
    expect(error.message).toContain('STYLEBOT_WEIGHTS');
  });

  it('uses the cached file without touching the network', async () => {
    const cacheDir = await tempDir();
    const cached = join(cacheDir, VGG19_WEIGHTS.fileName);
    await writeFile(cached, 'cached');
    expect(await resolveWeightsFile({ cacheDir, url: await closedPortUrl() })).toBe(cached);
  });

  it('downloads into the cache once, then finds it there', async () => {
    const data = randomBytes(256 * 1024);
    const server = await startServer(serveBytes(data));
    try {
      const cacheDir = join(await tempDir(), 'deeper');
      const md5 = createHash('md5').update(data).digest('hex');
      const first = await resolveWeightsFile({ cacheDir, url: server.url, md5 });
      expect(first).toBe(join(cacheDir, VGG19_WEIGHTS.fileName));
      expect((await readFile(first)).equals(data)).toBe(true);
      expect(await resolveWeightsFile({ cacheDir, url: server.url, md5 })).toBe(first);
      expect(server.requests).toHaveLength(1);
    } finally {
      await server.close();
    }
  });

  it('offline: says where to put the file by hand, that STYLEBOT_WEIGHTS can point to one, and the URL', async () => {
    const cacheDir = await tempDir();
    const url = await closedPortUrl();
    const error = await rejection(resolveWeightsFile({ cacheDir, url }));
    expect(isEngineError(error, 'WEIGHTS_DOWNLOAD_FAILED')).toBe(true);
    expect(error.message).toContain(join(cacheDir, VGG19_WEIGHTS.fileName));
    expect(error.message).toContain('STYLEBOT_WEIGHTS');
    expect(error.message).toContain(url);
  });

  it('with downloading off and an empty cache: WEIGHTS_NOT_FOUND with the same instructions', async () => {
    const cacheDir = join(await tempDir(), 'empty');
    await mkdir(cacheDir);
    const error = await rejection(resolveWeightsFile({ cacheDir, download: false }));
    expect(isEngineError(error, 'WEIGHTS_NOT_FOUND')).toBe(true);
    expect(error.message).toContain(join(cacheDir, VGG19_WEIGHTS.fileName));
    expect(error.message).toContain('STYLEBOT_WEIGHTS');
    expect(error.message).toContain(VGG19_WEIGHTS.url);
  });
});
