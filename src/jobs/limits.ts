import { totalmem } from 'node:os';
import { z } from 'zod';
import type { StylizeOptions } from '../pipeline/index.js';
import type { ServerSettingsRecord } from '../store/index.js';
import { JobError, type OptionViolation } from './errors.js';
import { jobMemoryBytes, memoryFit, tileToFit } from './memory.js';
import { describeIssue } from './options.js';

/**
 * What a server may use of the shared worker. The operator's values (environment, src/config.ts) are the
 * defaults and also the ceilings: a server admin can tighten them for their server but not raise them,
 * because every server shares the same machine.
 */
export const serverLimitsSchema = z.object({
  maxConcurrent: z.number().int().min(1).max(64).default(1).describe("jobs of one server running at once (the worker's concurrency caps it too)"),
  maxRunningPerUser: z.number().int().min(1).max(64).default(1).describe('jobs of one user running at once'),
  maxWaitingPerUser: z.number().int().min(0).max(100).default(2).describe('jobs of one user waiting in the queue'),
  userHourlySeconds: z.number().int().min(0).max(1_000_000).default(900).describe('compute seconds one user may use in any hour, per server'),
  serverHourlySeconds: z.number().int().min(0).max(1_000_000).default(3600).describe('compute seconds one server may use in any hour'),
  maxSize: z.number().int().min(16).max(4096).default(1024).describe('largest working size (long side, pixels)'),
  maxSteps: z.number().int().min(1).max(100_000).default(1000).describe('most optimisation steps per scale'),
  maxJobMemoryBytes: z
    .number()
    .int()
    .min(64 * 2 ** 20)
    .max(2 ** 50)
    .default(Math.round(totalmem() * 0.6))
    .describe("the most memory one job may need, bytes (default: 60% of the machine's memory)"),
});

export type ServerLimits = z.output<typeof serverLimitsSchema>;
export type ServerLimitKey = keyof ServerLimits;
export const SERVER_LIMIT_KEYS = Object.keys(serverLimitsSchema.shape) as ServerLimitKey[];
export const DEFAULT_SERVER_LIMITS: ServerLimits = serverLimitsSchema.parse({});

/** A server's limits: its own values where set, the operator's elsewhere, never above the operator's. */
export function effectiveLimits(operator: ServerLimits, settings: ServerSettingsRecord | null): ServerLimits {
  const limits = { ...operator };
  if (settings) {
    for (const key of SERVER_LIMIT_KEYS) {
      const own = settings[key];
      if (own !== null) limits[key] = Math.min(own, operator[key]);
    }
  }
  return limits;
}

/** Checks an admin's change: each value in range and within the operator's ceiling; null resets. */
export function validateLimitsPatch(input: Partial<Record<ServerLimitKey, number | null>>, operator: ServerLimits): Partial<Record<ServerLimitKey, number | null>> {
  const violations: OptionViolation[] = [];
  const patch: Partial<Record<ServerLimitKey, number | null>> = {};
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined) continue;
    if (!Object.hasOwn(serverLimitsSchema.shape, key)) {
      violations.push({ option: key, message: `is not a limit (known: ${SERVER_LIMIT_KEYS.join(', ')})` });
      continue;
    }
    const limit = key as ServerLimitKey;
    if (value === null) {
      patch[limit] = null;
      continue;
    }
    const result = serverLimitsSchema.shape[limit].safeParse(value);
    if (!result.success) violations.push(...result.error.issues.map((issue) => ({ option: key, message: describeIssue(issue, value) })));
    else if (result.data > operator[limit]) violations.push({ option: key, message: `can be at most ${operator[limit]} on this bot (got ${value})` });
    else patch[limit] = result.data;
  }
  if (violations.length > 0) throw new JobError({ code: 'INVALID_OPTIONS', violations, source: 'server limits' });
  return patch;
}

/**
 * The server's caps: every option that drives memory or time counts (size, every scale, steps, the style's
 * size x style-scale, and the job's memory estimate), and a blend that matches the pictures. Options over a
 * cap are refused, never clamped: the user hears what to change. Returns the options to run: the same, or
 * with a tile size when only tiles make the job fit the memory budget (the picture does not change).
 */
export function checkServerCaps(options: StylizeOptions, styleCount: number, limits: ServerLimits, source = 'options'): StylizeOptions {
  const violations = capViolations(options, limits);
  if (options.styleBlend !== undefined && options.styleBlend.length !== styleCount) {
    violations.push({ option: 'styleBlend', message: `has ${options.styleBlend.length} weights for ${styleCount} style pictures: give one per picture` });
  }
  if (violations.length > 0) throw new JobError({ code: 'INVALID_OPTIONS', violations, source });
  const fitted = tileToFit(options, styleCount, limits.maxJobMemoryBytes);
  const neededBytes = jobMemoryBytes(fitted, styleCount);
  if (neededBytes > limits.maxJobMemoryBytes) {
    throw new JobError({ code: 'JOB_TOO_MUCH_MEMORY', neededBytes, maxBytes: limits.maxJobMemoryBytes, fits: memoryFit(options, styleCount, limits.maxJobMemoryBytes) });
  }
  return fitted;
}

/** Size, scales, steps and style size against the caps, for jobs and for server defaults alike. */
export function capViolations(options: StylizeOptions, limits: ServerLimits): OptionViolation[] {
  const violations: OptionViolation[] = [];
  if (options.size > limits.maxSize) violations.push({ option: 'size', message: `this server allows at most ${limits.maxSize} (got ${options.size})` });
  const bigScale = options.scales.find((s) => s > limits.maxSize);
  if (bigScale !== undefined) violations.push({ option: 'scales', message: `this server allows sizes up to ${limits.maxSize} (got ${bigScale})` });
  if (options.steps > limits.maxSteps) violations.push({ option: 'steps', message: `this server allows at most ${limits.maxSteps} (got ${options.steps})` });
  const styleSide = Math.round(options.size * options.styleScale);
  if (options.size <= limits.maxSize && styleSide > limits.maxSize) {
    const most = Math.floor((limits.maxSize / options.size) * 100) / 100;
    violations.push({ option: 'styleScale', message: `matches the style at ${styleSide} px, over this server's ${limits.maxSize}: use at most ${most} at size ${options.size}` });
  }
  return violations;
}
