import { parseRawOptions } from '../../../pipeline/index.js';
import type { MessageField, Reply } from '../contract.js';
import { code, optionName, optionProblems, privateInfo, privateProblem, TEXT, TITLES } from '../messages/index.js';
import type { ServerLimitKey, ServerSettingsView } from '../jobs-types.js';
import type { Handler } from './context.js';

const LIMIT_NAMES: Record<string, string> = {};
const snake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const normal = (name: string) => name.trim().toLowerCase().replace(/[-_\s]/g, '');

/** Server limits and option defaults: anyone may look, only admins change, never above the operator's. */
export const settings: Handler<'settings'> = async (command, actor, deps) => {
  const server = { platform: actor.platform, serverId: actor.serverId };
  const service = deps.jobs.settings;
  if (command.op === 'show') return view(await service.get(server), 'Settings of this server');
  if (!actor.isAdmin) return privateProblem(TITLES.notAllowed, TEXT.settingsNotAdmin);
  if (command.op === 'reset') {
    const current = await service.get(server);
    const limits = Object.fromEntries(Object.keys(current.limits).map((k) => [k, null])) as Partial<Record<ServerLimitKey, null>>;
    return view(await service.update({ ...server, isAdmin: true, limits, defaults: {} }), TEXT.settingsReset);
  }
  const current = await service.get(server);
  const keys = Object.keys(current.limits) as ServerLimitKey[];
  const limits: Partial<Record<ServerLimitKey, number | null>> = {};
  const problems: Array<{ option: string; name: string; message: string }> = [];
  for (const [name, text] of Object.entries(command.limits ?? {})) {
    if (text.trim() === '') continue;
    const key = keys.find((k) => normal(k) === normal(name));
    if (!key) {
      problems.push({ option: name, name, message: `is not a limit (known: ${keys.map(snake).join(', ')})` });
      continue;
    }
    if (/^(default|reset|none)$/i.test(text.trim())) limits[key] = null;
    else if (/^[+-]?\d+(\.\d+)?(e\d+)?$/i.test(text.trim().replace(/_/g, ''))) limits[key] = Number(text.trim().replace(/_/g, ''));
    else problems.push({ option: key, name, message: `must be a number or "default" (got ${JSON.stringify(text)})` });
  }
  if (problems.length > 0) return privateProblem(TITLES.refused, TEXT.limitsInvalid(optionProblems(problems)), Object.fromEntries(problems.map((p) => [p.name, p.message])));
  let defaults: Record<string, unknown> | undefined;
  if (command.defaults !== undefined) {
    const { patch, violations } = parseRawOptions(command.defaults);
    if (violations.length > 0) return privateProblem(TITLES.refused, TEXT.optionsInvalid(optionProblems(violations)), Object.fromEntries(violations.map((v) => [v.name, v.message])));
    defaults = { ...current.defaults, ...patch };
  }
  const updated = await service.update({ ...server, isAdmin: true, limits, ...(defaults !== undefined ? { defaults } : {}) });
  return view(updated, TEXT.settingsSaved);
};

function view(settingsView: ServerSettingsView, title: string): Reply {
  const fields: MessageField[] = Object.entries(settingsView.limits).map(([key, value]) => ({
    name: LIMIT_NAMES[key] ?? snake(key),
    value: `${value}${settingsView.own[key as ServerLimitKey] === null ? ' (bot default)' : ''}`,
    inline: true,
  }));
  const defaults = Object.entries(settingsView.defaults);
  return privateInfo({
    title,
    body: defaults.length > 0 ? `Option defaults: ${defaults.map(([k, v]) => `${code(optionName(k))}=${Array.isArray(v) ? v.join(',') : String(v)}`).join(' ')}` : 'No option defaults: jobs use the bot\'s.',
    fields,
  });
}
