import { estimateStylizeMemory, type StylizeOptions } from '../pipeline/index.js';
import type { MemoryFit } from './errors.js';

type MemoryInputs = Pick<StylizeOptions, 'size' | 'styleScale' | 'layers' | 'optimizer' | 'lbfgsHistory' | 'steps' | 'scales'> &
  Partial<Pick<StylizeOptions, 'tileSize' | 'octaves' | 'coarseSteps'>>;

/** Tile sizes tried, largest (fastest) first, when a job does not fit whole; below 256 px the halos cost too much. */
const FIT_TILE_SIZES = [512, 384, 256] as const;

/**
 * Peak memory of a job before it runs, from the pipeline's estimate: the working size as a square of `size`
 * (the most pixels any aspect ratio can have at that long side) and each style picture at size x
 * style-scale. The one place the job limits get memory from.
 */
export function jobMemoryBytes(options: MemoryInputs, styleCount = 1): number {
  const side = Math.max(16, Math.round(options.size * options.styleScale));
  return estimateStylizeMemory(options, undefined, Array.from({ length: Math.max(1, styleCount) }, () => ({ width: side, height: side })));
}

/**
 * The job's options with a tile size that fits `maxBytes`, when the engine's own choice would not: the
 * same picture, evaluated in smaller pieces, a little slower. A tile size the user chose is kept.
 */
export function tileToFit<T extends MemoryInputs>(options: T, styleCount: number, maxBytes: number): T {
  if ((options.tileSize ?? 0) !== 0 || jobMemoryBytes(options, styleCount) <= maxBytes) return options;
  for (const tileSize of FIT_TILE_SIZES) {
    const tiled = { ...options, tileSize };
    if (jobMemoryBytes(tiled, styleCount) <= maxBytes) return tiled;
  }
  return { ...options, tileSize: FIT_TILE_SIZES.at(-1)! };
}

/** What would fit in `maxBytes` with the other options unchanged (tiles allowed): the largest size, and the largest L-BFGS history. */
export function memoryFit(options: MemoryInputs, styleCount: number, maxBytes: number): MemoryFit {
  const fits = (o: MemoryInputs) => jobMemoryBytes(tileToFit(o, styleCount, maxBytes), styleCount) <= maxBytes;
  const size = largest(16, options.size - 1, (size) => fits({ ...options, size, scales: options.scales.filter((s) => s < size) }));
  const lbfgsHistory = options.optimizer === 'lbfgs' ? largest(1, options.lbfgsHistory - 1, (lbfgsHistory) => fits({ ...options, lbfgsHistory })) : null;
  return { size, lbfgsHistory };
}

/** The largest n in [low, high] for which the monotone `ok` holds, or null. */
function largest(low: number, high: number, ok: (n: number) => boolean): number | null {
  if (high < low || !ok(low)) return null;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (ok(mid)) low = mid;
    else high = mid - 1;
  }
  return low;
}
