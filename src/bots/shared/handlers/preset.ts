import { OPTION_DESCRIPTORS, parseRawOptions, STYLIZE_DEFAULTS, type StylizeOptions } from '../../../pipeline/index.js';
import type { PlatformName, Reply } from '../contract.js';
import { code, optionName, optionProblems, privateInfo, privateProblem, TEXT, TITLES } from '../messages/index.js';
import type { PresetView } from '../jobs-types.js';
import type { Handler } from './context.js';
import { ownerOf, requesterOf } from './context.js';

/** Saved option sets of the actor, the same on every server of the platform. */
export const preset: Handler<'preset'> = async (command, actor, deps) => {
  const owner = ownerOf(actor);
  const presets = deps.jobs.presets;
  switch (command.op) {
    case 'save': {
      if (command.name.trim() === '') return privateProblem(TITLES.refused, TEXT.presetNameMissing, { name: TEXT.presetNameMissing });
      const { patch, violations } = parseRawOptions(command.options);
      if (violations.length > 0) return privateProblem(TITLES.refused, TEXT.optionsInvalid(optionProblems(violations)), Object.fromEntries(violations.map((v) => [v.name, v.message])));
      if (Object.keys(patch).length === 0) return privateProblem(TITLES.refused, TEXT.presetEmpty);
      const { preset: saved, created } = await presets.save(owner, command.name, patch);
      return saved_(actor.platform, saved, created);
    }
    case 'saveFromJob': {
      if (command.name.trim() === '') return privateProblem(TITLES.refused, TEXT.presetNameMissing, { name: TEXT.presetNameMissing });
      const { job } = await deps.jobs.status(requesterOf(actor), command.jobId);
      const { preset: saved, created } = await presets.save(owner, command.name, reusableOptions(job.options));
      return saved_(actor.platform, saved, created);
    }
    case 'list': {
      const all = await presets.list(owner);
      if (all.length === 0) return privateInfo({ title: 'Your presets', body: TEXT.presetNone(actor.platform) });
      return privateInfo({ title: 'Your presets', body: all.map((p) => `${code(p.name)}${p.isDefault ? ' (default)' : ''}: ${summary(p)}`).join('\n') });
    }
    case 'show': {
      const shown = await presets.show(owner, command.name);
      return privateInfo({
        title: `Preset ${shown.name}${shown.isDefault ? ' (your default)' : ''}`,
        fields: ordered(shown.options).map(([k, v]) => ({ name: optionName(k), value: Array.isArray(v) ? v.join(',') : String(v), inline: true })),
        ...(shown.problems.length > 0 ? { body: `${TEXT.presetProblems}\n${optionProblems(shown.problems)}`, tone: 'warning' as const } : {}),
      });
    }
    case 'delete':
      await presets.delete(owner, command.name);
      return privateInfo({ title: 'Preset deleted', body: TEXT.presetDeleted(command.name.trim().toLowerCase()) });
    case 'default':
      await presets.setDefault(owner, command.name);
      return privateInfo({ title: 'Default preset', body: TEXT.presetDefault(command.name === null ? null : command.name.trim().toLowerCase()) });
    case 'share': {
      const shareCode = await presets.share(owner, command.name);
      return privateInfo({ title: 'Share code', body: `${TEXT.presetShare(actor.platform, command.name.trim().toLowerCase())}\n${code(shareCode)}` });
    }
    case 'import': {
      const imported = await presets.import(owner, command.code, command.name);
      return privateInfo({ title: 'Preset imported', body: `${TEXT.presetImported(imported.name)}\n${summary(imported)}` });
    }
  }
};

function saved_(platform: PlatformName, saved: PresetView, created: boolean): Reply {
  return privateInfo({ tone: 'success', title: created ? 'Preset saved' : 'Preset replaced', body: `${TEXT.presetSaved(platform, saved.name, created)}\n${summary(saved)}` });
}

function summary(p: PresetView): string {
  const entries = ordered(p.options);
  return entries.length === 0 ? '(no usable options)' : entries.map(([k, v]) => `${optionName(k)}=${Array.isArray(v) ? v.join(',') : String(v)}`).join(' ');
}

/**
 * A job's options as a preset: what differs from the built-in defaults, without the seed (a preset with
 * one seed would make every job the same picture) and without a follow-up's start from a picture.
 */
export function reusableOptions(options: StylizeOptions): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    if (key === 'seed' || (key === 'init' && value === 'image')) continue;
    if (JSON.stringify(value) === JSON.stringify((STYLIZE_DEFAULTS as Record<string, unknown>)[key])) continue;
    out[key] = value;
  }
  // a job with only default options still makes a usable preset
  if (Object.keys(out).length === 0) out.size = options.size;
  return out;
}

const ORDER = new Map(OPTION_DESCRIPTORS.map((d, i) => [d.key as string, i]));

/** Options in the order every surface lists them. */
function ordered(options: object): Array<[string, unknown]> {
  return Object.entries(options).sort(([a], [b]) => (ORDER.get(a) ?? 99) - (ORDER.get(b) ?? 99));
}
