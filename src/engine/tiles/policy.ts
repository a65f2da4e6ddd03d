import type { Size } from '../plan.js';

/**
 * When the engine tiles by itself (`tileSize` 0). Whole-image steps are the fastest while they fit, and
 * up to 1024 x 1024 px one needs about 3.5 GB with the `seed` layers (memory.ts); beyond that tiles of
 * 512 px keep a step near 1 GB at any size, for 1.45 times the time per step (docs/cli.md, Tiles).
 */
export const AUTO_TILE_ABOVE_PIXELS = 1024 * 1024;
export const AUTO_TILE_SIZE = 512;

/** The tile size a picture of `size` is evaluated with, or undefined for the whole image at once. */
export function tileSizeFor(tileSize: number, size: Size): number | undefined {
  const tile = tileSize > 0 ? tileSize : size.width * size.height > AUTO_TILE_ABOVE_PIXELS ? AUTO_TILE_SIZE : 0;
  if (tile === 0 || (size.width <= tile && size.height <= tile)) return undefined;
  return tile;
}
