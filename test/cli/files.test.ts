import { execFileSync } from 'node:child_process';
import { existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineError } from '../../src/engine/index.js';
import { readInput } from '../../src/cli/files.js';
import { SHARED_IMAGES } from '../images/shared-files.js';
import { runCli, type Harness } from './harness.js';

const dir = mkdtempSync(join(tmpdir(), 'stylebot-cli-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const STYLE = `${SHARED_IMAGES}style/vangogh_starry_night.jpg`;
const PICTURE = join(dir, 'photo.png');
const stylize = (content: string, out: string, ...more: string[]) => ['stylize', '--content', content, '--style', STYLE, '--out', out, '--size', '32', '--steps', '2', ...more];

beforeAll(async () => {
  writeFileSync(PICTURE, await sharp({ create: { width: 48, height: 32, channels: 3, background: '#3a6' } }).png().toBuffer());
});

function expectRefusedBeforeCompute(result: Harness, pattern: RegExp) {
  expect(result.stderr).toMatch(/^stylebot: /);
  expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(result.stderr).toMatch(pattern);
  expect(result.code).toBe(2);
  expect(result.engines).toHaveLength(0);
  expect(result.weightRequests).toHaveLength(0);
}

/** Temporary files the command line may have left in a directory. */
const leftovers = (folder: string) => readdirSync(folder).filter((name) => name.endsWith('.tmp'));

describe('stylebot stylize: inputs that are not regular files', () => {
  it('refuses a FIFO as --content without opening it (which would block)', async () => {
    const fifo = join(dir, 'pipe.jpg');
    execFileSync('mkfifo', [fifo]);
    expectRefusedBeforeCompute(await runCli(stylize(fifo, 'a.png'), { cwd: dir }), /--content .*pipe\.jpg is not a regular file \(a pipe, a device or a socket\)/);
  });

  it('refuses /dev/zero, which never ends', async () => {
    expectRefusedBeforeCompute(await runCli(stylize('/dev/zero', 'a.png'), { cwd: dir }), /--content \/dev\/zero is not a regular file/);
    expectRefusedBeforeCompute(
      await runCli(['stylize', '--content', PICTURE, '--style', '/dev/zero', '--out', 'a.png'], { cwd: dir }),
      /--style \/dev\/zero is not a regular file/,
    );
  });

  it('reads no more than the byte cap', async () => {
    const big = join(dir, 'big.png');
    writeFileSync(big, Buffer.alloc(4096, 1));
    await expect(readInput(dir, big, '--content', 'The content image', 4095)).rejects.toMatchObject({ code: 'TOO_LARGE_BYTES' });
    expect((await readInput(dir, big, '--content', 'The content image', 4096)).length).toBe(4096);
  });
});

describe('stylebot stylize: outputs are checked before the compute', () => {
  it('refuses --out naming the --content picture, however it is spelled', async () => {
    const before = readFileSync(PICTURE);
    for (const out of ['photo.png', './photo.png', PICTURE]) {
      expectRefusedBeforeCompute(await runCli(stylize('photo.png', out), { cwd: dir }), /--out .*photo\.png is the --content picture: the result would overwrite it/);
    }
    // a hard link is the same file under another name
    const link = join(dir, 'same-photo.png');
    linkSync(PICTURE, link);
    expectRefusedBeforeCompute(await runCli(stylize('photo.png', 'same-photo.png'), { cwd: dir }), /--out same-photo\.png is the --content picture/);
    expect(readFileSync(PICTURE)).toEqual(before);
  });

  it('refuses --plot naming a style picture', async () => {
    const style = join(dir, 'style.png');
    writeFileSync(style, readFileSync(PICTURE));
    const result = await runCli(['stylize', '--content', PICTURE, '--style', 'style.png', '--out', 'x.png', '--plot', 'style.png'], { cwd: dir });
    expectRefusedBeforeCompute(result, /--plot style\.png is the --style picture/);
  });

  it('refuses a file name the file system cannot take', async () => {
    const long = `${'a'.repeat(300)}.png`;
    expectRefusedBeforeCompute(await runCli(stylize(PICTURE, long), { cwd: dir }), /Cannot write --out .*aaaa…aaaa.*\.png: the name is too long for the file system/);
    expect(leftovers(dir)).toEqual([]);
  });

  it('refuses a directory that does not take new files, although access() says it is writable', async () => {
    // /sys refuses new files even to root, for whom permission bits do not count
    expectRefusedBeforeCompute(await runCli(stylize(PICTURE, '/sys/out.png'), { cwd: dir }), /Cannot write --out \/sys\/out\.png: the directory \/sys is not writable/);
  });

  it('checks every output, not only --out', async () => {
    const result = await runCli(stylize(PICTURE, 'fine.png', '--gif', 'missing/p.gif'), { cwd: dir });
    expectRefusedBeforeCompute(result, /Cannot write --gif missing\/p\.gif: the directory .*missing does not exist/);
    expect(leftovers(dir)).toEqual([]);
  });

  it('writes through temporary files: a failed run leaves the old result and no temporary file', async () => {
    const folder = join(dir, 'fail');
    mkdirSync(folder);
    writeFileSync(join(folder, 'old.png'), 'the previous result');
    const result = await runCli(stylize(PICTURE, 'old.png', '--gif', 'old.gif'), { cwd: folder, engineError: new EngineError('RUNTIME_FAILED', 'The loss became NaN.') });
    expect(result.code).toBe(1);
    expect(readFileSync(join(folder, 'old.png'), 'utf8')).toBe('the previous result');
    expect(existsSync(join(folder, 'old.gif'))).toBe(false);
    expect(leftovers(folder)).toEqual([]);
  });

  it('replaces an existing result on success and leaves no temporary file', async () => {
    const folder = join(dir, 'ok');
    mkdirSync(folder);
    writeFileSync(join(folder, 'r.png'), 'the previous result');
    const result = await runCli(stylize(PICTURE, 'r.png', '--gif', 'r.gif', '--plot', 'l.png'), { cwd: folder });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect((await sharp(readFileSync(join(folder, 'r.png'))).metadata()).format).toBe('png');
    expect(readdirSync(folder).sort()).toEqual(['l.png', 'r.gif', 'r.png']);
  });
});

describe('stylebot stylize: --weights', () => {
  it('says that a directory is a directory', async () => {
    expectRefusedBeforeCompute(await runCli(stylize(PICTURE, 'w.png', '--weights', dir), { cwd: dir }), /--weights .* is a directory: give the path of a VGG19 \.h5 weights file/);
    expectRefusedBeforeCompute(await runCli(stylize(PICTURE, 'w.png'), { cwd: dir, env: { STYLEBOT_WEIGHTS: dir } }), /STYLEBOT_WEIGHTS .* is a directory/);
  });
});
