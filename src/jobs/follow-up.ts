import { stylizeOptionsSchema, type StylizeOptions } from '../pipeline/index.js';
import { JobError } from './errors.js';
import type { FollowUpAction } from './events.js';

/** How much a "more style" or "more content" follow-up changes the balance: x4 one way or the other. */
export const FOLLOW_UP_WEIGHT_FACTOR = 4;

/** Whether this release's options can start from a given picture (the engine's `init: 'image'`). */
export const CAN_START_FROM_IMAGE = stylizeOptionsSchema.shape.init.safeParse('image').success;

export interface FollowUpPlan {
  readonly options: StylizeOptions;
  /** start from the parent's result picture */
  readonly fromResult: boolean;
}

/**
 * The options of a follow-up, from its parent's as they ran (`parentSeed`: the seed actually used):
 * - seed: the same job with another seed;
 * - style / content: style weight x4, or content weight /4, same seed, so only the balance changes;
 * - upscale: twice the size within the server's cap, starting from the parent's result, with half the
 *   steps and no coarse scales (the start already has the coarse structure). At the cap it is refused.
 */
export function followUpPlan(input: {
  readonly jobId: string;
  readonly action: FollowUpAction;
  readonly parent: StylizeOptions;
  readonly parentSeed: number | undefined;
  readonly maxSize: number;
  readonly newSeed: () => number;
}): FollowUpPlan {
  const { parent, parentSeed } = input;
  const same = parentSeed === undefined ? {} : { seed: parentSeed };
  let options: Record<string, unknown>;
  let fromResult = false;
  switch (input.action) {
    case 'seed': {
      let seed = input.newSeed();
      while (seed === parentSeed) seed = input.newSeed();
      options = { ...parent, seed };
      break;
    }
    case 'style':
      options = { ...parent, ...same, styleWeight: Math.min(parent.styleWeight * FOLLOW_UP_WEIGHT_FACTOR, 1e15) };
      break;
    case 'content':
      options = { ...parent, ...same, contentWeight: parent.contentWeight / FOLLOW_UP_WEIGHT_FACTOR };
      break;
    case 'upscale': {
      const size = Math.min(parent.size * 2, input.maxSize);
      if (size <= parent.size) throw new JobError({ code: 'FOLLOW_UP_AT_CAP', jobId: input.jobId, size: parent.size, maxSize: input.maxSize });
      options = { ...parent, ...same, size, steps: Math.max(1, Math.ceil(parent.steps / 2)), scales: [], octaves: 0, ...(CAN_START_FROM_IMAGE ? { init: 'image' } : {}) };
      fromResult = true;
      break;
    }
  }
  return { options: stylizeOptionsSchema.parse(options), fromResult };
}
