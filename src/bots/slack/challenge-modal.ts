import type { types } from '@slack/bolt';
import { CHALLENGE_FORM_TEXT } from '../shared/challenges/messages.js';
import { FORM_TEXT } from '../shared/messages/forms.js';
import { CONTENT_BLOCK, encodeMetadata, INPUT_ACTION, type SlackFile, type ViewState } from './modal.js';

export const CHALLENGE_SUBMIT_CALLBACK = 'stylebot_challenge_submit';

/** What travels in the entry form's private_metadata. */
export interface ChallengeSubmitMetadata {
  readonly channel: string;
  readonly thread: string | null;
  readonly challengeId?: string;
}

const plain = (text: string) => ({ type: 'plain_text' as const, text, emoji: true });

/**
 * The entry form of `/stylize-challenge submit`: one file picker for the member's photo. Its block id is
 * the content block's, so that the core's field error `content` lands on it.
 */
export function challengeSubmitModal(metadata: ChallengeSubmitMetadata): types.ModalView {
  return {
    type: 'modal',
    callback_id: CHALLENGE_SUBMIT_CALLBACK,
    private_metadata: encodeMetadata(metadata),
    title: plain(CHALLENGE_FORM_TEXT.title),
    submit: plain(CHALLENGE_FORM_TEXT.submit),
    close: plain(FORM_TEXT.close),
    blocks: [
      {
        type: 'input',
        block_id: CONTENT_BLOCK,
        label: plain(CHALLENGE_FORM_TEXT.content),
        hint: plain(CHALLENGE_FORM_TEXT.contentHint),
        element: { type: 'file_input', action_id: INPUT_ACTION, filetypes: ['png', 'jpg', 'jpeg', 'webp', 'gif'], max_files: 1 },
      },
    ],
  };
}

export function readChallengeSubmitState(state: ViewState): SlackFile | undefined {
  return state[CONTENT_BLOCK]?.[INPUT_ACTION]?.files?.[0];
}
