import type { ChallengeErrorDetails, ChallengeRecord, EntryRecord, Leaderboard, RankedEntry } from '../../../challenges/index.js';
import { STYLIZE_DEFAULTS } from '../../../pipeline/index.js';
import { encodeAction } from '../actions.js';
import { CHALLENGE_COMMAND_HELP, CHALLENGE_SUBCOMMAND_HELP } from './command-help.js';
import type { ActionButton, MessageField, MessageParts, PlatformName } from '../contract.js';
import { commandName } from '../messages/commands.js';
import { code, plural } from '../messages/format.js';
import { duration } from '../messages/job-errors.js';
import { optionName } from '../messages/replies.js';

/** Every sentence of challenges, written once for every platform. */

/** Discord and Slack both render `<@id>` as the member's name. */
export const mention = (userId: string) => `<@${userId}>`;

const when = (date: Date) => date.toISOString().replace('T', ' ').replace(/:\d\d\.\d+Z$/, ' UTC');

export const deadlineText = (closesAt: Date, now: number) => `${when(closesAt)} (${closesAt.getTime() <= now ? 'now' : `in ${duration((closesAt.getTime() - now) / 1000)}`})`;

const PLATFORM_NAMES: Readonly<Record<string, string>> = { discord: 'Discord', slack: 'Slack', web: 'web' };

export const TIE_RULE = 'Most votes wins; equal votes go to the entry that came in first.';

/** A challenge's platform as stored; an unknown one gets the Discord spellings rather than none. */
const platformOf = (c: ChallengeRecord): PlatformName => (c.platform === 'slack' || c.platform === 'web' ? c.platform : 'discord');

export const rules = (platform: PlatformName) => [
  `Submit your own photo with ${commandName(platform, 'challenge submit')}: it is painted with this style and the locked settings below, so entries are comparable.`,
  'One entry per member: a new submission replaces your entry once its picture is ready, and the votes of the old one are dropped.',
  'Vote with the **Vote** button under an entry: one vote per member, not for your own entry; you can move it until the deadline.',
  'An entry counts when its picture is ready before the deadline.',
  TIE_RULE,
];

export const CHALLENGE_TITLES = {
  refused: 'Not done',
  notFound: 'Not found',
  notAllowed: 'Not allowed',
  disabled: 'Challenges are off',
} as const;

export const CHALLENGE_TEXT = {
  disabled: 'Challenges are not enabled on this bot; ask its operator.',
  styleMissing: 'Attach the style picture of the challenge.',
  contentMissing: 'Attach your photo: it is painted with the challenge\'s style.',
  voted: (entryId: string, previous: string | null) =>
    previous ? `Your vote moved from entry ${code(previous)} to entry ${code(entryId)}.` : `You voted for entry ${code(entryId)}. You can move your vote until the deadline.`,
  voteUnchanged: (entryId: string) => `Your vote is already on entry ${code(entryId)}.`,
  submitted: (challenge: ChallengeRecord) => `Your entry for **${challenge.title}** is being painted; it is posted in the challenge when it is ready.`,
  willReplace: (entry: EntryRecord, votes: number) =>
    `It replaces your entry ${code(entry.id)} when it is ready${votes > 0 ? `, and that entry's ${plural(votes, 'vote')} will be dropped` : ''}.`,
  noEntries: 'No entries yet.',
  listEmpty: (platform: PlatformName) => `No challenges here yet. A server admin starts one with ${commandName(platform, 'challenge start')}.`,
  listEmptyEverywhere: 'No challenges yet. They are started on Discord or Slack, and listed here.',
} as const;

/** The words of the entry form (Slack's modal for `submit`). */
export const CHALLENGE_FORM_TEXT = {
  title: 'Challenge entry',
  submit: 'Enter',
  content: 'Your photo',
  contentHint: 'It is painted with the challenge\'s style and locked settings; a new entry replaces your earlier one.',
  /** the usage line of the command that opens the form */
  opensForm: 'opens a form to send your photo (or mention the bot with the photo attached)',
} as const;

export function describeChallengeError(d: ChallengeErrorDetails, now: number, platform: PlatformName): string {
  switch (d.code) {
    case 'NOT_ADMIN':
      return 'Only server admins (Manage Server on Discord; workspace admins or the challenge user group on Slack) can start a challenge.';
    case 'NOT_MODERATOR':
      return `Only moderators and admins can end challenge ${code(d.challengeId)} early; it closes by itself at its deadline.`;
    case 'CHALLENGE_NOT_FOUND':
      return `There is no challenge ${code(d.challengeId)} in this server: see ${commandName(platform, 'challenge list')}.`;
    case 'NO_OPEN_CHALLENGE':
      return `There is no open challenge in this server right now: see ${commandName(platform, 'challenge list')} for past ones.`;
    case 'WHICH_CHALLENGE':
      return `Several challenges are open; say which one with its id: ${d.open.map((c) => `${code(c.id)} (${c.title})`).join(', ')}.`;
    case 'CHALLENGE_CLOSED':
      return `Challenge ${code(d.challengeId)} closed ${d.closedAt.getTime() <= now ? `at ${when(d.closedAt)}` : ''}: no more entries or votes. See the results with ${commandName(platform, 'challenge leaderboard')}.`.replace('  ', ' ');
    case 'BAD_DURATION':
      return `${code(d.text || ' ')} is not a duration I can read: write it like \`2d\`, \`6h\`, \`90m\` or \`1d12h\`, between ${duration(d.minMs / 1000)} and ${duration(d.maxMs / 1000)}.`;
    case 'BAD_TITLE':
      return `Give the challenge a title of 1 to ${d.maxLength} characters.`;
    case 'BAD_STYLE':
      return `The style picture must be at most ${Math.round(d.maxBytes / 1e6)} MB.`;
    case 'ENTRY_NOT_FOUND':
      return `There is no entry ${code(d.entryId)} in this server.`;
    case 'ENTRY_NOT_CURRENT':
      return `Entry ${code(d.entryId)} was replaced by a newer entry of its member: vote for that one instead.`;
    case 'OWN_ENTRY':
      return 'You cannot vote for your own entry: vote for someone else\'s.';
  }
}

export function challengeErrorTitle(d: ChallengeErrorDetails): string {
  if (d.code === 'NOT_ADMIN' || d.code === 'NOT_MODERATOR' || d.code === 'OWN_ENTRY') return CHALLENGE_TITLES.notAllowed;
  if (d.code === 'CHALLENGE_NOT_FOUND' || d.code === 'ENTRY_NOT_FOUND' || d.code === 'NO_OPEN_CHALLENGE') return CHALLENGE_TITLES.notFound;
  return CHALLENGE_TITLES.refused;
}

/** The locked settings, as users type them: size and steps always, the rest where they differ from the defaults. */
export function settingsFields(options: unknown): MessageField[] {
  const fields: MessageField[] = [];
  for (const [key, value] of Object.entries((options ?? {}) as Record<string, unknown>)) {
    const fallback = (STYLIZE_DEFAULTS as Record<string, unknown>)[key];
    if (value === undefined || (JSON.stringify(value) === JSON.stringify(fallback) && key !== 'size' && key !== 'steps')) continue;
    fields.push({ name: optionName(key), value: Array.isArray(value) ? value.join(',') || 'none' : String(value), inline: true });
  }
  return fields;
}

const styleImage = (c: ChallengeRecord) => ({
  role: 'style' as const,
  name: `challenge-${c.id}-style.${c.styleType === 'image/png' ? 'png' : c.styleType === 'image/webp' ? 'webp' : c.styleType === 'image/gif' ? 'gif' : 'jpg'}`,
  contentType: (['image/png', 'image/gif', 'image/webp'].includes(c.styleType) ? c.styleType : 'image/jpeg') as 'image/png' | 'image/gif' | 'image/jpeg' | 'image/webp',
  bytes: c.styleImage,
  alt: `The style picture of the challenge ${c.title}`,
});

/** The announcement: style picture, rules, deadline, locked settings. */
export function announcement(c: ChallengeRecord, now: number): MessageParts {
  return {
    tone: 'info',
    title: `Style challenge: ${c.title}`,
    body: [`Started by ${mention(c.createdBy)}. Closes ${deadlineText(c.closesAt, now)}.`, '', ...rules(platformOf(c)).map((r) => `• ${r}`)].join('\n'),
    fields: [{ name: 'Deadline', value: when(c.closesAt), inline: true }, { name: 'Challenge id', value: code(c.id), inline: true }, ...settingsFields(c.options)],
    images: [styleImage(c)],
    footer: `challenge ${c.id}`,
  };
}

export function voteButton(entryId: string): ActionButton {
  return { id: encodeAction('vote', entryId), label: 'Vote', style: 'primary' };
}

/** An entry as posted in the challenge's conversation, with its vote count and (while open) the Vote button. */
export function entryMessage(c: ChallengeRecord, entry: EntryRecord, votes: number, open: boolean, replacedVotes: number | null): MessageParts {
  const lines = [`By ${mention(entry.userId)} · ${plural(votes, 'vote')}`];
  if (replacedVotes !== null) lines.push(`This replaces their earlier entry${replacedVotes > 0 ? `, whose ${plural(replacedVotes, 'vote')} were dropped` : ''}.`);
  return {
    tone: 'info',
    title: `Entry ${entry.id} — ${c.title}`,
    body: lines.join('\n'),
    ...(open ? { actions: [voteButton(entry.id)] } : {}),
    footer: `challenge ${c.id} · entry ${entry.id}`,
  };
}

/** The old entry's message once a newer one of its member replaced it: no button, a notice. */
export function replacedEntryMessage(c: ChallengeRecord, entry: EntryRecord, droppedVotes: number): MessageParts {
  return {
    tone: 'warning',
    title: `Entry ${entry.id} — replaced`,
    body: `${mention(entry.userId)} sent a newer entry to **${c.title}**; this one is out${droppedVotes > 0 ? ` and its ${plural(droppedVotes, 'vote')} were dropped: voters can vote again` : ''}.`,
    footer: `challenge ${c.id} · entry ${entry.id}`,
  };
}

export function lateEntryMessage(c: ChallengeRecord, entry: EntryRecord): MessageParts {
  return { tone: 'warning', title: `Too late for ${c.title}`, body: `${mention(entry.userId)}'s picture was ready after the challenge closed, so it is not entered.` };
}

const MEDALS = ['🥇', '🥈', '🥉'];

function standingLine(place: number, r: RankedEntry): string {
  return `${MEDALS[place - 1] ?? `${place}.`} ${mention(r.entry.userId)} — ${plural(r.votes, 'vote')} (entry ${code(r.entry.id)})`;
}

export function leaderboardMessage(board: Leaderboard, now: number): MessageParts {
  const c = board.challenge;
  const open = c.status === 'open';
  return {
    tone: 'info',
    title: `Leaderboard — ${c.title}`,
    body: [
      board.standings.length === 0 ? CHALLENGE_TEXT.noEntries : board.standings.map((s) => standingLine(s.place, s)).join('\n'),
      '',
      open ? `Closes ${deadlineText(c.closesAt, now)}. ${TIE_RULE}` : `Closed ${when(c.closedAt ?? c.closesAt)}. ${TIE_RULE}`,
    ].join('\n'),
    footer: `challenge ${c.id}`,
  };
}

/** The closing announcement; the winners' pictures go with it as files. */
export function closingMessage(c: ChallengeRecord, winners: readonly RankedEntry[], by: string | null): MessageParts {
  const how = by === null ? 'The deadline has passed' : `${mention(by)} ended it early`;
  return {
    tone: 'success',
    title: `Challenge closed: ${c.title}`,
    body: [
      `${how}. ${winners.length === 0 ? 'Nobody entered this time.' : 'The winners:'}`,
      ...winners.map((w, i) => standingLine(i + 1, w)),
      '',
      TIE_RULE,
    ].join('\n'),
    footer: `challenge ${c.id}`,
  };
}

/** `everywhere`: challenges of every server (the operator's page), each line saying where it runs. */
export function listMessage(platform: PlatformName, open: readonly ChallengeRecord[], past: readonly ChallengeRecord[], now: number, everywhere = false): MessageParts {
  if (open.length === 0 && past.length === 0) return { tone: 'info', title: 'Challenges', body: everywhere ? CHALLENGE_TEXT.listEmptyEverywhere : CHALLENGE_TEXT.listEmpty(platform) };
  const fields: MessageField[] = [];
  const name = (c: ChallengeRecord) => `${code(c.id)} **${c.title}**${everywhere ? ` (${PLATFORM_NAMES[c.platform] ?? c.platform} server ${code(c.serverId)})` : ''}`;
  if (open.length > 0) fields.push({ name: 'Open', value: open.map((c) => `${name(c)} — closes ${deadlineText(c.closesAt, now)}`).join('\n') });
  if (past.length > 0) fields.push({ name: 'Past', value: past.map((c) => `${name(c)} — closed ${when(c.closedAt ?? c.closesAt)}`).join('\n') });
  return { tone: 'info', title: 'Challenges', fields };
}

/** Slack's help for challenges: starting and entering go by mention with the picture, the rest by `slashCommand`. */
export function challengeUsage(botName: string, slashCommand: string): MessageParts {
  return {
    tone: 'info',
    title: 'How to use challenges',
    body: [
      CHALLENGE_COMMAND_HELP,
      `• ${code(`${botName} challenge start title="Great waves" duration=2d steps=200`)} with the style picture attached: ${CHALLENGE_SUBCOMMAND_HELP.start}`,
      `• ${code(`${botName} challenge submit`)} with your photo attached: ${CHALLENGE_SUBCOMMAND_HELP.submit}`,
      `• ${code(`${slashCommand} submit [id]`)} ${CHALLENGE_FORM_TEXT.opensForm}`,
      `• the Vote button under an entry, or ${code(`${slashCommand} vote <entry id>`)}`,
      `• ${code(`${slashCommand} leaderboard [id]`)}: ${CHALLENGE_SUBCOMMAND_HELP.leaderboard}`,
      `• ${code(`${slashCommand} end [id]`)}: ${CHALLENGE_SUBCOMMAND_HELP.end}`,
      `• ${code(`${slashCommand} list`)}: ${CHALLENGE_SUBCOMMAND_HELP.list}`,
    ].join('\n'),
  };
}
