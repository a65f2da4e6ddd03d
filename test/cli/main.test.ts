import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { SHARED_IMAGES, SHARED_WEIGHTS } from '../images/shared-files.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'stylebot-main-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The real entry point in a child process, as `npm run stylebot -- …` runs it (tsx, no build). */
function stylebot(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', ...args],
      // A cache directory of its own: no test may find or download real weights by accident.
      { cwd: ROOT, env: { ...process.env, STYLEBOT_WEIGHTS: '', STYLEBOT_CACHE_DIR: join(dir, 'cache'), LOG_LEVEL: '', ...env } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
    );
  });
}

describe('stylebot (child process, real engine and weights)', () => {
  it('stylizes real pictures and writes the PNG, the GIF and the loss plot', async () => {
    const out = join(dir, 'result.png');
    const gif = join(dir, 'progress.gif');
    const plot = join(dir, 'losses.png');
    const result = await stylebot([
      'stylize',
      '--content', `${SHARED_IMAGES}content/tubingen_neckarfront.jpg`,
      '--style', `${SHARED_IMAGES}style/hokusai_great_wave.jpg`,
      '--out', out, '--gif', gif, '--plot', plot,
      '--size', '32', '--steps', '3', '--seed', '1', '--json',
      '--weights', SHARED_WEIGHTS,
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout.trimEnd().split('\n').at(-1)!);
    expect(summary).toMatchObject({ steps: 3, out, gif, plot, width: 32, height: 24, seed: 1 });
    expect(summary.totalLoss).toBeGreaterThan(0);
    const parts = summary.styleLoss + summary.contentLoss + summary.tvLoss;
    expect(Math.abs(parts - summary.totalLoss) / summary.totalLoss).toBeLessThan(1e-5);

    expect(await sharp(readFileSync(out)).metadata()).toMatchObject({ format: 'png', width: 32, height: 24, channels: 3 });
    // step 0 (the content, as init) and step 3 (the result)
    expect(await sharp(readFileSync(gif), { animated: true }).metadata()).toMatchObject({ format: 'gif', width: 32, pages: 2 });
    expect(await sharp(readFileSync(plot)).metadata()).toMatchObject({ format: 'png', width: 640, height: 400 });
  });

  it('explains in one line that `gatys` needs the full weights file', async () => {
    const result = await stylebot([
      'stylize',
      '--content', `${SHARED_IMAGES}content/chelsea_cat.jpg`,
      '--style', `${SHARED_IMAGES}style/vangogh_starry_night.jpg`,
      '--out', join(dir, 'never.png'), '--size', '32', '--steps', '2', '--layers', 'gatys',
      '--weights', SHARED_WEIGHTS,
    ]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^stylebot: Weights file .*block1-3\.h5 has no layer conv4_1 .*stylebot weights download.*--layers seed/);
  });
});
