import { randomUUID } from 'node:crypto';
import type { FakeSlack, Message } from './web-api.js';

/** What Slack sends for the app's requests, shaped as its payloads are, with fresh trigger ids. */

export interface Who {
  readonly user?: string;
  readonly channel?: string;
}

export const trigger = () => `${Date.now()}.${randomUUID().slice(0, 8)}`;

export function slashCommand(fake: FakeSlack, command: string, text = '', who: Who = {}): Record<string, string> {
  return {
    token: 'verification-token-unused',
    team_id: fake.teamId,
    team_domain: 'fake',
    channel_id: who.channel ?? 'C0GENERAL',
    channel_name: 'general',
    user_id: who.user ?? 'U0ADA',
    user_name: 'ada',
    command,
    text,
    api_app_id: 'A0APP',
    is_enterprise_install: 'false',
    response_url: fake.responseUrl(),
    trigger_id: trigger(),
  };
}

/** A block's submitted value, keyed as view.state.values wants: block id -> action id -> value. */
export type StateValues = Record<string, Record<string, Record<string, unknown>>>;

export const fileValue = (file: Record<string, unknown>) => ({ value: { type: 'file_input', files: [file] } });
export const numberValue = (value: string) => ({ value: { type: 'number_input', value } });
export const selectValue = (value: string) => ({ value: { type: 'static_select', selected_option: { value, text: { type: 'plain_text', text: value } } } });

export function viewSubmission(fake: FakeSlack, viewId: string, values: StateValues, who: Who = {}): Record<string, unknown> {
  const stored = fake.views.get(viewId);
  if (!stored) throw new Error(`no view ${viewId}`);
  const view = stored.view;
  return {
    type: 'view_submission',
    team: { id: fake.teamId, domain: 'fake' },
    user: { id: who.user ?? 'U0ADA', username: 'ada', name: 'ada', team_id: fake.teamId },
    api_app_id: 'A0APP',
    token: 'verification-token-unused',
    trigger_id: trigger(),
    view: {
      id: viewId,
      team_id: fake.teamId,
      type: 'modal',
      blocks: view.blocks,
      private_metadata: view.private_metadata,
      callback_id: view.callback_id,
      state: { values },
      hash: stored.hash,
      title: view.title,
      close: view.close,
      submit: view.submit,
      app_id: 'A0APP',
      bot_id: 'B0BOT',
    },
    response_urls: [],
    is_enterprise_install: false,
  };
}

/** A click on the button `actionId` of `message`. */
export function blockAction(fake: FakeSlack, message: Message, actionId: string, who: Who = {}): Record<string, unknown> {
  const button = findButton(message, actionId);
  return {
    type: 'block_actions',
    team: { id: fake.teamId, domain: 'fake' },
    user: { id: who.user ?? 'U0ADA', username: 'ada', name: 'ada', team_id: fake.teamId },
    api_app_id: 'A0APP',
    token: 'verification-token-unused',
    container: { type: 'message', message_ts: message.ts, channel_id: message.channel, is_ephemeral: false, ...(message.threadTs ? { thread_ts: message.threadTs } : {}) },
    trigger_id: trigger(),
    channel: { id: message.channel, name: 'general' },
    message: { type: 'message', ts: message.ts, text: message.text, blocks: message.blocks, ...(message.threadTs ? { thread_ts: message.threadTs } : {}) },
    response_url: fake.responseUrl(),
    actions: [{ type: 'button', action_id: actionId, block_id: 'actions', value: button?.value ?? actionId, text: button?.text, action_ts: String(Date.now() / 1000) }],
  };
}

interface BlockButton {
  readonly action_id: string;
  readonly value?: string;
  readonly text?: unknown;
}

export function buttonsOf(message: Message): BlockButton[] {
  return (message.blocks as Array<{ type: string; elements?: BlockButton[] }>).filter((b) => b.type === 'actions').flatMap((b) => b.elements ?? []);
}

export function findButton(message: Message, actionId: string): BlockButton | undefined {
  return buttonsOf(message).find((b) => b.action_id === actionId);
}

let eventCounter = 0;
export function appMention(fake: FakeSlack, text: string, files: ReadonlyArray<Record<string, unknown>>, who: Who = {}): Record<string, unknown> {
  const ts = `1700001000.${String(++eventCounter).padStart(6, '0')}`;
  return {
    token: 'verification-token-unused',
    team_id: fake.teamId,
    api_app_id: 'A0APP',
    event: { type: 'app_mention', user: who.user ?? 'U0ADA', text, ts, channel: who.channel ?? 'C0GENERAL', event_ts: ts, team: fake.teamId, files },
    type: 'event_callback',
    event_id: `Ev${randomUUID().slice(0, 10).toUpperCase()}`,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ team_id: fake.teamId, user_id: fake.botUserId, is_bot: true }],
  };
}
