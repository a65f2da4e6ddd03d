import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  InteractionContextType,
  PermissionFlagsBits,
  type APIApplicationCommandBasicOption,
  type APIApplicationCommandOption,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord-api-types/v10';
import { serverLimitsSchema, SERVER_LIMIT_KEYS } from '../../jobs/index.js';
import { descriptorsFor, type OptionDescriptor } from '../../pipeline/descriptors.js';
import { COMMAND_HELP, INPUT_HELP, SUBCOMMAND_HELP } from '../shared/messages/command-help.js';
import { challengeCommandDefinition } from './challenge-command.js';

/**
 * Discord's slash commands, generated from the option descriptors so that a new option reaches Discord by
 * being added to the options schema. `npm run commands:deploy` writes them to commands/discord.json (kept
 * in git, checked current by a test) and registers them.
 */

/** Discord's own limits on a command. */
export const DISCORD_MAX_OPTIONS = 25;
const MAX_DESCRIPTION = 100;

/** The attachment inputs of /stylize, in Discord option order. */
export const STYLE_INPUTS = ['style', 'style2', 'style3'] as const;

type Body = RESTPostAPIChatInputApplicationCommandsJSONBody;

const description = (text: string) => (text.length <= MAX_DESCRIPTION ? text : `${text.slice(0, MAX_DESCRIPTION - 1)}…`);

/** A descriptor as a Discord option; lists and layer specs are typed as text, the core parses them. */
export function optionOfDescriptor(d: OptionDescriptor): APIApplicationCommandBasicOption {
  const base = { name: d.names.chat, description: description(d.help), required: false } as const;
  const bounds = {
    ...(d.min !== undefined && !d.minExclusive ? { min_value: d.min } : {}),
    ...(d.max !== undefined && !d.maxExclusive ? { max_value: d.max } : {}),
  };
  switch (d.kind) {
    case 'integer':
      return { ...base, type: ApplicationCommandOptionType.Integer, ...bounds };
    case 'number':
      return { ...base, type: ApplicationCommandOptionType.Number, ...bounds };
    case 'boolean':
      return { ...base, type: ApplicationCommandOptionType.Boolean };
    case 'choice':
      if ((d.choices?.length ?? 0) <= 25) return { ...base, type: ApplicationCommandOptionType.String, choices: d.choices!.map((c) => ({ name: c, value: c })) };
      return { ...base, type: ApplicationCommandOptionType.String };
    case 'list':
    case 'string':
      return { ...base, type: ApplicationCommandOptionType.String, max_length: 200 };
  }
}

/** Options of the schema that /stylize shows, as Discord option name -> descriptor. */
export function slashDescriptors(): ReadonlyMap<string, OptionDescriptor> {
  return new Map(descriptorsFor('slash').map((d) => [d.names.chat, d]));
}

const snake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** `/settings set` option name -> server limit key. */
export function limitOptions(): ReadonlyMap<string, (typeof SERVER_LIMIT_KEYS)[number]> {
  return new Map(SERVER_LIMIT_KEYS.map((key) => [snake(key), key]));
}

/** Fills the places left after the fixed inputs, most used options first. */
function withOptions(fixed: APIApplicationCommandBasicOption[]): APIApplicationCommandBasicOption[] {
  const room = DISCORD_MAX_OPTIONS - fixed.length;
  return [...fixed, ...descriptorsFor('slash').slice(0, room).map(optionOfDescriptor)];
}

const attachment = (name: string, help: string, required: boolean): APIApplicationCommandBasicOption => ({ name, description: help, type: ApplicationCommandOptionType.Attachment, required });
const text = (name: string, help: string, required: boolean, extra: { autocomplete?: boolean; max_length?: number } = {}): APIApplicationCommandBasicOption =>
  ({ name, description: help, type: ApplicationCommandOptionType.String, required, ...extra }) as APIApplicationCommandBasicOption;
const sub = (name: string, help: string, options: APIApplicationCommandBasicOption[] = []): APIApplicationCommandOption => ({ name, description: help, type: ApplicationCommandOptionType.Subcommand, options });

const presetName = (required: boolean, autocomplete: boolean) => text('name', INPUT_HELP.presetName, required, { max_length: 32, autocomplete });

const EVERYWHERE = [InteractionContextType.Guild, InteractionContextType.BotDM];

export function buildCommands(): Body[] {
  const chat = (name: keyof typeof COMMAND_HELP, options: APIApplicationCommandOption[], extra: Partial<Body> = {}): Body => ({
    type: ApplicationCommandType.ChatInput,
    name,
    description: COMMAND_HELP[name],
    options,
    contexts: EVERYWHERE,
    ...extra,
  });
  const jobId = text('id', INPUT_HELP.jobId, true, { max_length: 64 });
  const limits = [...limitOptions()].map(([name, key]) => text(name, description(serverLimitsSchema.shape[key].description ?? key), false, { max_length: 24 }));
  return [
    chat('stylize', withOptions([
      attachment('content', INPUT_HELP.content, true),
      attachment('style', INPUT_HELP.style, true),
      attachment('style2', INPUT_HELP.style2, false),
      attachment('style3', INPUT_HELP.style3, false),
      text('preset', INPUT_HELP.preset, false, { max_length: 32, autocomplete: true }),
    ])),
    chat('job', [jobId]),
    chat('queue', [{ name: 'scope', description: INPUT_HELP.queueScope, type: ApplicationCommandOptionType.String, required: false, choices: [{ name: 'mine', value: 'mine' }, { name: 'server', value: 'server' }] }]),
    chat('history', [text('cursor', INPUT_HELP.historyCursor, false, { max_length: 200 })]),
    chat('cancel', [jobId]),
    chat('preset', [
      sub('save', SUBCOMMAND_HELP.preset.save, withOptions([presetName(true, false)])),
      sub('list', SUBCOMMAND_HELP.preset.list),
      sub('show', SUBCOMMAND_HELP.preset.show, [presetName(true, true)]),
      sub('delete', SUBCOMMAND_HELP.preset.delete, [presetName(true, true)]),
      sub('default', SUBCOMMAND_HELP.preset.default, [presetName(false, true)]),
      sub('share', SUBCOMMAND_HELP.preset.share, [presetName(true, true)]),
      sub('import', SUBCOMMAND_HELP.preset.import, [text('code', INPUT_HELP.shareCode, true, { max_length: 1000 }), presetName(false, false)]),
    ]),
    chat('settings', [
      sub('show', SUBCOMMAND_HELP.settings.show),
      sub('set', SUBCOMMAND_HELP.settings.set, withOptions(limits)),
      sub('reset', SUBCOMMAND_HELP.settings.reset),
    ], { default_member_permissions: String(PermissionFlagsBits.ManageGuild), contexts: [InteractionContextType.Guild] }),
    challengeCommandDefinition(),
  ];
}

/** The committed file, as `npm run commands:deploy` writes it. */
export function commandsJson(): string {
  return `${JSON.stringify(buildCommands(), null, 2)}\n`;
}
