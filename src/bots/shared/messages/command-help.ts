// The help texts of the chat commands and of their non-option inputs, written once for every platform's
// command list (Discord's slash commands, Slack's usage help). The options' own help comes from the option
// descriptors (src/pipeline/descriptors.ts), the server limits' from their schema.

export const COMMAND_HELP = {
  stylize: 'Paint a picture in the style of another (neural style transfer)',
  job: "Show a job's card, result and buttons again",
  queue: 'Your jobs waiting and running, or the whole server queue for moderators',
  history: 'Your recent jobs, across servers',
  cancel: 'Cancel a waiting or running job',
  preset: 'Save, list and share your favourite settings',
  settings: "This server's limits and default options (server admins)",
} as const;

export const SUBCOMMAND_HELP = {
  preset: {
    save: 'Save options under a name',
    list: 'List your presets',
    show: "Show a preset's options",
    delete: 'Delete a preset',
    default: 'Use a preset for every job of yours (leave the name out to stop)',
    share: 'Get a code others can import',
    import: 'Import a preset from a share code',
  },
  settings: {
    show: "Show this server's limits and defaults",
    set: 'Change limits (a number, or "default") and default options',
    reset: 'Go back to the operator\'s limits and no server defaults',
  },
} as const;

export const INPUT_HELP = {
  content: 'The picture to repaint',
  style: 'The picture whose style to paint it in',
  style2: 'A second style picture to blend in',
  style3: 'A third style picture to blend in',
  preset: 'One of your presets to start from (typed options win)',
  jobId: 'The job id, as shown on its card',
  presetName: 'The preset name',
  shareCode: 'The share code',
  queueScope: 'Whose jobs to show',
  historyCursor: 'Where the previous page ended (shown under it)',
} as const;
