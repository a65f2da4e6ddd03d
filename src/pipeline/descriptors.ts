import { z } from 'zod';
import { stylizeOptionsSchema, type StylizeOptionKey, type StylizeOptionsInput } from './options.js';

/**
 * What every surface needs to show an option — the CLI's flags, Discord's slash-command options, Slack's
 * modal, the web form — derived from the one options schema, so that a new option appears everywhere by
 * being added to the schema. Only the presentation (which surfaces show it, in which order) is decided here.
 */
export type OptionKind = 'integer' | 'number' | 'boolean' | 'choice' | 'list' | 'string';

/** slash: Discord's slash command (25 options at most, with the attachments and the preset); modal: Slack's. */
export type OptionSurface = 'slash' | 'modal' | 'web' | 'cli';

export interface OptionNames {
  /** the schema's key: `styleWeight` */
  readonly key: StylizeOptionKey;
  /** the command line's flag without dashes: `style-weight` */
  readonly flag: string;
  /** chat option and form field name: `style_weight` */
  readonly chat: string;
}

export interface OptionDescriptor {
  readonly key: StylizeOptionKey;
  readonly names: OptionNames;
  /** for a person: `Style weight` */
  readonly label: string;
  readonly kind: OptionKind;
  /** a list's element kind */
  readonly item?: 'integer' | 'number';
  /** bounds of the value (a list's: of each element) */
  readonly min?: number;
  readonly max?: number;
  /** the bound itself is not allowed (`lr` must be above 0) */
  readonly minExclusive?: boolean;
  readonly maxExclusive?: boolean;
  /** a list's length */
  readonly minItems?: number;
  readonly maxItems?: number;
  /** a choice's values a user may pick */
  readonly choices?: readonly string[];
  /** the schema's default; undefined when the option has none (e.g. `seed`: random) */
  readonly default?: unknown;
  readonly help: string;
  readonly surfaces: readonly OptionSurface[];
}

/** Slash-command places the options share with content, style, style2, style3 and preset. */
export const SLASH_OPTION_LIMIT = 25 - 5;

interface Presentation {
  readonly surfaces: readonly OptionSurface[];
  /** schema choices no user picks by hand (e.g. `init: image`, which follow-ups set with their picture) */
  readonly hiddenChoices?: readonly string[];
}

const ALL: readonly OptionSurface[] = ['slash', 'modal', 'web', 'cli'];
const NOT_MODAL: readonly OptionSurface[] = ['slash', 'web', 'cli'];
/** an option missing below shows on the web form and the command line, never silently nowhere */
const UNLISTED: readonly OptionSurface[] = ['web', 'cli'];

/** In the order the surfaces list them: the options people change most first. */
const PRESENTATION: Partial<Record<StylizeOptionKey, Presentation>> = {
  size: { surfaces: ALL },
  steps: { surfaces: ALL },
  styleWeight: { surfaces: ALL },
  contentWeight: { surfaces: ALL },
  optimizer: { surfaces: ALL },
  seed: { surfaces: ALL },
  preserveColors: { surfaces: ALL },
  init: { surfaces: NOT_MODAL, hiddenChoices: ['image'] },
  tvWeight: { surfaces: NOT_MODAL },
  styleScale: { surfaces: NOT_MODAL },
  styleBlend: { surfaces: NOT_MODAL },
  layers: { surfaces: NOT_MODAL },
  scales: { surfaces: NOT_MODAL },
  lr: { surfaces: NOT_MODAL },
  pooling: { surfaces: NOT_MODAL },
  upscale: { surfaces: ['slash', 'web'] },
  lbfgsHistory: { surfaces: ['web'] },
  frameEvery: { surfaces: [] },
  // Memory, not the picture: operators set the budget (STYLEBOT_MAX_JOB_MEMORY) and the engine tiles to fit.
  tileSize: { surfaces: ['cli'] },
};

interface JsonSchemaField {
  readonly type?: string;
  readonly enum?: readonly unknown[];
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: number;
  readonly exclusiveMaximum?: number;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly items?: JsonSchemaField;
  readonly default?: unknown;
  readonly description?: string;
}

const kebab = (key: string) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const snake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const labelOf = (key: string) => {
  const words = kebab(key).split('-').join(' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
};

function bounds(field: JsonSchemaField) {
  return {
    ...(field.minimum !== undefined ? { min: field.minimum } : field.exclusiveMinimum !== undefined ? { min: field.exclusiveMinimum, minExclusive: true } : {}),
    ...(field.maximum !== undefined ? { max: field.maximum } : field.exclusiveMaximum !== undefined ? { max: field.exclusiveMaximum, maxExclusive: true } : {}),
  };
}

function describe(key: StylizeOptionKey, field: JsonSchemaField, order: number): OptionDescriptor & { readonly order: number } {
  const presentation = PRESENTATION[key];
  const base = {
    key,
    names: { key, flag: kebab(key), chat: snake(key) },
    label: labelOf(key),
    help: field.description ?? labelOf(key),
    surfaces: presentation?.surfaces ?? UNLISTED,
    ...(field.default !== undefined ? { default: field.default } : {}),
    order,
  };
  if (field.enum) {
    const hidden = new Set(presentation?.hiddenChoices ?? []);
    return { ...base, kind: 'choice', choices: field.enum.map(String).filter((c) => !hidden.has(c)) };
  }
  switch (field.type) {
    case 'integer':
    case 'number':
      return { ...base, kind: field.type, ...bounds(field) };
    case 'boolean':
    case 'string':
      return { ...base, kind: field.type };
    case 'array': {
      const item = field.items?.type;
      if (item !== 'integer' && item !== 'number') break;
      return {
        ...base,
        kind: 'list',
        item,
        ...bounds(field.items!),
        ...(field.minItems !== undefined ? { minItems: field.minItems } : {}),
        ...(field.maxItems !== undefined ? { maxItems: field.maxItems } : {}),
      };
    }
  }
  throw new TypeError(`option ${key}: no descriptor for a schema field of type ${field.type ?? 'unknown'}`);
}

function build(): readonly OptionDescriptor[] {
  // The input side: what a user may give, defaults shown as the schema fills them in.
  const json = z.toJSONSchema(stylizeOptionsSchema, { io: 'input', unrepresentable: 'any' }) as { properties: Record<string, JsonSchemaField> };
  const ranked = Object.keys(PRESENTATION);
  const rank = (key: string) => (ranked.includes(key) ? ranked.indexOf(key) : ranked.length);
  return Object.keys(stylizeOptionsSchema.shape)
    .map((key, i) => describe(key as StylizeOptionKey, json.properties[key] ?? {}, i))
    .sort((a, b) => rank(a.key) - rank(b.key) || a.order - b.order)
    .map(({ order: _order, ...descriptor }) => Object.freeze(descriptor));
}

/** Every option of the schema, most used first. */
export const OPTION_DESCRIPTORS: readonly OptionDescriptor[] = build();

/** The options one surface shows, in order. */
export function descriptorsFor(surface: OptionSurface): readonly OptionDescriptor[] {
  return OPTION_DESCRIPTORS.filter((d) => d.surfaces.includes(surface));
}

const normalise = (name: string) => name.trim().replace(/^-+/, '').toLowerCase().replace(/[-_\s]/g, '');
const BY_NAME = new Map(OPTION_DESCRIPTORS.map((d) => [normalise(d.key), d]));

/** The descriptor for any spelling of an option: `styleWeight`, `style-weight`, `--style-weight`, `style_weight`, `Style Weight`. */
export function findDescriptor(name: string): OptionDescriptor | undefined {
  return BY_NAME.get(normalise(name));
}

/** One problem with one raw option; `option` is the schema key when the name was recognised, else the name as typed. */
export interface RawOptionViolation {
  readonly option: string;
  /** the name as the user typed it */
  readonly name: string;
  /** what is wrong, e.g. `must be at most 2048 (got 9000)` */
  readonly message: string;
}

export interface ParsedRawOptions {
  /** the options that parsed, for the schema (each valid alone) */
  readonly patch: StylizeOptionsInput;
  /** every problem, in the order typed */
  readonly violations: readonly RawOptionViolation[];
}

const TRUE = new Set(['true', 'yes', 'on', '1', 'y']);
const FALSE = new Set(['false', 'no', 'off', '0', 'n']);

/**
 * Turns options typed as text (a chat command's `style_weight: 1e4`, a form field, a mention's
 * `steps=200`) into the options patch, and reports every problem at once rather than the first. An empty
 * value means "not set" (an untouched form field).
 */
export function parseRawOptions(raw: Readonly<Record<string, string>>): ParsedRawOptions {
  const patch: Record<string, unknown> = {};
  const violations: RawOptionViolation[] = [];
  for (const [name, text] of Object.entries(raw)) {
    if (text === undefined || text.trim() === '') continue;
    const descriptor = findDescriptor(name);
    if (!descriptor) {
      violations.push({ option: name, name, message: `is not an option${suggestion(name)}` });
      continue;
    }
    const problem = (message: string) => violations.push({ option: descriptor.key, name, message });
    if (Object.hasOwn(patch, descriptor.key)) {
      problem('is given twice');
      continue;
    }
    const parsed = parseValue(descriptor, text.trim());
    if (parsed instanceof Refusal) {
      problem(parsed.error);
      continue;
    }
    const value = parsed;
    // the schema has the last word: refinements (a layer spec's syntax) live only there
    const field = stylizeOptionsSchema.shape[descriptor.key] as z.ZodType;
    const checked = field.safeParse(value);
    if (!checked.success) {
      problem(checked.error.issues.map((i) => i.message).join('; '));
      continue;
    }
    patch[descriptor.key] = value;
  }
  return { patch: patch as StylizeOptionsInput, violations };
}

class Refusal {
  constructor(readonly error: string) {}
}

type Parsed = unknown;

function parseValue(d: OptionDescriptor, text: string): Parsed {
  const got = ` (got ${JSON.stringify(text)})`;
  switch (d.kind) {
    case 'boolean': {
      const word = text.toLowerCase();
      if (TRUE.has(word)) return true;
      if (FALSE.has(word)) return false;
      return new Refusal(`must be true or false${got}`);
    }
    case 'choice': {
      const match = d.choices!.find((c) => c.toLowerCase() === text.toLowerCase());
      return match ?? new Refusal(`must be one of ${d.choices!.join(', ')}${got}`);
    }
    case 'string':
      return text;
    case 'integer':
    case 'number': {
      const value = toNumber(text);
      if (value === undefined) return new Refusal(`must be a number${got}`);
      return checkNumber(d, d.kind, value, ` (got ${text})`) ?? value;
    }
    case 'list': {
      const parts = text.split(/[\s,;]+/).filter((p) => p !== '');
      const values = parts.map(toNumber);
      const bad = parts.find((_, i) => values[i] === undefined);
      if (bad !== undefined) return new Refusal(`must be numbers separated by commas, e.g. 0.7,0.3 (${JSON.stringify(bad)} is not a number)`);
      if (d.minItems !== undefined && values.length < d.minItems) return new Refusal(`needs at least ${d.minItems} ${d.minItems === 1 ? 'value' : 'values'}`);
      if (d.maxItems !== undefined && values.length > d.maxItems) return new Refusal(`takes at most ${d.maxItems} values (got ${values.length})`);
      for (const value of values as number[]) {
        const problem = checkNumber(d, d.item!, value, ` (got ${value})`);
        if (problem) return new Refusal(`each value ${problem.error}`);
      }
      return values;
    }
  }
}

/** `1e6`, `1_000_000`, `0.5`; not `0x10` or `12px`. */
function toNumber(text: string): number | undefined {
  const clean = text.replace(/_/g, '');
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(clean)) return undefined;
  const value = Number(clean);
  return Number.isFinite(value) ? value : undefined;
}

function checkNumber(d: OptionDescriptor, kind: 'integer' | 'number', value: number, got: string): Refusal | undefined {
  if (kind === 'integer' && !Number.isInteger(value)) return new Refusal(`must be a whole number${got}`);
  if (d.min !== undefined && (d.minExclusive ? value <= d.min : value < d.min)) return new Refusal(`must be ${d.minExclusive ? 'above' : 'at least'} ${d.min}${got}`);
  if (d.max !== undefined && (d.maxExclusive ? value >= d.max : value > d.max)) return new Refusal(`must be ${d.maxExclusive ? 'below' : 'at most'} ${d.max}${got}`);
  return undefined;
}

function suggestion(name: string): string {
  const typed = normalise(name);
  const close = OPTION_DESCRIPTORS.find((d) => {
    const key = normalise(d.key);
    return key.startsWith(typed) || typed.startsWith(key) || distance(key, typed) <= 2;
  });
  return close ? `: did you mean ${close.names.chat}?` : '';
}

/** Levenshtein distance, for "did you mean" on short option names. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}
