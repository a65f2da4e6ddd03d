import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { EngineError } from '../../src/engine/index.js';
import { descriptorsFor } from '../../src/pipeline/index.js';
import { SHARED_IMAGES } from '../images/shared-files.js';
import { runCli } from './harness.js';

const dir = mkdtempSync(join(tmpdir(), 'stylebot-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CONTENT = `${SHARED_IMAGES}content/chelsea_cat.jpg`;
const STYLE = `${SHARED_IMAGES}style/vangogh_starry_night.jpg`;
const base = (out = 'out.png') => ['stylize', '--content', CONTENT, '--style', STYLE, '--out', out, '--size', '32', '--steps', '3'];

/** The flags issue 3 lists for `stylebot stylize`, no more and no fewer. */
const ISSUE_FLAGS = [
  'content', 'style', 'style-blend', 'out', 'gif', 'plot', 'size', 'steps', 'optimizer', 'lr', 'style-weight',
  'content-weight', 'tv-weight', 'init', 'layers', 'pooling', 'scales', 'preserve-colors', 'style-scale', 'seed',
  'weights', 'json',
];

function expectOneLineRefusal(result: { code: number; stderr: string; engines: unknown[] }, pattern: RegExp) {
  expect(result.code).toBe(2);
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^stylebot: /);
  expect(lines[0]).toMatch(pattern);
  expect(result.stderr).not.toMatch(/\n\s+at /);
  expect(result.engines).toHaveLength(0);
}

describe('stylebot stylize: flags', () => {
  it('has the flags of the issue and of the descriptors, with help text and schema defaults', async () => {
    const result = await runCli(['stylize', '--help'], { cwd: dir });
    expect(result.code).toBe(0);
    const flags = [...result.stdout.matchAll(/^\s+--([a-z-]+)/gm)].map((m) => m[1]!);
    expect(flags).toEqual(expect.arrayContaining(ISSUE_FLAGS));
    // options added to the schema later appear through the descriptors, and nothing else does
    const generated = descriptorsFor('cli').map((d) => d.names.flag);
    expect(flags.filter((f) => !ISSUE_FLAGS.includes(f)).every((f) => generated.includes(f))).toBe(true);
    expect(result.stdout).toMatch(/--style-weight <number>\s+multiplier of the style loss \(default: 100\)/);
    expect(result.stdout).toMatch(/--size <number>[^\n]*\n[^\n]*\(default: 256\)/);
  });

  it('turns flags into pipeline options, leaving absent ones to the schema', async () => {
    const result = await runCli(
      [...base(), '--style-weight', '1e3', '--scales', '16,24', '--preserve-colors', '--optimizer', 'lbfgs', '--seed', '7', '--layers', "{1:'s', 4:'sc'}"],
      { cwd: dir },
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const options = result.engines[0]!.requests[0]!.options!;
    expect(options).toMatchObject({ styleWeight: 1000, scales: [16, 24], optimizer: 'lbfgs', seed: 7, layers: "{1:'s', 4:'sc'}", steps: 3 });
    expect(options.contentWeight).toBe(1);
  });

  it('takes several styles with a blend', async () => {
    const wave = `${SHARED_IMAGES}style/hokusai_great_wave.jpg`;
    const result = await runCli([...base(), '--style', wave, '--style-blend', '0.7,0.3'], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.engines[0]!.requests[0]!.styles.map((s) => s.weight)).toEqual([0.7, 0.3]);
  });
});

describe('stylebot stylize: outputs', () => {
  it('writes the PNG, GIF and plot and ends with one JSON line', async () => {
    const result = await runCli([...base('r.png'), '--gif', 'r.gif', '--plot', 'l.png', '--json'], { cwd: dir });
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    const summary = JSON.parse(lines.at(-1)!);
    expect(summary).toMatchObject({ steps: 3, out: join(dir, 'r.png'), gif: join(dir, 'r.gif'), plot: join(dir, 'l.png'), width: 32, height: 21 });
    for (const key of ['styleLoss', 'contentLoss', 'totalLoss', 'seconds']) expect(typeof summary[key]).toBe('number');
    expect((await sharp(readFileSync(join(dir, 'r.png'))).metadata()).format).toBe('png');
    expect((await sharp(readFileSync(join(dir, 'r.gif'))).metadata()).format).toBe('gif');
    expect((await sharp(readFileSync(join(dir, 'l.png'))).metadata()).format).toBe('png');
    expect(result.engines[0]!.released).toBe(true);
  });

  it('prints a one-line summary without --json and no progress bar off a terminal', async () => {
    const result = await runCli(base('plain.png'), { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Wrote plain\.png: 32x21, 3 steps in [\d.]+ s; loss style .+; seed 42\.\n$/);
    expect(result.stderr).toBe('');
  });
});

describe('stylebot stylize: what ran differently from what was asked', () => {
  it('says so below the summary, and in the JSON line', async () => {
    const strip = ['stylize', '--content', `${SHARED_IMAGES}tricky/extreme_aspect_2000x100_kodim13.jpg`, '--style', STYLE, '--size', '256', '--steps', '1'];
    const plain = await runCli([...strip, '--out', 'strip.png'], { cwd: dir });
    expect(plain.stderr).toBe('');
    expect(plain.code).toBe(0);
    const grown = 'The picture is long and thin, so it was made 320 px on its long side instead of 256: its short side needs at least 16 px.';
    expect(plain.stdout.trimEnd().split('\n').slice(1)).toEqual([grown]);
    const json = await runCli([...strip, '--out', 'strip2.png', '--json'], { cwd: dir });
    expect(JSON.parse(json.stdout.trimEnd().split('\n').at(-1)!).adjustments).toEqual([{ kind: 'size-grown', requested: 256, used: 320, message: grown }]);
  });
});

describe('stylebot stylize: refusals are one line, exit 2, and come before any engine', () => {
  it.each([
    [['stylize', '--style', STYLE, '--out', 'x.png'], /Required option '--content <file>' not specified\. See stylebot stylize --help\.$/],
    [[...base(), '--lr', 'abc'], /'abc' is not a number/],
    [[...base(), '--lr', '0'], /Option --lr: must be more than 0\./],
    [[...base(), '--steps', '2.5', '--size', '9999'], /Option --steps: must be a whole number; option --size: must be at most 2048\./],
    [[...base(), '--optimizer', 'sgd'], /Allowed choices are adam, lbfgs/],
    [[...base(), '--layers', 'conv9_9'], /Option --layers: Layer spec "conv9_9" is not valid/],
    [[...base(), '--style-blend', '1,2'], /Option --style-blend: 2 weights for 1 style image/],
    [[...base(), '--scales', '64,x'], /not a comma-separated list of numbers/],
    [[...base(), '--frobnicate'], /Unknown option '--frobnicate'/],
    [[...base('out.jpg')], /--out out\.jpg: this output is a PNG file, so its name must end in \.png\./],
    [[...base(), '--gif', 'progress.png'], /--gif progress\.png: .* must end in \.gif\./],
    [[...base('missing/out.png')], /Cannot write --out missing\/out\.png: the directory .* does not exist/],
    [[...base(), '--gif', 'out.gif', '--plot', 'out.gif'], /--plot out\.gif: .* must end in \.png/],
    [['stylize', '--content', 'nope.jpg', '--style', STYLE, '--out', 'x.png'], /Cannot read --content nope\.jpg: no such file\. Check the path\./],
    [['stylize', '--content', SHARED_IMAGES, '--style', STYLE, '--out', 'x.png'], /is a directory/],
    [['frobnicate'], /Unknown command 'frobnicate'/],
  ])('%j', async (argv, pattern) => {
    expectOneLineRefusal(await runCli(argv, { cwd: dir }), pattern);
  });

  it.each([
    ['empty_zero_bytes.jpg', /empty_zero_bytes\.jpg: The content image is an empty file/],
    ['truncated_40pct_chelsea.jpg', /truncated_40pct_chelsea\.jpg: The content image is cut off/],
    ['text_not_an_image.jpg', /text_not_an_image\.jpg: The content image is a text file/],
    ['bomb_60000x60000_rgb_header_only.png', /bomb_60000x60000_rgb_header_only\.png: The content image is 60000x60000 pixels, over the 40-megapixel limit/],
  ])('refuses bad/%s as content', async (file, pattern) => {
    const result = await runCli(['stylize', '--content', `${SHARED_IMAGES}bad/${file}`, '--style', STYLE, '--out', 'x.png'], { cwd: dir });
    expectOneLineRefusal(result, pattern);
    expect(result.weightRequests).toHaveLength(0);
  });

  it('names which of several style files is bad', async () => {
    const svg = join(dir, 'logo.svg');
    writeFileSync(svg, '<svg xmlns="http://www.w3.org/2000/svg"/>');
    const result = await runCli(['stylize', '--content', CONTENT, '--style', STYLE, '--style', svg, '--out', 'x.png'], { cwd: dir });
    expectOneLineRefusal(result, /logo\.svg: Style image 2 is SVG or other XML/);
  });

  it('does not write anything when it refuses', async () => {
    await runCli([...base('never.png'), '--lr', '-1'], { cwd: dir });
    expect(existsSync(join(dir, 'never.png'))).toBe(false);
  });
});

describe('stylebot stylize: failures during the run', () => {
  it('gives engine errors as one line with the right exit code', async () => {
    const result = await runCli(base(), { cwd: dir, engineError: new EngineError('RUNTIME_FAILED', 'The loss became NaN at step 3; try lower weights or learning rate.') });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('stylebot: The loss became NaN at step 3; try lower weights or learning rate.\n');
    expect(result.engines[0]!.released).toBe(true);
  });

  it('hides the stack of an unexpected error and logs it instead', async () => {
    const bug = new TypeError("Cannot read properties of undefined (reading 'x')");
    const result = await runCli(base(), { cwd: dir, engineError: bug });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^stylebot: Unexpected error: Cannot read properties of undefined \(reading 'x'\) \(run with LOG_LEVEL=debug for details\)\.\n$/);
    expect(result.logged.find((l) => l.level === 'error')?.object).toMatchObject({ err: bug });
  });

  it('exits 130 when cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    const result = await runCli(base(), { cwd: dir, signal: controller.signal });
    expect(result.code).toBe(130);
    expect(result.stderr).toBe('stylebot: Cancelled.\n');
  });
});

describe('weights', () => {
  it('prefers --weights over STYLEBOT_WEIGHTS, and that over the cache', async () => {
    const env = { STYLEBOT_WEIGHTS: 'from-env.h5', STYLEBOT_CACHE_DIR: '/tmp/stylebot-cache' };
    const flagged = await runCli([...base(), '--weights', 'flag.h5'], { cwd: dir, env });
    expect(flagged.weightRequests[0]!.file).toBe(join(dir, 'flag.h5'));
    const fromEnv = await runCli(base(), { cwd: dir, env });
    expect(fromEnv.weightRequests[0]!.file).toBe(join(dir, 'from-env.h5'));
    const cached = await runCli(base(), { cwd: dir, env: { STYLEBOT_CACHE_DIR: '/tmp/stylebot-cache', STYLEBOT_WEIGHTS: '' } });
    expect(cached.weightRequests[0]).toMatchObject({ file: undefined, cacheDir: '/tmp/stylebot-cache' });
  });

  it('`weights download` fetches into the cache, saying so once', async () => {
    const result = await runCli(['weights', 'download'], {
      cwd: dir,
      env: { STYLEBOT_CACHE_DIR: '/tmp/stylebot-cache' },
      resolveWeights: async (request) => {
        request.onProgress?.({ receivedBytes: 10, totalBytes: 100 });
        request.onProgress?.({ receivedBytes: 100, totalBytes: 100 });
        return '/tmp/stylebot-cache/vgg19.h5';
      },
    });
    expect(result.code).toBe(0);
    expect(result.weightRequests[0]).toMatchObject({ file: undefined, cacheDir: '/tmp/stylebot-cache' });
    expect(result.stderr.match(/Downloading the VGG19 weights/g)).toHaveLength(1);
    expect(result.stdout).toBe('Weights ready: /tmp/stylebot-cache/vgg19.h5\n');
  });

  it('reports a failed download as one line, exit 1', async () => {
    const result = await runCli(['weights', 'download'], {
      cwd: dir,
      resolveWeights: async () => {
        throw new EngineError('WEIGHTS_DOWNLOAD_FAILED', 'Downloading https://x failed: getaddrinfo ENOTFOUND x. Download it by hand.');
      },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('stylebot: Downloading https://x failed: getaddrinfo ENOTFOUND x. Download it by hand.\n');
  });

  it('shows help for a bare `weights` and exits 2', async () => {
    const result = await runCli(['weights'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr + result.stdout).toContain('download');
  });
});
