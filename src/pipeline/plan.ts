import { estimateMemoryBytes, MIN_IMAGE_SIDE, planRun, type RunPlan } from '../engine/index.js';
import { fitLongSide, type Size } from '../images/index.js';
import type { StylizeOptions } from './options.js';

type PlanFields = Pick<StylizeOptions, 'size' | 'steps' | 'scales'>;
type MemoryFields = PlanFields &
  Pick<StylizeOptions, 'styleScale' | 'layers' | 'optimizer' | 'lbfgsHistory'> &
  Partial<Pick<StylizeOptions, 'tileSize' | 'octaves' | 'coarseSteps'>>;

/**
 * The size the engine will optimise at for an upload of `source` (what prepareInputs decodes to): long side
 * `size`, or more for a very thin picture. Without `source`, a square of `size`.
 */
export function workingSize(options: Pick<StylizeOptions, 'size'>, source?: Size): Size {
  return source ? fitLongSide(source, options.size, MIN_IMAGE_SIDE) : { width: options.size, height: options.size };
}

/**
 * The engine's scale plan for a job, from the pipeline's options and (when known) the content's upload size:
 * what job ETAs and step counts use, so they match what runs.
 */
export function planStylize(options: PlanFields, source?: Size): RunPlan & { readonly working: Size } {
  const working = workingSize(options, source);
  return { ...planRun(options, working), working };
}

/**
 * Peak memory of a job before it runs, in bytes: the content at its working size, the styles at
 * size x styleScale (squares when their sizes are not known: an upper bound), the layer set and the optimiser
 * with its history. Job limits compare it with the operator's budget.
 */
export function estimateStylizeMemory(options: MemoryFields, source?: Size, styleSources?: readonly Size[]): number {
  const working = workingSize(options, source);
  const styleSide = Math.max(MIN_IMAGE_SIDE, Math.round(options.size * options.styleScale));
  const styles = (styleSources ?? [undefined]).map((s) => workingSize({ size: styleSide }, s));
  return estimateMemoryBytes(options, working, styles);
}
