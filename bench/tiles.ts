/**
 * `npm run bench -- --tiles`: what tiling costs per step. At each size, in one process and on the same
 * picture, the median ms per step of whole-image steps and of tiled steps at several tile sizes, with
 * their ratio (target: at most 1.5x where both fit). Real weights (`seed` layers), Adam, no TV. Whole
 * image means `tileSize` 8192: no tiles at any size this bench runs.
 *
 *   npm run bench -- --tiles [--size 512,1024] [--tile 256,512] [--provider cpu|auto|cuda|webgpu] [--json]
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Engine } from '../src/engine/index.js';
import { planTiles } from '../src/engine/tiles/layout.js';
import { vgg19Until } from '../src/engine/vgg19.js';

const WEIGHTS = path.resolve(process.cwd(), '../shared/models/vgg19_imagenet_notop_block1-3.h5');

export interface TileBenchRow {
  readonly size: number;
  /** 0: the whole image at once */
  readonly tileSize: number;
  readonly tiles: number;
  readonly msPerStep: number;
  /** ms per step over the whole-image run's, same size, same process */
  readonly ratio: number;
}

function listArg(name: string, fallback: number[]): number[] {
  const i = process.argv.indexOf(name);
  return i < 0 ? fallback : process.argv[i + 1]!.split(',').map(Number);
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** The time of each measured step of one run (after a warm-up step). */
async function stepTimes(engine: Engine, size: number, tileSize: number, steps: number): Promise<number[]> {
  const image = { width: size, height: size, data: Float32Array.from({ length: 3 * size * size }, (_, i) => (i % 251) / 251) };
  const at: number[] = [];
  const warmup = 1;
  await engine.stylize({
    content: image,
    styles: [{ image }],
    options: { layers: 'seed', optimizer: 'adam', steps: warmup + steps, seed: 1, tileSize: tileSize === 0 ? 8192 : tileSize },
    onProgress: (e) => {
      at[e.step] = e.elapsedMs;
    },
  });
  return at.slice(warmup + 1).map((t, i) => t - at[warmup + i]!);
}

if (!existsSync(WEIGHTS)) throw new Error(`The tiles bench reads the real weights at ${WEIGHTS}.`);
const json = process.argv.includes('--json');
const sizes = listArg('--size', [512, 1024]);
const tileSizes = listArg('--tile', [256, 512]);
const providerAt = process.argv.indexOf('--provider');
const provider = (providerAt < 0 ? 'cpu' : process.argv[providerAt + 1]) as 'cpu' | 'auto' | 'cuda' | 'webgpu';
const engine = await Engine.create({ weightsFile: WEIGHTS, provider });
const rows: TileBenchRow[] = [];
// Rounds that alternate the configurations, medians over all their steps: a neighbour's load on this
// shared machine then falls on every configuration alike instead of on whichever ran during it.
const ROUNDS = 2;
for (const size of sizes) {
  const steps = size <= 512 ? 5 : 3;
  const configs = [0, ...tileSizes.filter((t) => t < size)];
  const samples = new Map<number, number[]>(configs.map((t) => [t, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const tileSize of configs) samples.get(tileSize)!.push(...(await stepTimes(engine, size, tileSize, steps)));
  }
  const whole = median(samples.get(0)!);
  for (const tileSize of configs) {
    const ms = median(samples.get(tileSize)!);
    const tiles = tileSize === 0 ? 1 : planTiles(size, size, tileSize, vgg19Until('conv3_1')).tiles.length;
    rows.push({ size, tileSize, tiles, msPerStep: ms, ratio: ms / whole });
    if (!json) {
      const what = tileSize === 0 ? 'whole image       ' : `tiles of ${String(tileSize).padStart(4)} (${String(tiles).padStart(2)})`;
      console.log(`${String(size).padStart(5)} px  ${what}  ${ms.toFixed(0).padStart(6)} ms/step  ${(ms / whole).toFixed(2)}x`);
    }
  }
}
await engine.release();
if (json) console.log(JSON.stringify(rows));
else console.log(`provider: ${engine.executionProvider}`);
