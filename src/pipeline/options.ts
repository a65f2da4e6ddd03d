import { z } from 'zod';
import { engineOptionsSchema, type EngineOptions } from '../engine/index.js';
import { StylizeOptionsError } from './errors.js';

/**
 * Everything a user can set for one stylisation: the engine's options plus what happens to the pictures
 * around it. This is the one options type of the product: CLI flags, presets, chat command options and job
 * payloads are all derived from this schema, so a new option is added here and nowhere else.
 */
export const stylizeOptionsSchema = engineOptionsSchema.extend({
  // The engine's defaults are the reference chapter's (style weight 1e6, noise init, no TV). With the
  // real VGG19 weights and the `seed` layers they give a picture of the style with no trace of the
  // content at 128-256 px; docs/cli.md shows the comparison. These give a balanced picture instead.
  styleWeight: redefault(engineOptionsSchema.shape.styleWeight, 100),
  tvWeight: redefault(engineOptionsSchema.shape.tvWeight, 1e6),
  init: redefault(engineOptionsSchema.shape.init, 'content'),
  // Time to quality, chosen from `npm run bench -- --quality` (docs/cli.md has the figures): L-BFGS over
  // up to four halvings (three fit at 256 x 192 px), 20 steps at each coarse scale, then 18 at the full size.
  // Measured by the cost of the evaluations needed to reach the chapter's loss (180 Adam steps), this was
  // the cheapest of about 30 schedules tried at 256 and 512 px: 30 coarse steps, at the half size above all
  // (a quarter of a final step each), saved no final step for their cost, and at 512 px the fourth halving
  // saved one or two. With 18 final steps every run measured ended at or below the reference's loss (seeds
  // 1-3: 0.978-0.991 at 256 px, 0.945-0.979 at 512 px). A history of 20 did as well as 40 or 100 and costs a
  // fifth of the memory of 100.
  optimizer: redefault(engineOptionsSchema.shape.optimizer, 'lbfgs'),
  lbfgsHistory: redefault(engineOptionsSchema.shape.lbfgsHistory, 20),
  steps: redefault(engineOptionsSchema.shape.steps, 18),
  coarseSteps: engineOptionsSchema.shape.coarseSteps.unwrap().default(20).describe(engineOptionsSchema.shape.coarseSteps.description ?? ''),
  octaves: redefault(engineOptionsSchema.shape.octaves, 4),
  // Without a line search, the second L-BFGS step (its curvature from one pair) overshot: the loss rose 50x
  // at the coarsest scale before recovering. Capping a step at 0.25 per pixel removed that and ended 1% lower.
  lbfgsMaxStep: redefault(engineOptionsSchema.shape.lbfgsMaxStep, 0.25),
  size: z.number().int().min(16).max(2048).default(256).describe('long side of the result in pixels while optimising'),
  styleScale: z.number().gt(0).max(4).default(1).describe('style images are matched at size x style-scale'),
  styleBlend: z
    .array(z.number().min(0))
    .min(1)
    .max(8)
    .optional()
    .describe('blend weights of several style images, e.g. 0.7,0.3 (default: equal)'),
  preserveColors: z.boolean().default(false).describe("keep the content image's colours, take only luminance from the style"),
  upscale: z.boolean().default(false).describe("resize the result to the content image's original size"),
});

/** The same field with another default, keeping its checks and its help text. */
function redefault<T extends z.ZodType>(field: z.ZodDefault<T>, value: z.util.NoUndefined<z.output<T>>) {
  return field.unwrap().default(value).describe(field.description ?? '');
}

export type StylizeOptionsInput = z.input<typeof stylizeOptionsSchema>;
export type StylizeOptions = z.output<typeof stylizeOptionsSchema>;
export type StylizeOptionKey = keyof StylizeOptions;

export const STYLIZE_DEFAULTS: StylizeOptions = stylizeOptionsSchema.parse({});

/** The keys that belong to the engine; the rest are the pipeline's. */
export const ENGINE_OPTION_KEYS = Object.keys(engineOptionsSchema.shape) as ReadonlyArray<keyof EngineOptions>;

/** Validates and fills in defaults, throwing StylizeOptionsError with one issue per bad option. */
export function parseStylizeOptions(input: StylizeOptionsInput = {}): StylizeOptions {
  const parsed = stylizeOptionsSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new StylizeOptionsError(
    parsed.error.issues.map((issue) => ({ key: String(issue.path[0] ?? 'options'), message: plainIssue(issue) })),
  );
}

/** zod's wording is for developers ("expected int, received number"); these lines are read by users. */
function plainIssue(issue: z.core.$ZodIssue): string {
  const bound = (issue as { minimum?: unknown; maximum?: unknown; inclusive?: boolean });
  switch (issue.code) {
    case 'too_small':
      return issue.origin === 'array'
        ? `give at least ${bound.minimum} value${bound.minimum === 1 ? '' : 's'}`
        : `must be ${bound.inclusive ? 'at least' : 'more than'} ${bound.minimum}`;
    case 'too_big':
      return issue.origin === 'array'
        ? `give at most ${bound.maximum} values`
        : `must be ${bound.inclusive ? 'at most' : 'less than'} ${bound.maximum}`;
    case 'invalid_type':
      return issue.expected === 'int' ? 'must be a whole number' : `must be a ${issue.expected}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map(String).join(', ')}`;
    default:
      return issue.message;
  }
}

export function engineOptionsOf(options: StylizeOptions): EngineOptions {
  return Object.fromEntries(ENGINE_OPTION_KEYS.map((k) => [k, options[k]])) as EngineOptions;
}
