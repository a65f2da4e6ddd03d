import type { RgbImage, StepRecord } from '../engine/index.js';
import { encodePng, encodeProgressGif, renderLossPlot, type GifFrame, type LossPlotOptions, type Size } from '../images/index.js';
import { PipelineOutputError } from './errors.js';

/** Discord's upload limit for bots without boosts; adapters pass the limit their platform announces. */
export const DEFAULT_MAX_UPLOAD_BYTES = 10 * 1024 * 1024;

const ATTEMPTS = 6;
/** Aim a little under the budget after a miss: PNG size does not fall exactly with the pixel count. */
const AIM = 0.9;

/**
 * The result as PNG within `maxBytes`. encodePng already uses zlib's highest level with adaptive filters,
 * so a PNG over the budget can only get smaller with fewer pixels: it is downsized by the square root of
 * the ratio by which it missed (PNG bytes grow with the pixel count), and tried again.
 */
export async function pngWithin(image: RgbImage, size: Size, maxBytes: number): Promise<{ png: Buffer; width: number; height: number }> {
  let target = size;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const png = await encodePng(image, target);
    if (png.length <= maxBytes) return { png, ...target };
    target = scaled(target, Math.sqrt(maxBytes / png.length) * AIM);
    if (Math.min(target.width, target.height) < 1) break;
  }
  throw new PipelineOutputError('result', maxBytes);
}

/** The loss plot within `maxBytes`, drawn smaller while it does not fit (it is ~30 kB at its usual size). */
export async function plotWithin(history: readonly StepRecord[], options: LossPlotOptions, maxBytes: number): Promise<Buffer> {
  let size: Size = { width: options.width ?? 640, height: options.height ?? 400 };
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const plot = await renderLossPlot(history, { ...options, ...size });
    if (plot.length <= maxBytes) return plot;
    size = scaled(size, Math.sqrt(maxBytes / plot.length) * AIM);
    if (size.width < 64) break;
  }
  throw new PipelineOutputError('plot', maxBytes);
}

/** The progression GIF within `maxBytes` (the GIF encoder drops frames, shrinks and cuts colours itself). */
export async function gifWithin(frames: readonly GifFrame[], size: Size, maxBytes: number): Promise<Buffer> {
  try {
    return (await encodeProgressGif(frames, size, { maxBytes })).gif;
  } catch (error) {
    if (error instanceof RangeError) throw new PipelineOutputError('gif', maxBytes, { cause: error });
    throw error;
  }
}

function scaled(size: Size, factor: number): Size {
  return { width: Math.floor(size.width * factor), height: Math.floor(size.height * factor) };
}
