import { ButtonStyle, ComponentType, type APIActionRowComponent, type APIButtonComponentWithCustomId, type APIEmbed } from 'discord-api-types/v10';
import type { ActionButton, FileUpload, ImageRef, MessageParts } from '../shared/contract.js';

/**
 * MessageParts as a Discord message: one embed (title, body, fields, footer, the main picture), the
 * pictures as attachments and the actions as buttons whose custom ids are the encoded actions. Discord's
 * length limits are applied here so that a long card never makes a message fail.
 */

const LIMITS = { title: 256, description: 4096, fields: 25, fieldName: 256, fieldValue: 1024, footer: 2048, label: 80, rows: 5, perRow: 5 } as const;

const COLOURS: Record<MessageParts['tone'], number> = {
  info: 0x5865f2,
  progress: 0xfee75c,
  success: 0x57f287,
  warning: 0xf0b232,
  error: 0xed4245,
};

const BUTTON_STYLES: Record<ActionButton['style'], ButtonStyle.Primary | ButtonStyle.Secondary | ButtonStyle.Danger> = {
  primary: ButtonStyle.Primary,
  secondary: ButtonStyle.Secondary,
  danger: ButtonStyle.Danger,
};

const cut = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

export interface RenderedFile {
  readonly name: string;
  readonly data: Buffer;
  readonly contentType: string;
}

export interface RenderedMessage {
  readonly embeds: APIEmbed[];
  readonly components: APIActionRowComponent<APIButtonComponentWithCustomId>[];
  readonly files: RenderedFile[];
}

/** The picture the embed shows: the result when there is one, else a preview, else the first. */
function mainImage(images: readonly ImageRef[]): ImageRef | undefined {
  return images.find((i) => i.role === 'result') ?? images.find((i) => i.role === 'preview') ?? images.find((i) => i.contentType !== 'image/gif') ?? images[0];
}

export function renderMessage(parts: MessageParts, uploads: readonly FileUpload[] = []): RenderedMessage {
  const images = [...uploads, ...(parts.images ?? []).filter((image) => !uploads.some((u) => u.name === image.name))];
  const main = mainImage(images);
  const embed: APIEmbed = {
    title: cut(parts.title, LIMITS.title),
    color: COLOURS[parts.tone],
    ...(parts.body ? { description: cut(parts.body, LIMITS.description) } : {}),
    ...(parts.fields?.length
      ? { fields: parts.fields.slice(0, LIMITS.fields).map((f) => ({ name: cut(f.name || '-', LIMITS.fieldName), value: cut(f.value || '-', LIMITS.fieldValue), inline: f.inline ?? false })) }
      : {}),
    ...(parts.footer ? { footer: { text: cut(parts.footer, LIMITS.footer) } } : {}),
    ...(main ? { image: { url: `attachment://${main.name}` } } : {}),
  };
  return { embeds: [embed], components: renderButtons(parts.actions ?? []), files: images.map(fileOf) };
}

export function renderButtons(actions: readonly ActionButton[]): RenderedMessage['components'] {
  const buttons = actions.slice(0, LIMITS.rows * LIMITS.perRow).map(
    (action): APIButtonComponentWithCustomId => ({ type: ComponentType.Button, custom_id: action.id, label: cut(action.label, LIMITS.label), style: BUTTON_STYLES[action.style] }),
  );
  const rows: RenderedMessage['components'] = [];
  for (let i = 0; i < buttons.length; i += LIMITS.perRow) rows.push({ type: ComponentType.ActionRow, components: buttons.slice(i, i + LIMITS.perRow) });
  return rows;
}

function fileOf(image: ImageRef): RenderedFile {
  return { name: image.name, data: Buffer.from(image.bytes.buffer, image.bytes.byteOffset, image.bytes.byteLength), contentType: image.contentType };
}

/** The body of a channel-message create or edit over REST: files replace the message's attachments. */
export function restBody(rendered: RenderedMessage): { body: Record<string, unknown>; files: Array<{ name: string; data: Buffer; contentType: string }> } {
  return {
    body: {
      embeds: rendered.embeds,
      components: rendered.components,
      attachments: rendered.files.map((file, id) => ({ id, filename: file.name })),
    },
    files: rendered.files.map((file) => ({ name: file.name, data: file.data, contentType: file.contentType })),
  };
}

/** The same for discord.js interaction replies (editReply, followUp). */
export function interactionBody(rendered: RenderedMessage) {
  return {
    embeds: rendered.embeds,
    components: rendered.components,
    files: rendered.files.map((file) => ({ attachment: file.data, name: file.name, contentType: file.contentType })),
  };
}
