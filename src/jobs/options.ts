import type { z } from 'zod';
import { stylizeOptionsSchema, type StylizeOptions } from '../pipeline/index.js';
import { JobError, type OptionViolation } from './errors.js';

/**
 * Some options, each one valid on its own: what presets, server defaults and a user's command carry. Kept
 * partial so that a preset that sets only `steps` leaves `size` to the layers below it.
 */
export type OptionsPatch = Partial<StylizeOptions>;

type Shape = typeof stylizeOptionsSchema.shape;
const SHAPE: Shape = stylizeOptionsSchema.shape;
export const OPTION_KEYS = Object.keys(SHAPE) as Array<keyof Shape>;

/**
 * Validates options that a person typed or stored, key by key with the product's one options schema, and
 * reports every violation at once in words (not zod's). `source` names where they came from in messages.
 */
export function validatePatch(input: unknown, source = 'options'): OptionsPatch {
  const violations = patchViolations(input);
  if (violations.length > 0) throw new JobError({ code: 'INVALID_OPTIONS', violations, source });
  const patch: Record<string, unknown> = {};
  for (const [key, value] of Object.entries((input ?? {}) as Record<string, unknown>)) {
    if (value !== undefined) patch[key] = (SHAPE[key as keyof Shape] as z.ZodType).parse(value);
  }
  return patch as OptionsPatch;
}

export function patchViolations(input: unknown): OptionViolation[] {
  if (input === undefined || input === null) return [];
  if (typeof input !== 'object' || Array.isArray(input)) return [{ option: 'options', message: 'must be a set of named options' }];
  const violations: OptionViolation[] = [];
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined) continue;
    if (!Object.hasOwn(SHAPE, key)) {
      violations.push({ option: key, message: `is not an option${suggest(key)}` });
      continue;
    }
    const result = (SHAPE[key as keyof Shape] as z.ZodType).safeParse(value);
    if (!result.success) violations.push(...result.error.issues.map((issue) => ({ option: key, message: describeIssue(issue, value) })));
  }
  return violations;
}

export interface OptionLayers {
  /** from the user's command: the strongest */
  readonly explicit?: OptionsPatch;
  /** the preset the command named */
  readonly preset?: OptionsPatch;
  /** the user's default preset, used whether or not a preset was named */
  readonly userDefault?: OptionsPatch;
  readonly server?: OptionsPatch;
}

/**
 * Options of a job: explicit > named preset > the user's default preset > server defaults > built-in
 * defaults. Every layer was valid alone; the merged set is checked again as a whole.
 */
export function resolveOptions(layers: OptionLayers): StylizeOptions {
  const merged = { ...layers.server, ...layers.userDefault, ...layers.preset, ...layers.explicit };
  const result = stylizeOptionsSchema.safeParse(merged);
  if (!result.success) {
    const violations = result.error.issues.map((issue) => ({ option: String(issue.path[0] ?? 'options'), message: describeIssue(issue, undefined) }));
    throw new JobError({ code: 'INVALID_OPTIONS', violations, source: 'options' });
  }
  return result.data;
}

type Issue = z.core.$ZodIssue;

/** zod's issue in words a chat user understands, with the value they gave. */
export function describeIssue(issue: Issue, value: unknown): string {
  const got = value === undefined || typeof value === 'object' ? '' : ` (got ${JSON.stringify(value)})`;
  switch (issue.code) {
    case 'too_small':
      if (issue.origin === 'array') return `needs at least ${issue.minimum} ${Number(issue.minimum) === 1 ? 'value' : 'values'}`;
      return `must be ${issue.inclusive ? 'at least' : 'above'} ${issue.minimum}${got}`;
    case 'too_big':
      if (issue.origin === 'array') return `takes at most ${issue.maximum} values`;
      return `must be ${issue.inclusive ? 'at most' : 'below'} ${issue.maximum}${got}`;
    case 'invalid_type':
      if (issue.expected === 'int') return `must be a whole number${got}`;
      return `must be ${article(issue.expected)}${got}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => String(v)).join(', ')}${got}`;
    case 'not_multiple_of':
      return `must be a multiple of ${issue.divisor}${got}`;
    case 'invalid_format':
      return `is not a valid ${issue.format}${got}`;
    default:
      return issue.message;
  }
}

function article(type: string): string {
  return type === 'array' ? 'a list of values' : type === 'boolean' ? 'true or false' : `a ${type}`;
}

function suggest(key: string): string {
  const lower = key.toLowerCase().replace(/[-_ ]/g, '');
  const match = OPTION_KEYS.find((k) => k.toLowerCase() === lower);
  return match ? `: did you mean ${match}?` : ` (known: ${OPTION_KEYS.join(', ')})`;
}
