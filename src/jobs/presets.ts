import type { PresetRecord, PresetRepository } from '../store/index.js';
import type { Clock } from './clock.js';
import { JobError, type OptionViolation } from './errors.js';
import { patchViolations, validatePatch, type OptionsPatch } from './options.js';
import { decodeShareCode, encodeShareCode, PRESET_NAME } from './share-code.js';

export interface PresetOwner {
  readonly platform: string;
  readonly userId: string;
}

export interface PresetView {
  readonly name: string;
  /** only the options the preset sets */
  readonly options: OptionsPatch;
  readonly isDefault: boolean;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  /** options stored earlier that this version refuses; the preset cannot be used until saved again */
  readonly problems: readonly OptionViolation[];
}

export interface PresetServiceDeps {
  readonly presets: PresetRepository;
  readonly clock: Clock;
  /** default 25 */
  readonly maxPresetsPerUser?: number;
}

/** Saved option sets of one user: save, list, show, delete, default, share and import. */
export class PresetService {
  private readonly maxPresets: number;

  constructor(private readonly deps: PresetServiceDeps) {
    this.maxPresets = deps.maxPresetsPerUser ?? 25;
  }

  /** Saves or replaces the preset; `created` is false when one of that name was replaced. */
  async save(owner: PresetOwner, name: string, options: unknown): Promise<{ preset: PresetView; created: boolean }> {
    const now = this.deps.clock.now();
    const key = presetName(name);
    const patch = validatePatch(options);
    if (Object.keys(patch).length === 0) {
      throw new JobError({ code: 'INVALID_OPTIONS', violations: [{ option: 'options', message: 'a preset needs at least one option' }], source: 'options' });
    }
    // counted inside the store's transaction: two saves at once cannot both take the last place
    const saved = await this.deps.presets.save(owner, key, patch, new Date(now), this.maxPresets);
    if ('limitReached' in saved) throw new JobError({ code: 'LIMIT_REACHED', limit: 'presets', max: this.maxPresets, retryAt: null });
    const { preset, created } = saved;
    return { preset: this.view(preset), created };
  }

  async list(owner: PresetOwner): Promise<PresetView[]> {
    return (await this.deps.presets.list(owner)).map((p) => this.view(p));
  }

  async show(owner: PresetOwner, name: string): Promise<PresetView> {
    return this.view(await this.find(owner, name));
  }

  async delete(owner: PresetOwner, name: string): Promise<void> {
    const key = presetName(name);
    if (!(await this.deps.presets.delete(owner, key))) throw new JobError({ code: 'PRESET_NOT_FOUND', name: key });
  }

  /** Makes the preset the user's default (applied to every job), or clears the default with null. */
  async setDefault(owner: PresetOwner, name: string | null): Promise<void> {
    const now = this.deps.clock.now();
    const key = name === null ? null : presetName(name);
    if (!(await this.deps.presets.setDefault(owner, key, new Date(now)))) throw new JobError({ code: 'PRESET_NOT_FOUND', name: key! });
  }

  async getDefault(owner: PresetOwner): Promise<PresetView | null> {
    const preset = await this.deps.presets.getDefault(owner);
    return preset ? this.view(preset) : null;
  }

  async share(owner: PresetOwner, name: string): Promise<string> {
    const preset = await this.show(owner, name);
    return encodeShareCode({ name: preset.name, options: this.usable(preset) });
  }

  /** Imports another user's code under its own name or `name`; never replaces an existing preset. */
  async import(owner: PresetOwner, code: string, name?: string): Promise<PresetView> {
    const shared = decodeShareCode(code);
    const key = name === undefined ? shared.name : presetName(name);
    if (await this.deps.presets.get(owner, key)) throw new JobError({ code: 'PRESET_EXISTS', name: key });
    return (await this.save(owner, key, shared.options)).preset;
  }

  /** The options of a preset for a job; refused while it holds options this version no longer accepts. */
  async optionsOf(owner: PresetOwner, name: string): Promise<OptionsPatch> {
    return this.usable(await this.show(owner, name));
  }

  async defaultOptions(owner: PresetOwner): Promise<OptionsPatch | undefined> {
    const preset = await this.getDefault(owner);
    return preset ? this.usable(preset) : undefined;
  }

  private async find(owner: PresetOwner, name: string): Promise<PresetRecord> {
    const key = presetName(name);
    const preset = await this.deps.presets.get(owner, key);
    if (!preset) throw new JobError({ code: 'PRESET_NOT_FOUND', name: key });
    return preset;
  }

  /**
   * A stored preset can hold options that a later release no longer accepts; it still lists and shows
   * (with `problems`), and only using it for a job is refused.
   */
  private view(record: PresetRecord): PresetView {
    const problems = patchViolations(record.options);
    const stored = (record.options ?? {}) as Record<string, unknown>;
    const bad = new Set(problems.map((p) => p.option));
    const options = problems.some((p) => p.option === 'options')
      ? {}
      : validatePatch(Object.fromEntries(Object.entries(stored).filter(([key]) => !bad.has(key))));
    return { name: record.name, options, isDefault: record.isDefault, createdAt: record.createdAt, updatedAt: record.updatedAt, problems };
  }

  private usable(preset: PresetView): OptionsPatch {
    if (preset.problems.length > 0) {
      throw new JobError({ code: 'INVALID_OPTIONS', violations: preset.problems, source: `preset "${preset.name}"` });
    }
    return preset.options;
  }
}

/** Names are case-insensitive and chat-friendly: lower case letters, digits, - and _. */
export function presetName(name: string): string {
  const key = name.trim().toLowerCase();
  if (!PRESET_NAME.test(key)) throw new JobError({ code: 'INVALID_PRESET_NAME', name });
  return key;
}
