import { FORM_TEXT, mentionUsage, nextPageHint, textCommandUsage } from '../shared/messages/forms.js';
import { TEXT, TITLES } from '../shared/messages/index.js';
import { SLASH_COMMANDS, type SlackTexts } from './listeners.js';

/** The shared layer's words, laid out for Slack: nothing here is written, only picked. */
export const slackTexts: SlackTexts = {
  modal: {
    title: FORM_TEXT.stylizeTitle,
    submit: FORM_TEXT.stylizeSubmit,
    close: FORM_TEXT.close,
    content: FORM_TEXT.content,
    style: FORM_TEXT.style,
    preset: FORM_TEXT.preset,
    presetHint: FORM_TEXT.presetHint,
    presetNameTitle: FORM_TEXT.presetNameTitle,
    presetNameSubmit: FORM_TEXT.presetNameSubmit,
  },
  usage: (command) => textCommandUsage(command, SLASH_COMMANDS[command]),
  nextPage: (command, cursor) => nextPageHint(SLASH_COMMANDS[command], cursor),
  mentionUsage: mentionUsage('@Stylebot'),
  buttonOutdated: { tone: 'warning', title: TITLES.refused, body: TEXT.buttonOutdated('slack') },
};
