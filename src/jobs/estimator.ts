import type { Size } from '../images/index.js';
import { planStylize, type StylizeOptions } from '../pipeline/index.js';

export interface SpeedSample {
  /** optimiser and layer set: the two choices that change the cost of a step most, apart from size */
  readonly kind: string;
  /** pixel-steps of the run (see workUnits) */
  readonly units: number;
  readonly seconds: number;
}

/** Seconds per pixel-step before any job has run here: 256 px `gatys` at ~0.23 s a step, rounded up. */
export const PRIOR_SECONDS_PER_UNIT = 4e-6;

/** How long a job will take, learnt from the runs that ended. A distributed queue may share one. */
export interface JobEstimator {
  estimateSeconds(options: StylizeOptions): number;
  /** a run of these options took `seconds` of compute */
  recordRun(options: StylizeOptions, seconds: number): void;
}

/**
 * Predicts how long a job takes from the measured speed of recent ones. A step's cost grows with the
 * pixel count, so speeds are kept per pixel-step and scaled to each job; the median of recent runs of the
 * same kind is used, then of any kind, then a prior. The whole run is timed (decoding, GIF, plot too),
 * so fixed overheads end up inside the rate.
 */
export class SpeedEstimator implements JobEstimator {
  private readonly samples: SpeedSample[] = [];

  constructor(
    private readonly keep = 20,
    private readonly prior = PRIOR_SECONDS_PER_UNIT,
  ) {}

  record(sample: SpeedSample): void {
    if (!(sample.units > 0) || !(sample.seconds > 0)) return;
    this.samples.unshift(sample);
    this.samples.length = Math.min(this.samples.length, this.keep * 4);
  }

  recordRun(options: StylizeOptions, seconds: number): void {
    this.record({ kind: speedKind(options), units: workUnits(options), seconds });
  }

  secondsPerUnit(kind: string): number {
    const same = this.samples.filter((s) => s.kind === kind).slice(0, this.keep);
    const pool = same.length > 0 ? same : this.samples.slice(0, this.keep);
    return pool.length > 0 ? median(pool.map((s) => s.seconds / s.units)) : this.prior;
  }

  estimateSeconds(options: StylizeOptions): number {
    return workUnits(options) * this.secondsPerUnit(speedKind(options));
  }
}

export function speedKind(options: Pick<StylizeOptions, 'optimizer' | 'layers'>): string {
  return `${options.optimizer}|${options.layers.trim().toLowerCase()}`;
}

type PlanInputs = Pick<StylizeOptions, 'scales' | 'size' | 'steps'>;

/**
 * The steps of the whole run, from the engine's own scale plan for the content's upload size (a square of
 * `size` when it is not known), so that ETAs count exactly the scales the engine will run: a coarse scale
 * that a thin picture cannot run at is not counted.
 */
export function totalSteps(options: PlanInputs, content?: Size): number {
  return planStylize(options, content).totalSteps;
}

/** Steps times pixels, summed over the plan's scales. */
export function workUnits(options: PlanInputs, content?: Size): number {
  return planStylize(options, content).scales.reduce((sum, s) => sum + options.steps * s.width * s.height, 0);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
