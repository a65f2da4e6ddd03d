import { findDescriptor } from '../../../pipeline/index.js';
import type { MessageParts, PlatformName, Reply } from '../contract.js';
import { commandName } from './commands.js';
import { code } from './format.js';

/** A problem only the actor sees, with what to do next. */
export function privateProblem(title: string, body: string, fieldErrors?: Readonly<Record<string, string>>): Reply {
  return { visibility: 'private', message: { tone: 'error', title, body }, ...(fieldErrors && Object.keys(fieldErrors).length > 0 ? { fieldErrors } : {}) };
}

export function privateInfo(message: Omit<MessageParts, 'tone'> & { tone?: MessageParts['tone'] }): Reply {
  return { visibility: 'private', message: { tone: 'info', ...message } };
}

/** An option as chat users type it: `style_weight`. */
export function optionName(key: string): string {
  return findDescriptor(key)?.names.chat ?? key;
}

/** One line per bad option, named as users type them. */
export function optionProblems(violations: ReadonlyArray<{ readonly option: string; readonly name?: string; readonly message: string }>): string {
  return violations.map((v) => `• ${code(v.name ?? optionName(v.option))}: ${v.message}`).join('\n');
}

export const TITLES = {
  cannotStart: 'This job cannot start',
  refused: 'Not done',
  notFound: 'Not found',
  notAllowed: 'Not allowed',
  unexpected: 'Something went wrong',
} as const;

export const TEXT = {
  optionsInvalid: (lines: string) => `Some options are not valid:\n${lines}`,
  noContent: 'Attach a content picture: the photo to repaint.',
  noStyle: 'Attach at least one style picture: the style to paint the content picture in.',
  tooManyStyles: (max: number, got: number) => `Attach at most ${max} style pictures (you sent ${got}).`,
  unexpected: (errorId: string) =>
    `Something went wrong on the bot's side (error id ${code(errorId)}). Try again; if it keeps happening, give the bot's operator this id.`,
  queueServerScope: 'Only moderators and admins can see the whole server\'s queue: ask for your own jobs instead.',
  queueEmpty: (scope: 'mine' | 'server') => (scope === 'mine' ? 'You have no jobs running or waiting here.' : 'Nothing is running or waiting in this server.'),
  historyEmpty: (platform: PlatformName) => `You have no jobs yet: start one with ${commandName(platform, 'stylize')}.`,
  historyEnd: 'That is all of your jobs.',
  cancelledWaiting: (jobId: string) => `Job ${code(jobId)} was cancelled before it started.`,
  cancelledRunning: (jobId: string, step: number, total: number) => `Job ${code(jobId)} was stopped at step ${step}/${total}.`,
  presetNameMissing: 'Give the preset a name: 1 to 32 letters, digits, - or _.',
  presetSaved: (platform: PlatformName, name: string, created: boolean) =>
    `${created ? 'Saved' : 'Replaced'} your preset ${code(name)}. Use it with the preset option of ${commandName(platform, 'stylize')}.`,
  presetDeleted: (name: string) => `Deleted your preset ${code(name)}.`,
  presetDefault: (name: string | null) => (name === null ? 'Your jobs no longer use a default preset.' : `Your jobs now start from preset ${code(name)}, below the options you type.`),
  presetNone: (platform: PlatformName) => `You have no presets yet: save one with ${commandName(platform, 'preset save')}, or with Save as preset under a result.`,
  presetShare: (platform: PlatformName, name: string) => `Share code of ${code(name)}: anyone can import it with ${commandName(platform, 'preset import')}.`,
  presetImported: (name: string) => `Imported the preset as ${code(name)}.`,
  presetProblems: 'These stored options are no longer accepted; save the preset again to use it:',
  presetEmpty: 'A preset needs at least one option: give the options to save.',
  settingsNotAdmin: "Only a server admin can change this server's settings.",
  settingsSaved: 'Saved. These are the settings of this server now.',
  settingsReset: "This server's limits and defaults are back to the bot's.",
  limitsInvalid: (lines: string) => `Some limits are not valid:\n${lines}`,
  featureOff: 'That is not enabled on this bot; ask its operator.',
  buttonOutdated: (platform: PlatformName) =>
    `That button belongs to an older message of the bot and no longer works: use ${commandName(platform, 'job')} with the job id to get fresh buttons.`,
} as const;
