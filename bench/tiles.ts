/**
 * `npm run bench -- --tiles`: what tiling costs per step. At each size, in one process and on the same
 * picture, the median ms per step of whole-image steps and of tiled steps at several tile sizes, with
 * their ratio (target: at most 1.5x where both fit). Real weights (`seed` layers), Adam, no TV.
 *
 *   npm run bench -- --tiles [--size 512,1024] [--tile 256,512] [--json]
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Engine } from '../src/engine/index.js';

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

async function msPerStep(engine: Engine, size: number, tileSize: number, steps: number): Promise<number> {
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
  return median(at.slice(warmup + 1).map((t, i) => t - at[warmup + i]!));
}

if (!existsSync(WEIGHTS)) throw new Error(`The tiles bench reads the real weights at ${WEIGHTS}.`);
const json = process.argv.includes('--json');
const sizes = listArg('--size', [512, 1024]);
const tileSizes = listArg('--tile', [256, 512]);
const engine = await Engine.create({ weightsFile: WEIGHTS, provider: 'cpu' });
const rows: TileBenchRow[] = [];
const { planTiles } = await import('../src/engine/tiles/layout.js');
const { VGG19 } = await import('../src/engine/vgg19.js').then((m) => ({ VGG19: m.vgg19Until('conv3_1') }));
for (const size of sizes) {
  const steps = size <= 512 ? 7 : 5;
  const whole = await msPerStep(engine, size, 0, steps);
  rows.push({ size, tileSize: 0, tiles: 1, msPerStep: whole, ratio: 1 });
  if (!json) console.log(`${String(size).padStart(5)} px  whole image          ${whole.toFixed(0).padStart(6)} ms/step`);
  for (const tileSize of tileSizes.filter((t) => t < size)) {
    const ms = await msPerStep(engine, size, tileSize, steps);
    const tiles = planTiles(size, size, tileSize, VGG19 as never).tiles.length;
    rows.push({ size, tileSize, tiles, msPerStep: ms, ratio: ms / whole });
    if (!json) {
      console.log(`${String(size).padStart(5)} px  tiles of ${String(tileSize).padStart(4)} (${String(tiles).padStart(2)})  ${ms.toFixed(0).padStart(6)} ms/step  ${(ms / whole).toFixed(2)}x`);
    }
  }
}
await engine.release();
if (json) console.log(JSON.stringify(rows));
