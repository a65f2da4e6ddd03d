// Help texts of /challenge and its inputs, written once for every platform's command list.

export const CHALLENGE_COMMAND_HELP = 'Style challenges: start one, submit your photo, vote, see the leaderboard';

export const CHALLENGE_SUBCOMMAND_HELP = {
  start: 'Start a challenge with a style picture and locked settings (server admins)',
  submit: 'Enter your photo: it is painted with the challenge\'s style and settings',
  vote: 'Vote for an entry (or use the Vote button under it)',
  leaderboard: 'The entries by votes',
  end: 'End a challenge before its deadline (moderators)',
  list: 'Open and past challenges of this server',
} as const;

export const CHALLENGE_INPUT_HELP = {
  style: 'The style picture every entry is painted in',
  title: 'The challenge\'s title',
  duration: 'How long it runs: 2d, 6h, 90m, 1d12h',
  preset: 'One of your presets for the locked settings (typed options win)',
  content: 'Your photo to paint in the challenge\'s style',
  challengeId: 'The challenge id (default: the open one here)',
  entryId: 'The entry id, as shown under the entry',
} as const;
