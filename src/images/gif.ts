import sharp from 'sharp';
import { fromInterleavedRgb, toInterleavedRgb, type RgbImage } from '../engine/index.js';
import type { Size } from './geometry.js';
import { resampleRgb8 } from './resample.js';

/** One frame of a progression GIF: interleaved 8-bit RGB at the recorder's size. */
export interface GifFrame {
  readonly step: number;
  readonly pixels: Uint8Array;
}

export interface FrameRecorderOptions {
  /** every frame is resampled to this size (coarse scales of a multi-scale run are enlarged) */
  readonly size: Size;
  /**
   * memory bound: past this many frames, every other one is dropped and later ones are kept at half the
   * rate, so a 5000-step run with frames every step holds at most this many. Default 150.
   */
  readonly maxFrames?: number;
  /** applied to each frame at the recorder's size, e.g. colour preservation so the GIF matches the result */
  readonly transform?: (frame: RgbImage) => RgbImage;
}

/**
 * Collects the engine's frames for the GIF as they arrive. Frames are stored as 8-bit RGB at the GIF's
 * size (a quarter of the engine's float copy, less when the run is larger than the GIF).
 */
export class FrameRecorder {
  readonly size: Size;
  private readonly maxFrames: number;
  private readonly transform: ((frame: RgbImage) => RgbImage) | undefined;
  private kept: Array<GifFrame & { readonly arrival: number }> = [];
  private arrivals = 0;
  private stride = 1;
  private finalFrame: GifFrame | undefined;

  constructor(options: FrameRecorderOptions) {
    this.size = options.size;
    this.maxFrames = Math.max(2, options.maxFrames ?? 150);
    this.transform = options.transform;
  }

  /** A frame at `step`; `final` marks the result, which is always kept. */
  add(image: RgbImage, step: number, final = false): void {
    const arrival = this.arrivals++;
    if (!final && arrival % this.stride !== 0) return;
    let pixels = resampleRgb8(toInterleavedRgb(image), image, this.size);
    if (this.transform) {
      pixels = toInterleavedRgb(this.transform(fromInterleavedRgb(pixels, this.size.width, this.size.height)));
    }
    const frame = { step, pixels };
    if (final) {
      this.finalFrame = frame;
      return;
    }
    this.kept.push({ ...frame, arrival });
    while (this.kept.length + 1 > this.maxFrames) {
      this.stride *= 2;
      this.kept = this.kept.filter((f) => f.arrival % this.stride === 0);
    }
  }

  get frames(): readonly GifFrame[] {
    const frames: GifFrame[] = this.kept.map(({ step, pixels }) => ({ step, pixels }));
    if (this.finalFrame) {
      // The engine also hands over the last step as a frame; the result replaces it.
      if (frames.at(-1)?.step === this.finalFrame.step) frames.pop();
      frames.push(this.finalFrame);
    }
    return frames;
  }
}

export interface GifOptions {
  /** default 8 MB: Discord refuses bot uploads over 10 MiB */
  readonly maxBytes?: number;
  /** how long the whole animation runs before the hold on the result; default 4000 ms */
  readonly durationMs?: number;
  /** how long the result stays on screen before the loop restarts; default 2000 ms */
  readonly holdLastMs?: number;
}

export interface GifResult {
  readonly gif: Buffer;
  /** what the budget left: frames kept, their size and the palette */
  readonly frames: number;
  readonly width: number;
  readonly height: number;
  readonly colours: number;
}

export const DEFAULT_GIF_MAX_BYTES = 8_000_000;

/** Below this, dropping frames makes the progression jumpy: shrink the frames first. */
const MIN_FRAMES_BEFORE_SHRINKING = 12;
/** (scale, palette) in order of preference once frames alone do not fit. sharp's GIF palettes are 2^(2^k). */
const PLANS: ReadonlyArray<{ scale: number; colours: number }> = [
  { scale: 1, colours: 256 },
  { scale: 0.75, colours: 256 },
  { scale: 0.5, colours: 256 },
  { scale: 0.5, colours: 16 },
  { scale: 0.35, colours: 16 },
  { scale: 0.25, colours: 16 },
];
/** 16-colour frames come out at roughly this fraction of 256-colour ones (LZW on 4-bit codes). */
const SIXTEEN_COLOUR_FACTOR = 0.6;
const HEADROOM = 0.85;
const MAX_ATTEMPTS = 5;
const SAMPLE_FRAMES = 6;

/**
 * Encodes the progression under a byte budget: the first frame (the initial image), the frames in
 * between, and the result held at the end. When the whole sequence does not fit, it drops frames (evenly,
 * keeping the first and the last) down to a dozen, then shrinks the frames, then cuts the palette to 16
 * colours, then drops more frames. The size of a frame is estimated from a handful encoded on their own
 * (an overestimate: frames far apart share less), and checked after the real encode, which is redone
 * with the measured size when the estimate was too low.
 */
export async function encodeProgressGif(frames: readonly GifFrame[], size: Size, options: GifOptions = {}): Promise<GifResult> {
  const maxBytes = options.maxBytes ?? DEFAULT_GIF_MAX_BYTES;
  if (frames.length === 0) throw new RangeError('encodeProgressGif needs at least one frame');
  const sample = evenlySpaced(frames.length, Math.min(SAMPLE_FRAMES, frames.length)).map((i) => frames[i]!);
  const sampled = await encodeFrames(sample, size, { scale: 1, colours: 256 }, options);
  let bytesPerFrame = sampled.length / sample.length;
  let budget = maxBytes * HEADROOM;

  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const plan = choosePlan(frames.length, size, bytesPerFrame, budget);
    const chosen = evenlySpaced(frames.length, plan.count).map((i) => frames[i]!);
    const gif = await encodeFrames(chosen, size, plan, options);
    if (gif.length <= maxBytes) {
      const scaled = scaledSize(size, plan.scale);
      return { gif, frames: chosen.length, ...scaled, colours: plan.colours };
    }
    // Recalibrate on what this encode really cost per full-size frame, and aim lower.
    bytesPerFrame = gif.length / chosen.length / costFactor(plan);
    budget *= 0.9;
  }
  throw new RangeError(`could not fit the progression GIF into ${maxBytes} bytes`);
}

function choosePlan(count: number, size: Size, bytesPerFrame: number, budget: number) {
  const usable = PLANS.filter((p) => Math.min(size.width, size.height) * p.scale >= 16 || p.scale === 1);
  const want = Math.min(count, MIN_FRAMES_BEFORE_SHRINKING);
  for (const plan of usable) {
    const fits = Math.floor(budget / (bytesPerFrame * costFactor(plan)));
    if (fits >= want) return { ...plan, count: Math.min(count, fits) };
  }
  const last = usable.at(-1)!;
  const fits = Math.floor(budget / (bytesPerFrame * costFactor(last)));
  return { ...last, count: Math.max(1, Math.min(count, fits)) };
}

const costFactor = (plan: { scale: number; colours: number }) =>
  plan.scale * plan.scale * (plan.colours < 256 ? SIXTEEN_COLOUR_FACTOR : 1);

function scaledSize(size: Size, scale: number): Size {
  return { width: Math.max(1, Math.round(size.width * scale)), height: Math.max(1, Math.round(size.height * scale)) };
}

/** `count` indices from 0 to n-1, evenly spread, first and last included (one: the last, the result). */
export function evenlySpaced(n: number, count: number): number[] {
  if (count >= n) return Array.from({ length: n }, (_, i) => i);
  if (count <= 1) return [n - 1];
  return Array.from({ length: count }, (_, k) => Math.round((k * (n - 1)) / (count - 1)));
}

async function encodeFrames(
  frames: readonly GifFrame[],
  size: Size,
  plan: { scale: number; colours: number },
  options: GifOptions,
): Promise<Buffer> {
  const out = scaledSize(size, plan.scale);
  const frameBytes = out.width * out.height * 3;
  const strip = Buffer.alloc(frameBytes * frames.length);
  frames.forEach((f, i) => strip.set(resampleRgb8(f.pixels, size, out), i * frameBytes));
  const durationMs = options.durationMs ?? 4000;
  const holdLastMs = options.holdLastMs ?? 2000;
  // GIF delays are centiseconds, and browsers slow anything under 20 ms down to 100 ms.
  const delay = Math.min(500, Math.max(40, Math.round(durationMs / Math.max(1, frames.length - 1) / 10) * 10));
  const delays = frames.map((_, i) => (i === frames.length - 1 ? holdLastMs : delay));
  return sharp(strip, { raw: { width: out.width, height: out.height * frames.length, channels: 3, pageHeight: out.height } })
    .gif({ loop: 0, delay: delays, colours: plan.colours, effort: 3 })
    .toBuffer();
}
