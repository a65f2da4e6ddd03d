import type { PlatformName } from '../contract.js';
import { code } from './format.js';

/**
 * How a sentence names a command on each platform, so the shared sentences stay platform-neutral: Discord's
 * slash commands (`/challenge submit`), Slack's prefixed ones (`/stylize-challenge submit`; starting a
 * challenge goes by mention, since Slack's slash commands carry no files), and the web page's buttons.
 */
export type CommandKey =
  | 'stylize'
  | 'job'
  | 'history'
  | 'preset save'
  | 'preset import'
  | 'challenge start'
  | 'challenge submit'
  | 'challenge leaderboard'
  | 'challenge list';

const SLACK_PREFIXED: Readonly<Record<string, string>> = { job: '/stylize-job', history: '/stylize-history', preset: '/stylize-preset', challenge: '/stylize-challenge' };

/** The page has no commands: it names the part of the page that does the same. */
const WEB_WORDING: Readonly<Record<CommandKey, string>> = {
  stylize: 'the Stylize form',
  job: 'the Jobs list',
  history: 'the Jobs list',
  'preset save': 'the Save options as preset button',
  'preset import': 'the Import code button under Presets',
  // challenges are started, entered and ranked on Discord and Slack only
  'challenge start': 'the challenge command on Discord or Slack',
  'challenge submit': 'the challenge command on Discord or Slack',
  'challenge leaderboard': 'the challenge leaderboard on Discord or Slack',
  'challenge list': 'the Challenges section',
};

/** The command as users of `platform` type it, ready to go in a sentence (in code spans on chat platforms). */
export function commandName(platform: PlatformName, command: CommandKey): string {
  if (platform === 'web') return WEB_WORDING[command];
  if (platform === 'slack') {
    if (command === 'challenge start') return `a mention of the bot: ${code('@Stylebot challenge start')} with the style picture attached`;
    const [head = command, ...rest] = command.split(' ');
    return code([SLACK_PREFIXED[head] ?? `/${head}`, ...rest].join(' '));
  }
  return code(`/${command}`);
}
