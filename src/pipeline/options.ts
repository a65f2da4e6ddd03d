import { z } from 'zod';
import { engineOptionsSchema } from '../engine/index.js';

/**
 * Everything a user can set for one stylisation: the engine's options plus what happens to the pictures
 * around it. This is the one options type of the product: CLI flags, presets, chat command options and job
 * payloads are all derived from this schema, so a new option is added here and nowhere else.
 */
export const stylizeOptionsSchema = engineOptionsSchema.extend({
  size: z.number().int().min(16).max(2048).default(256).describe('long side of the result in pixels while optimising'),
  styleScale: z.number().gt(0).max(4).default(1).describe('style images are matched at size x style-scale'),
  styleBlend: z
    .array(z.number().min(0))
    .max(8)
    .optional()
    .describe('blend weights of several style images, e.g. 0.7,0.3 (default: equal)'),
  preserveColors: z.boolean().default(false).describe("keep the content image's colours, take only luminance from the style"),
  upscale: z.boolean().default(false).describe("resize the result to the content image's original size"),
});

export type StylizeOptionsInput = z.input<typeof stylizeOptionsSchema>;
export type StylizeOptions = z.output<typeof stylizeOptionsSchema>;

export const STYLIZE_DEFAULTS: StylizeOptions = stylizeOptionsSchema.parse({});
