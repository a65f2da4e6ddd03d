import type { NetworkLayer } from '../model/network.js';

/** A rectangle of image pixels, end exclusive. */
export interface Rect {
  readonly x0: number;
  readonly y0: number;
  readonly x1: number;
  readonly y1: number;
}

/**
 * One tile: the pixels it owns (the tiles' cores partition the image) and the window it is evaluated on,
 * the core grown by the halo and clipped to the image.
 */
export interface Tile {
  readonly core: Rect;
  readonly window: Rect;
}

export interface TileGrid {
  readonly width: number;
  readonly height: number;
  readonly tiles: readonly Tile[];
  /** the border each window adds around its core (before clipping), in pixels */
  readonly halo: number;
}

/**
 * How far a used network looks around a tile, and the grid its pooling imposes.
 * - `align`: 2^pools. Windows must start on this grid so that every pool window of a tile is one of the
 *   whole image's pool windows, and cores must end on it so that they split every layer's map cleanly.
 * - `margin`: how far outside a core (in input pixels, on either side) the deepest layer's features over
 *   that core reach. Each 3x3 convolution at stride s reaches s further on both sides. A 2x2 pool also
 *   reaches s further on its far side, but on a core aligned to the grid that reach stays inside the core
 *   (the pools' far sides add up to align - 1, the width of one deepest-layer position), so only the
 *   convolutions count.
 */
export function receptiveField(layers: ReadonlyArray<Pick<NetworkLayer, 'kind'>>): { margin: number; align: number } {
  let stride = 1;
  let margin = 0;
  for (const layer of layers) {
    if (layer.kind === 'conv') margin += stride;
    else stride *= 2;
  }
  return { margin, align: stride };
}

/**
 * Splits an image into tiles whose windows hold at most about `tileSize` + 2 x halo pixels per side. The
 * halo covers the receptive field, so every feature a tile owns is computed in its window exactly as in
 * the whole image: zero padding at a window's inner edge only reaches features the tile does not own.
 */
export function planTiles(width: number, height: number, tileSize: number, layers: ReadonlyArray<Pick<NetworkLayer, 'kind'>>): TileGrid {
  const { margin, align } = receptiveField(layers);
  const halo = roundUp(margin, align);
  const xs = splitAxis(width, tileSize, align);
  const ys = splitAxis(height, tileSize, align);
  const tiles: Tile[] = [];
  for (const [y0, y1] of ys) {
    for (const [x0, x1] of xs) {
      tiles.push({
        core: { x0, y0, x1, y1 },
        window: { x0: Math.max(0, x0 - halo), y0: Math.max(0, y0 - halo), x1: Math.min(width, x1 + halo), y1: Math.min(height, y1 + halo) },
      });
    }
  }
  return { width, height, tiles, halo };
}

/** The pixels of the grid's largest window: what one tile step's memory grows with. */
export function largestWindowPixels(grid: TileGrid): number {
  return Math.max(...grid.tiles.map(({ window: r }) => (r.x1 - r.x0) * (r.y1 - r.y0)));
}

/**
 * Even spans of at most about `tile` pixels, each starting on the alignment grid; the last ends at
 * `length`. A last span shorter than the grid would own no feature of the deepest layer (an empty map
 * that ONNX Runtime cannot reshape), so it joins the one before.
 */
function splitAxis(length: number, tile: number, align: number): Array<[number, number]> {
  const count = Math.max(1, Math.ceil(length / Math.max(tile, align)));
  const step = roundUp(Math.ceil(length / count), align);
  const spans: Array<[number, number]> = [];
  for (let start = 0; start < length; start += step) spans.push([start, Math.min(length, start + step)]);
  const last = spans.at(-1)!;
  if (spans.length > 1 && last[1] - last[0] < align) {
    spans.pop();
    spans.at(-1)![1] = length;
  }
  return spans;
}

function roundUp(value: number, multiple: number): number {
  return Math.ceil(value / multiple) * multiple;
}

/** Copies a window of a planar [channels, height, width] array (into `out` when given, of the window's length). */
export function cropPlanar(data: Float32Array, channels: number, width: number, height: number, r: Rect, out?: Float32Array): Float32Array {
  const w = r.x1 - r.x0;
  const h = r.y1 - r.y0;
  out ??= new Float32Array(channels * w * h);
  for (let c = 0; c < channels; c++) {
    for (let y = 0; y < h; y++) {
      const from = c * width * height + (r.y0 + y) * width + r.x0;
      out.set(data.subarray(from, from + w), (c * h + y) * w);
    }
  }
  return out;
}

/** Adds a planar window into the whole array, at `r` (the window's own shape is r's). */
export function addPlanar(into: Float32Array, channels: number, width: number, height: number, r: Rect, window: Float32Array): void {
  const w = r.x1 - r.x0;
  const h = r.y1 - r.y0;
  for (let c = 0; c < channels; c++) {
    for (let y = 0; y < h; y++) {
      const to = c * width * height + (r.y0 + y) * width + r.x0;
      const from = (c * h + y) * w;
      for (let x = 0; x < w; x++) into[to + x]! += window[from + x]!;
    }
  }
}

/** Writes a planar window into the whole array, at `r`. */
export function setPlanar(into: Float32Array, channels: number, width: number, height: number, r: Rect, window: Float32Array): void {
  const w = r.x1 - r.x0;
  const h = r.y1 - r.y0;
  for (let c = 0; c < channels; c++) {
    for (let y = 0; y < h; y++) {
      const from = (c * h + y) * w;
      into.set(window.subarray(from, from + w), c * width * height + (r.y0 + y) * width + r.x0);
    }
  }
}
