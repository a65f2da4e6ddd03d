// The words of forms (Slack's modals, the web form) and the usage help of commands typed as text (Slack's
// slash commands and mentions), written once. Command names are passed in: each platform spells its own.
import type { MessageParts } from '../contract.js';
import { COMMAND_HELP, INPUT_HELP, SUBCOMMAND_HELP } from './command-help.js';
import { code } from './format.js';

export const FORM_TEXT = {
  stylizeTitle: 'Stylize',
  stylizeSubmit: 'Start',
  close: 'Cancel',
  content: 'Content picture',
  style: 'Style picture',
  preset: 'Preset',
  presetHint: INPUT_HELP.preset,
  presetNameTitle: 'Save as preset',
  presetNameSubmit: 'Save',
} as const;

export type TextCommandKind = 'job' | 'queue' | 'preset' | 'history';

const SYNTAX: Record<TextCommandKind, readonly string[]> = {
  job: ['<job id>', '<job id> full'],
  queue: ['', 'server'],
  history: ['', '<cursor>'],
  preset: [
    'save <name> option=value …',
    'list',
    'show <name>',
    'delete <name>',
    'default <name | none>',
    'share <name>',
    'import <code> [name]',
  ],
};

/** What a text command takes, shown when its arguments do not parse. */
export function textCommandUsage(kind: TextCommandKind, command: string): MessageParts {
  const lines = SYNTAX[kind].map((syntax) => `• ${code(`${command}${syntax ? ` ${syntax}` : ''}`)}`);
  const details =
    kind === 'preset'
      ? Object.entries(SUBCOMMAND_HELP.preset).map(([op, help]) => `${code(op)}: ${help}`)
      : kind === 'queue'
        ? ['Add `server` for the whole server queue (moderators).']
        : [];
  return { tone: 'info', title: `How to use ${command}`, body: [COMMAND_HELP[kind], ...lines, ...details].join('\n') };
}

/** A mention that did not bring two pictures (or had words that are not options). */
export function mentionUsage(botName: string): MessageParts {
  return {
    tone: 'info',
    title: 'How to stylize by mention',
    body: [
      `Attach two pictures to one message: the content picture first, then the style picture (up to 8 styles), and mention ${botName}.`,
      `Options go after the word stylize, e.g. ${code(`${botName} stylize style_weight=1e4 steps=200`)}; add ${code('preset=<name>')} to start from a preset.`,
    ].join('\n'),
  };
}

/** Under a page of a list typed as text: how to get the next one. */
export function nextPageHint(command: string, cursor: string): string {
  return `More: ${code(`${command} ${cursor}`)}`;
}
