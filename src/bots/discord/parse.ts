import { PermissionFlagsBits, type Attachment as DiscordAttachment, type BaseInteraction, type ChatInputCommandInteraction } from 'discord.js';
import { httpAttachment } from '../shared/attachments.js';
import { dmServerId, type Actor, type Attachment, type Command, type RawOptions, type ReplyRef } from '../shared/contract.js';
import { challengeCommandOf } from './challenge-command.js';
import { limitOptions, slashDescriptors, STYLE_INPUTS } from './commands.js';
import { conversationRef } from './refs.js';

/** Discord's upload limit when an interaction does not say (servers without boosts). */
export const DEFAULT_UPLOAD_LIMIT_BYTES = 10 * 1024 * 1024;

/** Discord's CDN hosts: the only hosts attachments are fetched from, unless DISCORD_API_URL names another. */
export const DISCORD_CDN_HOSTS = ['cdn.discordapp.com', 'media.discordapp.net'] as const;

export function allowedAttachmentHosts(apiUrl: string | undefined): string[] {
  return apiUrl === undefined ? [...DISCORD_CDN_HOSTS] : [new URL(apiUrl).host];
}

/** Who is asking and where: the member's permissions in this channel decide admin and moderator. */
export function actorOf(interaction: BaseInteraction): Actor {
  const inGuild = interaction.guildId !== null;
  const channel = interaction.channel;
  const inThread = channel?.isThread() ?? false;
  const permissions = interaction.memberPermissions;
  const channelId = interaction.channelId ?? dmServerId(interaction.user.id);
  return {
    platform: 'discord',
    serverId: inGuild ? interaction.guildId! : dmServerId(interaction.user.id),
    channelId: inThread ? (channel?.isThread() ? (channel.parentId ?? channelId) : channelId) : channelId,
    threadId: inThread ? channelId : null,
    userId: interaction.user.id,
    displayName: interaction.user.globalName ?? interaction.user.username,
    isAdmin: inGuild && (permissions?.has(PermissionFlagsBits.ManageGuild) ?? false),
    isModerator: inGuild && (permissions?.has(PermissionFlagsBits.ManageMessages) ?? false),
    uploadLimitBytes: interaction.attachmentSizeLimit ?? DEFAULT_UPLOAD_LIMIT_BYTES,
  };
}

/**
 * Where a new job's story goes until the adapter binds it to its reply's thread: the channel the command
 * was used in (a thread of it, a DM). Ids only, no interaction token: it must work after 15 minutes.
 */
export function commandReplyRef(interaction: BaseInteraction): ReplyRef {
  return conversationRef({ v: 1, channelId: interaction.channelId ?? '0', messageId: null, startThread: false, threadName: '' });
}

/** Whether a thread can be started on a message in this interaction's channel. */
export function threadsPossible(interaction: BaseInteraction): boolean {
  if (interaction.guildId === null) return false;
  const channel = interaction.channel;
  // not cached (after a restart): try, the transport falls back to the channel when Discord says no
  return channel ? !channel.isThread() && !channel.isDMBased() && !channel.isVoiceBased() : true;
}

function rawOptionsOf(interaction: ChatInputCommandInteraction, names: Iterable<string>): Record<string, string> {
  const raw: Record<string, string> = {};
  for (const name of names) {
    const option = interaction.options.get(name);
    if (option?.value !== undefined && option.value !== null) raw[name] = String(option.value);
  }
  return raw;
}

export interface ParseContext {
  readonly allowedHosts: readonly string[];
}

function attachmentOf(attachment: DiscordAttachment, context: ParseContext): Attachment {
  return httpAttachment({
    name: attachment.name,
    url: attachment.url,
    declaredBytes: Number.isFinite(attachment.size) ? attachment.size : null,
    declaredType: attachment.contentType ?? null,
    allowedHosts: context.allowedHosts,
  });
}

/** A slash command as the core's Command; null for a command this version does not know. */
export function commandOf(interaction: ChatInputCommandInteraction, context: ParseContext): Command | null {
  const options = interaction.options;
  switch (interaction.commandName) {
    case 'stylize': {
      const styles = STYLE_INPUTS.map((name) => options.getAttachment(name)).filter((a): a is DiscordAttachment => a !== null);
      const content = options.getAttachment('content');
      if (!content) return null;
      const preset = options.getString('preset');
      return {
        kind: 'stylize',
        content: attachmentOf(content, context),
        styles: styles.map((a) => attachmentOf(a, context)),
        options: rawOptionsOf(interaction, slashDescriptors().keys()),
        ...(preset ? { preset } : {}),
        replyRef: commandReplyRef(interaction),
        deliveryId: interaction.id,
      };
    }
    case 'job':
      return { kind: 'job', jobId: options.getString('id', true).trim() };
    case 'cancel':
      return { kind: 'cancel', jobId: options.getString('id', true).trim() };
    case 'queue':
      return { kind: 'queue', scope: options.getString('scope') === 'server' ? 'server' : 'mine' };
    case 'history': {
      const cursor = options.getString('cursor')?.trim();
      return { kind: 'history', ...(cursor ? { cursor } : {}) };
    }
    case 'preset':
      return presetCommand(interaction);
    case 'settings':
      return settingsCommand(interaction);
    case 'challenge':
      return challengeCommandOf(interaction, (name) => { const a = options.getAttachment(name); return a ? attachmentOf(a, context) : null; }, (names) => rawOptionsOf(interaction, names), commandReplyRef(interaction));
    default:
      return null;
  }
}

function presetCommand(interaction: ChatInputCommandInteraction): Command | null {
  const options = interaction.options;
  const name = () => options.getString('name', true);
  switch (options.getSubcommand()) {
    case 'save':
      return { kind: 'preset', op: 'save', name: name(), options: rawOptionsOf(interaction, slashDescriptors().keys()) };
    case 'list':
      return { kind: 'preset', op: 'list' };
    case 'show':
      return { kind: 'preset', op: 'show', name: name() };
    case 'delete':
      return { kind: 'preset', op: 'delete', name: name() };
    case 'default':
      return { kind: 'preset', op: 'default', name: options.getString('name') };
    case 'share':
      return { kind: 'preset', op: 'share', name: name() };
    case 'import': {
      const as = options.getString('name');
      return { kind: 'preset', op: 'import', code: options.getString('code', true), ...(as ? { name: as } : {}) };
    }
    default:
      return null;
  }
}

function settingsCommand(interaction: ChatInputCommandInteraction): Command | null {
  switch (interaction.options.getSubcommand()) {
    case 'show':
      return { kind: 'settings', op: 'show' };
    case 'reset':
      return { kind: 'settings', op: 'reset' };
    case 'set': {
      const limits: Record<string, string> = {};
      for (const [name, key] of limitOptions()) {
        const value = interaction.options.getString(name);
        if (value !== null) limits[key] = value;
      }
      const defaults: RawOptions = rawOptionsOf(interaction, slashDescriptors().keys());
      return { kind: 'settings', op: 'set', limits, defaults };
    }
    default:
      return null;
  }
}
