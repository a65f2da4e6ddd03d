import { z } from 'zod';
import { START_NOISE } from './init.js';
import { parseLayerSpec } from './layers.js';

/**
 * The engine's options: one schema carries the types, the ranges, the defaults (the reference chapter's) and
 * the help text. The pipeline, the command line, presets and chat commands all derive theirs from it.
 */
export const engineOptionsSchema = z.object({
  steps: z.number().int().min(1).max(5000).default(180).describe('optimisation steps (at the final size of a multi-scale run)'),
  coarseSteps: z
    .number()
    .int()
    .min(1)
    .max(5000)
    .optional()
    .describe('multi-scale: steps at each coarser scale (unset: as many as steps); each halving costs a quarter per step'),
  lastCoarseSteps: z
    .number()
    .int()
    .min(1)
    .max(5000)
    .optional()
    .describe('multi-scale: steps at the coarse scale just before the working size (unset: as many as coarseSteps); a quarter of a full-size step each, the costliest coarse steps'),
  optimizer: z.enum(['adam', 'lbfgs']).default('adam').describe('adam (the chapter) or lbfgs (fewer steps, sharper)'),
  lr: z.number().gt(0).max(10).default(0.1).describe('Adam learning rate, in pixel units of [0, 1]'),
  lbfgsHistory: z.number().int().min(1).max(500).default(100).describe('L-BFGS: how many past steps shape its curvature estimate'),
  lbfgsMaxStep: z
    .number()
    .min(0)
    .max(1)
    .default(0)
    .describe('L-BFGS: the most a pixel may change in one step, in [0, 1] units (0: no limit)'),
  styleWeight: z.number().min(0).max(1e15).default(1e6).describe('multiplier of the style loss'),
  contentWeight: z.number().min(0).max(1e15).default(1).describe('multiplier of the content loss'),
  tvWeight: z.number().min(0).max(1e15).default(0).describe('multiplier of the total-variation (smoothness) loss'),
  layers: z
    .string()
    .default('seed')
    .describe("layer spec: seed, gatys, the chapter's map {1:'s', 4:'sc'} or style=conv1_1,conv2_1 content=conv4_2")
    .superRefine((spec, ctx) => {
      try {
        parseLayerSpec(spec);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
      }
    }),
  pooling: z.enum(['avg', 'max']).default('avg').describe('pooling between blocks: avg (the chapter) or max (VGG as trained)'),
  init: z
    .enum(['noise', 'content', 'image'])
    .default('noise')
    .describe('start from uniform noise, the content image or a given image (e.g. an earlier result), the last two with a little seeded noise'),
  initNoise: z
    .number()
    .min(0)
    .max(1)
    .default(START_NOISE)
    .describe('share of seeded noise mixed into a content or image start, so that the seed changes the picture'),
  seed: z.number().int().min(0).max(0xffffffff).optional().describe('random seed: the same seed gives the same image'),
  scales: z
    .array(z.number().int().min(16).max(4096))
    .max(8)
    .default([])
    .describe('coarser long-side sizes to optimise at first, e.g. 128,256; the run always ends at the input size'),
  octaves: z
    .number()
    .int()
    .min(0)
    .max(4)
    .default(0)
    .describe('without scales: optimise first at this many coarser sizes, each half the next (e.g. 2: 64, 128, then 256)'),
  carryCurvature: z
    .boolean()
    .default(true)
    .describe("L-BFGS, multi-scale: start each scale from the previous scale's curvature estimate instead of a tiny first step"),
  scaleDetail: z
    .boolean()
    .default(true)
    .describe("multi-scale: put the content's fine detail back into each enlarged result"),
  tileSize: z
    .number()
    .int()
    .min(0)
    .max(8192)
    .refine((v) => v === 0 || v >= 64, 'use 0 (automatic) or at least 64 px: smaller tiles spend most of their time on their borders')
    .default(0)
    .describe(
      'evaluate the picture in tiles of about this many pixels per side, with overlapping borders: the same result in bounded memory (0: automatically, for pictures over 1024x1024 px)',
    ),
  frameEvery: z.number().int().min(1).max(10000).default(20).describe('hand a frame to the progress callback every k steps'),
});

/** Options as given by a caller: every field optional, defaults filled in by `resolveEngineOptions`. */
export type EngineOptionsInput = z.input<typeof engineOptionsSchema>;
/** Options with every default filled in. */
export type EngineOptions = z.output<typeof engineOptionsSchema>;

export const ENGINE_DEFAULTS: EngineOptions = engineOptionsSchema.parse({});
