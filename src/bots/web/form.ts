import { descriptorsFor, type OptionDescriptor } from '../../pipeline/descriptors.js';

/** One field of the page's option form, in the order the descriptors list them. */
export interface FormField {
  /** the form field's name, as the core's raw options spell it */
  readonly name: string;
  readonly label: string;
  readonly kind: OptionDescriptor['kind'];
  readonly help: string;
  readonly min?: number;
  readonly max?: number;
  /** numbers: the step the input allows; `any` for real numbers */
  readonly step?: string;
  readonly choices?: readonly string[];
  /** the default as the form shows it (placeholder or pre-selected choice) */
  readonly placeholder?: string;
  /** shown at first; the rest sit behind "More options" */
  readonly primary: boolean;
}

/** The options also on the slash command are the ones people change most: shown open on the page. */
const primaryOf = (d: OptionDescriptor) => d.surfaces.includes('slash') && d.surfaces.includes('modal');

function shown(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  return Array.isArray(value) ? value.join(',') : String(value);
}

export function formFields(descriptors: readonly OptionDescriptor[] = descriptorsFor('web')): FormField[] {
  return descriptors.map((d) => {
    const placeholder = shown(d.default);
    return {
      name: d.names.chat,
      label: d.label,
      kind: d.kind,
      help: d.help,
      ...(d.min !== undefined && !d.minExclusive && d.kind !== 'list' ? { min: d.min } : {}),
      ...(d.max !== undefined && !d.maxExclusive && d.kind !== 'list' ? { max: d.max } : {}),
      ...(d.kind === 'integer' ? { step: '1' } : d.kind === 'number' ? { step: 'any' } : {}),
      ...(d.choices ? { choices: d.choices } : {}),
      ...(placeholder !== undefined ? { placeholder } : {}),
      primary: primaryOf(d),
    };
  });
}
