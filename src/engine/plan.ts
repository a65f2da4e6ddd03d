import { EngineError } from './errors.js';
import { MIN_IMAGE_SIDE } from './image.js';
import { fitLongSide } from './resize.js';

export interface Size {
  readonly width: number;
  readonly height: number;
}

/** What the scale plan depends on: the engine's options, or the pipeline's (which add `size`). */
export interface PlanOptions {
  /** steps at the working size */
  readonly steps: number;
  /** steps at each coarser scale; default `steps` */
  readonly coarseSteps?: number;
  /** steps at the coarse scale just before the working size; default `coarseSteps` */
  readonly lastCoarseSteps?: number;
  /** coarser long sides to run first; default none */
  readonly scales?: readonly number[];
  /** without `scales`: this many coarser scales, each half the next (default 0) */
  readonly octaves?: number;
  /** long side of the working size; stands in for `contentSize` (as a square) when that is not known */
  readonly size?: number;
}

export interface IgnoredScale {
  /** the long side as requested */
  readonly size: number;
  readonly reason: 'not-smaller' | 'too-small';
}

export interface RunPlan {
  /** the sizes the run optimises at, coarse to fine; the last is the content's (working) size */
  readonly scales: readonly Size[];
  /** optimiser updates at each of those scales */
  readonly stepsPerScale: readonly number[];
  /** optimiser updates over the whole run */
  readonly totalSteps: number;
  /**
   * requested coarse sizes that will not run: not smaller than the working size, or with a short side under
   * MIN_IMAGE_SIDE at this aspect ratio. Callers report them instead of ignoring them silently.
   */
  readonly ignored: readonly IgnoredScale[];
}

/**
 * The one place that decides which scales a run optimises at. The engine runs exactly this plan, and job
 * estimates (total steps, ETA, memory) call it too, so they cannot disagree when a coarse scale is dropped.
 * `contentSize` is the working size (the content as the engine gets it); without it, a square of
 * `options.size` is assumed.
 */
export function planRun(options: PlanOptions, contentSize?: Size): RunPlan {
  const content = contentSize ?? squareOf(options.size);
  const longSide = Math.max(content.width, content.height);
  const scales: Size[] = [];
  const ignored: IgnoredScale[] = [];
  const requested = options.scales ?? [];
  const explicit = requested.length > 0;
  // Octaves stop quietly where the short side would fall under the minimum; explicit sizes are reported.
  const octaves = explicit ? [] : halvings(content, options.octaves ?? 0);
  for (const s of [...new Set(explicit ? requested : octaves)].sort((a, b) => a - b)) {
    if (s >= longSide) {
      ignored.push({ size: s, reason: 'not-smaller' });
      continue;
    }
    const size = fitLongSide(content.width, content.height, s);
    if (Math.min(size.width, size.height) < MIN_IMAGE_SIDE) ignored.push({ size: s, reason: 'too-small' });
    else scales.push(size);
  }
  scales.push({ width: content.width, height: content.height });
  const coarse = options.coarseSteps ?? options.steps;
  const last = scales.length - 1;
  const stepsPerScale = scales.map((_, i) => (i === last ? options.steps : i === last - 1 ? (options.lastCoarseSteps ?? coarse) : coarse));
  return { scales, stepsPerScale, totalSteps: stepsPerScale.reduce((a, b) => a + b, 0), ignored };
}

/**
 * A style picture's size at a coarser scale: shrunk like the content (by `factor`), but never under the
 * minimum side. The engine resizes to it, and the memory estimate counts it.
 */
export function styleSizeAt(style: Size, factor: number): Size {
  const f = Math.min(1, Math.max(factor, MIN_IMAGE_SIDE / Math.min(style.width, style.height)));
  return { width: Math.max(MIN_IMAGE_SIDE, Math.round(style.width * f)), height: Math.max(MIN_IMAGE_SIDE, Math.round(style.height * f)) };
}

function halvings(content: Size, count: number): number[] {
  const longSide = Math.max(content.width, content.height);
  const shortSide = Math.min(content.width, content.height);
  const sizes: number[] = [];
  for (let k = 1; k <= count && shortSide / 2 ** k >= MIN_IMAGE_SIDE; k++) sizes.push(Math.round(longSide / 2 ** k));
  return sizes;
}

function squareOf(size: number | undefined): Size {
  if (size === undefined) throw new EngineError('OPTIONS_INVALID', 'planRun needs the content size or options.size.');
  return { width: size, height: size };
}
