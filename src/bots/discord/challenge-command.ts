import { ApplicationCommandOptionType, ApplicationCommandType, InteractionContextType, type APIApplicationCommandBasicOption, type ChatInputCommandInteraction, type RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord.js';
import { CHALLENGE_COMMAND_HELP, CHALLENGE_INPUT_HELP, CHALLENGE_SUBCOMMAND_HELP } from '../shared/challenges/command-help.js';
import type { Attachment, Command, ReplyRef } from '../shared/contract.js';
import { optionOfDescriptor, slashDescriptors, DISCORD_MAX_OPTIONS } from './commands.js';

/**
 * `/challenge start|submit|vote|leaderboard|end|list`. Everyone sees it; the core refuses `start` to
 * members without Manage Server and `end` to those without Manage Messages, in words.
 */
export function challengeCommandDefinition(): RESTPostAPIChatInputApplicationCommandsJSONBody {
  const text = (name: string, description: string, required: boolean, maxLength = 100): APIApplicationCommandBasicOption => ({ name, description, type: ApplicationCommandOptionType.String, required, max_length: maxLength });
  const attachment = (name: string, description: string): APIApplicationCommandBasicOption => ({ name, description, type: ApplicationCommandOptionType.Attachment, required: true });
  const id = text('id', CHALLENGE_INPUT_HELP.challengeId, false, 64);
  const fixed = [
    attachment('style', CHALLENGE_INPUT_HELP.style),
    text('title', CHALLENGE_INPUT_HELP.title, true),
    text('duration', CHALLENGE_INPUT_HELP.duration, true, 16),
    text('preset', CHALLENGE_INPUT_HELP.preset, false, 32),
  ];
  const startOptions = [...fixed, ...[...slashDescriptors().values()].slice(0, DISCORD_MAX_OPTIONS - fixed.length).map(optionOfDescriptor)];
  const sub = (name: keyof typeof CHALLENGE_SUBCOMMAND_HELP, options: APIApplicationCommandBasicOption[] = []) => ({ name, description: CHALLENGE_SUBCOMMAND_HELP[name], type: ApplicationCommandOptionType.Subcommand as const, options });
  return {
    type: ApplicationCommandType.ChatInput,
    name: 'challenge',
    description: CHALLENGE_COMMAND_HELP,
    contexts: [InteractionContextType.Guild],
    options: [
      sub('start', startOptions),
      sub('submit', [attachment('content', CHALLENGE_INPUT_HELP.content), id]),
      sub('vote', [text('entry', CHALLENGE_INPUT_HELP.entryId, true, 64)]),
      sub('leaderboard', [id]),
      sub('end', [id]),
      sub('list'),
    ],
  };
}

/** A /challenge interaction as the core's command; null for a subcommand this version does not know. */
export function challengeCommandOf(
  interaction: ChatInputCommandInteraction,
  attachmentOf: (name: string) => Attachment | null,
  rawOptions: (names: Iterable<string>) => Record<string, string>,
  replyRef: ReplyRef,
): Command | null {
  const options = interaction.options;
  const challengeId = options.getString('id')?.trim();
  const withId = challengeId ? { challengeId } : {};
  switch (options.getSubcommand()) {
    case 'start': {
      const style = attachmentOf('style');
      if (!style) return null;
      const preset = options.getString('preset');
      return {
        kind: 'challenge',
        op: 'start',
        style,
        title: options.getString('title', true),
        duration: options.getString('duration', true),
        options: rawOptions(slashDescriptors().keys()),
        ...(preset ? { preset } : {}),
        replyRef,
      };
    }
    case 'submit': {
      const content = attachmentOf('content');
      return content ? { kind: 'challenge', op: 'submit', content, ...withId, replyRef } : null;
    }
    case 'vote':
      return { kind: 'challenge', op: 'vote', entryId: options.getString('entry', true).trim() };
    case 'leaderboard':
      return { kind: 'challenge', op: 'leaderboard', ...withId };
    case 'end':
      return { kind: 'challenge', op: 'end', ...withId };
    case 'list':
      return { kind: 'challenge', op: 'list' };
    default:
      return null;
  }
}
