import { EngineError } from './errors.js';
import { MIN_IMAGE_SIDE } from './image.js';
import { fitLongSide } from './resize.js';

export interface Size {
  readonly width: number;
  readonly height: number;
}

/** What the scale plan depends on: the engine's options, or the pipeline's (which add `size`). */
export interface PlanOptions {
  readonly steps: number;
  readonly scales: readonly number[];
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
  /** optimiser updates over the whole run: `steps` at each scale */
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
  for (const s of [...new Set(options.scales)].sort((a, b) => a - b)) {
    if (s >= longSide) {
      ignored.push({ size: s, reason: 'not-smaller' });
      continue;
    }
    const size = fitLongSide(content.width, content.height, s);
    if (Math.min(size.width, size.height) < MIN_IMAGE_SIDE) ignored.push({ size: s, reason: 'too-small' });
    else scales.push(size);
  }
  scales.push({ width: content.width, height: content.height });
  return { scales, totalSteps: options.steps * scales.length, ignored };
}

function squareOf(size: number | undefined): Size {
  if (size === undefined) throw new EngineError('OPTIONS_INVALID', 'planRun needs the content size or options.size.');
  return { width: size, height: size };
}
