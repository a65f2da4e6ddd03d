import { InvalidArgumentError, Option } from 'commander';
import { descriptorsFor, type OptionDescriptor, type StylizeOptionsInput } from '../pipeline/index.js';

/**
 * The command line's option flags, generated from the option descriptors (src/pipeline/descriptors.ts),
 * which derive each flag's name, value type, choices, help text and default from the options schema.
 * Which options the command line shows is decided there, beside the other surfaces.
 */
const CLI_OPTIONS: readonly OptionDescriptor[] = descriptorsFor('cli');

/** `style-weight` -> `styleWeight`, as commander names parsed options */
const attributeName = (flag: string) => flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

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

/** Commander options for the descriptors the command line shows. */
export function schemaOptions(): Option[] {
  return CLI_OPTIONS.map((d) => {
    const flag = d.names.flag;
    const described = d.default === undefined || d.kind === 'boolean' ? d.help : `${d.help} (default: ${showDefault(d.default)})`;
    switch (d.kind) {
      case 'boolean':
        return new Option(`--${flag}`, described);
      case 'choice':
        return new Option(`--${flag} <name>`, described).choices([...d.choices!]);
      case 'integer':
      case 'number':
        return new Option(`--${flag} <number>`, described).argParser(parseNumber);
      case 'list':
        return new Option(`--${flag} <list>`, described).argParser(parseNumbers);
      case 'string':
        return new Option(`--${flag} <spec>`, described);
    }
  });
}

/** The options the user gave, as the schema's input type: absent flags stay absent, so the schema's defaults apply. */
export function optionsFromFlags(parsed: Record<string, unknown>): StylizeOptionsInput {
  const input: Record<string, unknown> = {};
  for (const d of CLI_OPTIONS) {
    const value = parsed[attributeName(d.names.flag)];
    if (value !== undefined) input[d.key] = value;
  }
  return input as StylizeOptionsInput;
}

/** How the command line names an option key in messages: `--style-weight`, or the key itself if it has no flag. */
export function flagFor(key: string): string {
  const descriptor = CLI_OPTIONS.find((d) => d.key === key);
  return descriptor ? `--${descriptor.names.flag}` : key === 'styles' ? '--style' : key;
}
