import type { types } from '@slack/bolt';
import type { ActionButton, MessageParts } from '../shared/contract.js';

type KnownBlock = types.KnownBlock;
type Button = types.Button;

/** Block Kit's limits: text is cut rather than have Slack refuse the whole message. */
const HEADER_MAX = 150;
const SECTION_MAX = 3000;
const FIELD_MAX = 2000;
const FIELDS_PER_SECTION = 10;
const BUTTON_LABEL_MAX = 75;
const FALLBACK_MAX = 3000;

const cut = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

/** Slack's mrkdwn: `&`, `<`, `>` are escaped; the shared **bold** becomes *bold*. */
export function mrkdwn(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\*\*(.+?)\*\*/gs, '*$1*');
}

/** The text notifications and screen readers see when the blocks are not shown. */
export function fallbackText(parts: MessageParts): string {
  return cut([parts.title, parts.body].filter(Boolean).join('\n'), FALLBACK_MAX);
}

export function button(action: ActionButton): Button {
  return {
    type: 'button',
    // the encoded action is the same string on every platform; Bolt routes on action_id
    action_id: action.id,
    // a button that asks for a text first carries the question, so the click can open the modal at once
    value: action.asksFor ? JSON.stringify({ ask: action.asksFor }) : action.id,
    text: { type: 'plain_text', text: cut(action.label, BUTTON_LABEL_MAX), emoji: true },
    ...(action.style === 'secondary' ? {} : { style: action.style }),
  };
}

/** One shared message as Block Kit: a header, the body, the fields in pairs, the buttons, the small print. */
export function renderBlocks(parts: MessageParts): KnownBlock[] {
  const blocks: KnownBlock[] = [{ type: 'header', text: { type: 'plain_text', text: cut(parts.title, HEADER_MAX), emoji: true } }];
  if (parts.body) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: cut(mrkdwn(parts.body), SECTION_MAX) } });
  const fields = parts.fields ?? [];
  for (let i = 0; i < fields.length; i += FIELDS_PER_SECTION) {
    blocks.push({
      type: 'section',
      fields: fields.slice(i, i + FIELDS_PER_SECTION).map((f) => ({ type: 'mrkdwn' as const, text: cut(`*${mrkdwn(f.name)}*\n${mrkdwn(f.value)}`, FIELD_MAX) })),
    });
  }
  if (parts.actions && parts.actions.length > 0) blocks.push({ type: 'actions', elements: parts.actions.slice(0, 25).map(button) });
  if (parts.footer) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: cut(mrkdwn(parts.footer), SECTION_MAX) }] });
  return blocks;
}

/** What chat.postMessage, chat.update and chat.postEphemeral take for one shared message. */
export function messagePayload(parts: MessageParts): { text: string; blocks: KnownBlock[] } {
  return { text: fallbackText(parts), blocks: renderBlocks(parts) };
}
