import { InvalidArgumentError, Option } from 'commander';
import type { z } from 'zod';
import { STYLIZE_DEFAULTS, stylizeOptionsSchema, type StylizeOptionKey, type StylizeOptionsInput } from '../pipeline/index.js';

/**
 * The options the command line exposes, in help order. Everything about each flag — its name, its value
 * type, its choices, its help text and its default — comes from the options schema; adding a key here is
 * all it takes to expose another option.
 */
export const CLI_OPTION_KEYS = [
  'styleBlend',
  'size',
  'steps',
  'optimizer',
  'lr',
  'styleWeight',
  'contentWeight',
  'tvWeight',
  'init',
  'layers',
  'pooling',
  'scales',
  'preserveColors',
  'styleScale',
  'seed',
] as const satisfies readonly StylizeOptionKey[];

export type CliOptionKey = (typeof CLI_OPTION_KEYS)[number];

type Kind = { type: 'number' } | { type: 'numbers' } | { type: 'boolean' } | { type: 'string' } | { type: 'enum'; values: string[] };

/** `styleWeight` -> `style-weight` */
export const flagName = (key: string) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
/** `style-weight` -> `styleWeight`, as commander names parsed options */
const attributeName = (flag: string) => flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** The schema field without its default/optional wrappers: what the value itself is. */
function kindOf(field: z.ZodType): Kind {
  const def = (field as unknown as { def: { type: string; innerType?: z.ZodType; element?: z.ZodType; entries?: Record<string, string> } }).def;
  switch (def.type) {
    case 'default':
    case 'optional':
      return kindOf(def.innerType!);
    case 'number':
      return { type: 'number' };
    case 'boolean':
      return { type: 'boolean' };
    case 'string':
      return { type: 'string' };
    case 'enum':
      return { type: 'enum', values: Object.values(def.entries!) };
    case 'array':
      if (kindOf(def.element!).type === 'number') return { type: 'numbers' };
  }
  throw new TypeError(`no command-line form for a schema field of type ${def.type}`);
}

function parseNumber(text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) throw new InvalidArgumentError(`'${text}' is not a number.`);
  return value;
}

function parseNumbers(text: string): number[] {
  const parts = text.split(',').map((p) => p.trim());
  if (parts.some((p) => p === '' || !Number.isFinite(Number(p)))) {
    throw new InvalidArgumentError(`'${text}' is not a comma-separated list of numbers (e.g. 0.7,0.3).`);
  }
  return parts.map(Number);
}

const showDefault = (value: unknown) => (Array.isArray(value) ? value.join(',') || 'none' : String(value));

/** Commander options for the schema's keys. */
export function schemaOptions(): Option[] {
  return CLI_OPTION_KEYS.map((key) => {
    const field = stylizeOptionsSchema.shape[key] as z.ZodType;
    const kind = kindOf(field);
    const flag = flagName(key);
    const help = field.description ?? key;
    const fallback = STYLIZE_DEFAULTS[key];
    const described = fallback === undefined || kind.type === 'boolean' ? help : `${help} (default: ${showDefault(fallback)})`;
    switch (kind.type) {
      case 'boolean':
        return new Option(`--${flag}`, described);
      case 'enum':
        return new Option(`--${flag} <name>`, described).choices(kind.values);
      case 'number':
        return new Option(`--${flag} <number>`, described).argParser(parseNumber);
      case 'numbers':
        return new Option(`--${flag} <list>`, described).argParser(parseNumbers);
      case 'string':
        return new Option(`--${flag} <spec>`, described);
    }
  });
}

/** The options the user gave, as the schema's input type: absent flags stay absent, so the schema's defaults apply. */
export function optionsFromFlags(parsed: Record<string, unknown>): StylizeOptionsInput {
  const input: Record<string, unknown> = {};
  for (const key of CLI_OPTION_KEYS) {
    const value = parsed[attributeName(flagName(key))];
    if (value !== undefined) input[key] = value;
  }
  return input as StylizeOptionsInput;
}

/** How the command line names an option key in messages: `--style-weight`, or the key itself if it has no flag. */
export function flagFor(key: string): string {
  return (CLI_OPTION_KEYS as readonly string[]).includes(key) ? `--${flagName(key)}` : key === 'styles' ? '--style' : key;
}
