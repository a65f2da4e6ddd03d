import type { App, ButtonAction, webApi } from '@slack/bolt';
import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import { ActionCodecError, commandForAction, decodeAction } from '../shared/actions.js';
import type { Actor, BotCore, Command, MessageParts, Reply } from '../shared/contract.js';
import type { ActorResolver, SlackOrigin } from './actor.js';
import { messagePayload } from './blocks.js';
import { slackAttachment, type SlackFiles } from './files.js';
import {
  askModal,
  CONTENT_BLOCK,
  decodeMetadata,
  modalErrors,
  modalInitialValues,
  PRESET_NAME_BLOCK,
  PRESET_NAME_CALLBACK,
  readAskState,
  readStylizeState,
  STYLIZE_CALLBACK,
  stylizeModal,
  type ModalTexts,
  type SlackFile,
  type StylizeMetadata,
  type ViewState,
} from './modal.js';
import { CHALLENGE_SUBMIT_CALLBACK, challengeSubmitModal, readChallengeSubmitState, type ChallengeSubmitMetadata } from './challenge-modal.js';
import { CHALLENGE_SLASH_COMMAND, challengeMentionCommand, parseChallengeMention, parseChallengeSubmit, parseChallengeText } from './challenge-text.js';
import { challengeUsage } from '../shared/challenges/messages.js';
import { slackRef, type SlackRef } from './refs.js';
import { parseHistoryCommand, parseJobCommand, parseMention, parsePresetCommand, parseQueueCommand, splitArguments } from './text.js';

/** The words the adapter shows that are not a core Reply: written in the shared layer, picked in texts.ts. */
export interface SlackTexts {
  readonly modal: ModalTexts;
  /** usage help of a text command, shown when its arguments do not parse */
  usage(command: TextCommand): MessageParts;
  /** the line under a page of a list that says how to get the next one */
  nextPage(command: TextCommand, cursor: string): string;
  /** a mention without two pictures */
  readonly mentionUsage: MessageParts;
  /** a button that is not (or no longer) ours */
  readonly buttonOutdated: MessageParts;
}

export type TextCommand = 'job' | 'queue' | 'preset' | 'history';

/** Slack's slash command names, as in slack/manifest.yml. */
export const SLASH_COMMANDS = {
  stylize: '/stylize',
  job: '/stylize-job',
  queue: '/stylize-queue',
  preset: '/stylize-preset',
  history: '/stylize-history',
  challenge: CHALLENGE_SLASH_COMMAND,
} as const;

const TEXT_PARSERS: Record<TextCommand, (text: string) => Command | undefined> = {
  job: parseJobCommand,
  queue: parseQueueCommand,
  preset: parsePresetCommand,
  history: parseHistoryCommand,
};

/** Slack closes a modal submission it did not hear back about within 3 s; the answer must come before. */
const SUBMISSION_DEADLINE_MS = 2500;
/** a button's `asksFor` rides in its value (the action id is the encoded action itself) */
interface AskValue {
  readonly ask: { readonly label: string; readonly placeholder?: string; readonly maxLength: number };
}

export interface ListenerDeps {
  readonly core: BotCore;
  readonly logger: Logger;
  readonly texts: SlackTexts;
  readonly actors: ActorResolver;
  readonly files: SlackFiles;
  readonly client: webApi.WebClient;
  /** how long a modal submission may wait for the core before the modal is closed and the answer posted */
  readonly submissionDeadlineMs?: number;
}

/**
 * Every Slack entry point: parse the payload into a shared command, hand it to the core, render the Reply.
 * Each one acknowledges within Slack's 3 seconds, and none makes a second job for a redelivered request:
 * deliveries are deduplicated here (trigger, view and event ids) and, across restarts, by the core through
 * the command's deliveryId.
 */
export function registerListeners(app: App, deps: ListenerDeps): void {
  const { core, logger, texts, actors, client } = deps;
  const seen = new LRUCache<string, true>({ max: 5000, ttl: 60 * 60_000 });
  /** true the first time a delivery is seen in this process */
  const firstDelivery = (id: string) => {
    if (seen.has(id)) return false;
    seen.set(id, true);
    return true;
  };

  const show = new ReplyRenderer(client, logger);

  app.command(SLASH_COMMANDS.stylize, async ({ ack, command, body }) => {
    await ack();
    if (!firstDelivery(`trigger:${command.trigger_id}`)) return;
    const origin: SlackOrigin = { teamId: command.team_id, channelId: command.channel_id, userId: command.user_id, userName: command.user_name };
    const actor = await actors.actor(origin);
    const presets = await core.presetChoices(actor, '').catch((error: unknown) => {
      logger.warn({ err: error }, 'preset choices failed; the modal opens without them');
      return [];
    });
    const metadata: StylizeMetadata = { channel: command.channel_id, thread: null };
    const initial = modalInitialValues(splitArguments(command.text ?? '').pairs);
    await client.views.open({ trigger_id: body.trigger_id, view: stylizeModal({ texts: texts.modal, metadata, presets, initial }) });
  });

  for (const name of ['job', 'queue', 'preset', 'history'] as const) {
    app.command(SLASH_COMMANDS[name], async ({ ack, command, respond }) => {
      await ack();
      if (!firstDelivery(`trigger:${command.trigger_id}`)) return;
      const parsed = TEXT_PARSERS[name](command.text ?? '');
      if (!parsed) {
        await respond({ response_type: 'ephemeral', ...messagePayload(texts.usage(name)) });
        return;
      }
      const actor = await actors.actor({ teamId: command.team_id, channelId: command.channel_id, userId: command.user_id, userName: command.user_name });
      const reply = await core.handle(parsed, actor);
      const message = reply.nextCursor ? { ...reply.message, body: [reply.message.body, texts.nextPage(name, reply.nextCursor)].filter(Boolean).join('\n') } : reply.message;
      await respond({ response_type: reply.visibility === 'public' ? 'in_channel' : 'ephemeral', ...messagePayload(message) });
    });
  }

  app.command(CHALLENGE_SLASH_COMMAND, async ({ ack, command, respond }) => {
    await ack();
    if (!firstDelivery(`trigger:${command.trigger_id}`)) return;
    const entry = parseChallengeSubmit(command.text ?? '');
    if (entry) {
      const metadata: ChallengeSubmitMetadata = { channel: command.channel_id, thread: null, ...entry };
      await client.views.open({ trigger_id: command.trigger_id, view: challengeSubmitModal(metadata) });
      return;
    }
    const parsed = parseChallengeText(command.text ?? '');
    if (!parsed) {
      await respond({ response_type: 'ephemeral', ...messagePayload(challengeUsage('@Stylebot', CHALLENGE_SLASH_COMMAND)) });
      return;
    }
    const actor = await actors.actor({ teamId: command.team_id, channelId: command.channel_id, userId: command.user_id, userName: command.user_name });
    const reply = await core.handle(parsed, actor);
    await respond({ response_type: reply.visibility === 'public' ? 'in_channel' : 'ephemeral', ...messagePayload(reply.message) });
  });

  app.view(STYLIZE_CALLBACK, async ({ ack, body, view }) => {
    const metadata = decodeMetadata<StylizeMetadata>(view.private_metadata);
    const submission = readStylizeState(view.state.values as unknown as ViewState);
    if (!metadata || !submission.content || !submission.style) {
      // Slack requires both file inputs before it sends a submission; this is not a user's doing
      logger.warn({ viewId: view.id }, 'a stylize submission without its files or metadata');
      await ack();
      return;
    }
    const teamId = body.team?.id ?? body.user.team_id ?? '';
    const actor = await actors.actor({ teamId, channelId: metadata.channel, threadTs: metadata.thread, userId: body.user.id, userName: body.user.name });
    const [content, style] = await Promise.all([slackAttachment(submission.content, deps.files), slackAttachment(submission.style, deps.files)]);
    const conversation = slackRef(metadata.channel, metadata.thread);
    const command: Command = {
      kind: 'stylize',
      content,
      styles: [style],
      options: submission.options,
      ...(submission.preset ? { preset: submission.preset } : {}),
      replyRef: conversation,
      // one modal makes at most one job, however often its submission is delivered
      deliveryId: `slack:view:${view.id}`,
    };
    if (!firstDelivery(command.deliveryId!)) {
      await ack();
      return;
    }
    const handled = core.handle(command, actor);
    const early = await beforeDeadline(handled, deps.submissionDeadlineMs ?? SUBMISSION_DEADLINE_MS);
    if (early && early.fieldErrors && Object.keys(early.fieldErrors).length > 0) {
      // the same modal may be submitted again once the user fixed the fields
      seen.delete(command.deliveryId!);
      await ack({ response_action: 'errors', errors: modalErrors(early.fieldErrors, view) });
      return;
    }
    await ack();
    const reply = early ?? (await handled);
    await show.reply(reply, conversation, actor, core);
  });

  app.view(CHALLENGE_SUBMIT_CALLBACK, async ({ ack, body, view }) => {
    const metadata = decodeMetadata<ChallengeSubmitMetadata>(view.private_metadata);
    const picture = readChallengeSubmitState(view.state.values as unknown as ViewState);
    const deliveryId = `slack:view:${view.id}`;
    // Slack requires the file before it sends a submission; a redelivered one was answered already
    if (!metadata || !picture || !firstDelivery(deliveryId)) {
      await ack();
      return;
    }
    const actor = await actors.actor({ teamId: body.team?.id ?? body.user.team_id ?? '', channelId: metadata.channel, threadTs: metadata.thread, userId: body.user.id, userName: body.user.name });
    const conversation = slackRef(metadata.channel, metadata.thread);
    const content = await slackAttachment(picture, deps.files);
    const handled = core.handle({ kind: 'challenge', op: 'submit', content, ...(metadata.challengeId ? { challengeId: metadata.challengeId } : {}), replyRef: conversation }, actor);
    const early = await beforeDeadline(handled, deps.submissionDeadlineMs ?? SUBMISSION_DEADLINE_MS);
    // the form has one field: every refusal (a bad file, no open challenge, a limit) is shown on it
    if (early && early.message.tone === 'error') {
      seen.delete(deliveryId);
      const errors = early.fieldErrors && Object.keys(early.fieldErrors).length > 0 ? modalErrors(early.fieldErrors, view) : { [CONTENT_BLOCK]: early.message.body || early.message.title };
      await ack({ response_action: 'errors', errors });
      return;
    }
    await ack();
    await show.reply(early ?? (await handled), conversation, actor, core);
  });

  app.view(PRESET_NAME_CALLBACK, async ({ ack, body, view }) => {
    const metadata = decodeMetadata<{ action: string; channel: string; thread: string | null }>(view.private_metadata);
    if (!metadata) {
      await ack();
      return;
    }
    const name = readAskState(view.state.values as unknown as ViewState);
    const conversation = slackRef(metadata.channel, metadata.thread);
    const actor = await actors.actor({ teamId: body.team?.id ?? body.user.team_id ?? '', channelId: metadata.channel, threadTs: metadata.thread, userId: body.user.id });
    const reply = await core.handle(commandForAction(metadata.action, { replyRef: conversation, input: name }), actor);
    if (reply.message.tone === 'error') {
      const text = [reply.message.body, ...Object.values(reply.fieldErrors ?? {})].filter(Boolean).join(' ') || reply.message.title;
      await ack({ response_action: 'errors', errors: { [PRESET_NAME_BLOCK]: text } });
      return;
    }
    await ack();
    await show.reply(reply, conversation, actor, core);
  });

  app.action({ type: 'block_actions', action_id: /^sb\d+:/ }, async ({ ack, body, action }) => {
    await ack();
    const button = action as ButtonAction;
    const channel = body.channel?.id ?? body.container?.channel_id;
    if (!channel) return;
    const message = body.message as { ts?: string; thread_ts?: string } | undefined;
    const thread = message?.thread_ts ?? message?.ts ?? null;
    const conversation = slackRef(channel, thread);
    const actor = await actors.actor({ teamId: body.team?.id ?? body.user.team_id ?? '', channelId: channel, threadTs: thread, userId: body.user.id });
    let command: Command;
    try {
      // refuses ids of other versions and garbled ones before anything else
      decodeAction(button.action_id);
      const ask = parseAsk(button.value);
      if (ask) {
        const metadata = { action: button.action_id, channel, thread };
        await client.views.open({ trigger_id: body.trigger_id, view: askModal(texts.modal, ask.ask, metadata) });
        return;
      }
      command = commandForAction(button.action_id, { replyRef: conversation });
    } catch (error) {
      if (!(error instanceof ActionCodecError)) throw error;
      await show.ephemeral(texts.buttonOutdated, conversation, actor);
      return;
    }
    if (!firstDelivery(`action:${body.trigger_id}`)) return;
    const reply = await core.handle(command, actor);
    await show.reply(reply, conversation, actor, core);
  });

  app.event('app_mention', async ({ event, body }) => {
    const eventId = (body as { event_id?: string }).event_id ?? `${event.channel}:${event.ts}`;
    if (!firstDelivery(`event:${eventId}`)) return;
    const thread = event.thread_ts ?? event.ts;
    const conversation = slackRef(event.channel, thread);
    const actor = await actors.actor({ teamId: (body as { team_id?: string }).team_id ?? event.team ?? '', channelId: event.channel, threadTs: thread, userId: event.user ?? '' });
    const files = ((event as { files?: SlackFile[] }).files ?? []).filter((f) => !f.mimetype || f.mimetype.startsWith('image/'));
    const challenge = parseChallengeMention(event.text);
    if (challenge) {
      if (challenge.op === 'usage' || !files[0]) {
        await show.ephemeral(challengeUsage('@Stylebot', CHALLENGE_SLASH_COMMAND), conversation, actor);
        return;
      }
      const picture = await slackAttachment(files[0], deps.files);
      const asker = challenge.op === 'start' ? await actors.challengeStarter(actor) : actor;
      await show.reply(await core.handle(challengeMentionCommand(challenge, picture, conversation), asker), conversation, asker, core);
      return;
    }
    const request = parseMention(event.text);
    if (!request || files.length < 2) {
      await show.ephemeral(texts.mentionUsage, conversation, actor);
      return;
    }
    const [content, ...styles] = await Promise.all(files.slice(0, 9).map((f) => slackAttachment(f, deps.files)));
    const command: Command = {
      kind: 'stylize',
      content: content!,
      styles,
      options: request.options,
      ...(request.preset ? { preset: request.preset } : {}),
      replyRef: conversation,
      deliveryId: `slack:event:${eventId}`,
    };
    const reply = await core.handle(command, actor);
    await show.reply(reply, conversation, actor, core);
  });
}

function parseAsk(value: string | undefined): AskValue | undefined {
  if (!value?.startsWith('{')) return undefined;
  try {
    const parsed = JSON.parse(value) as Partial<AskValue>;
    return parsed.ask && typeof parsed.ask.label === 'string' ? (parsed as AskValue) : undefined;
  } catch {
    return undefined;
  }
}

/** The reply if it is ready within `ms`; undefined otherwise (the caller awaits it later). */
async function beforeDeadline<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Shows a core Reply where the command came from, and binds a new job to its thread. */
class ReplyRenderer {
  constructor(
    private readonly client: webApi.WebClient,
    private readonly logger: Logger,
  ) {}

  async reply(reply: Reply, where: SlackRef, actor: Actor, core: BotCore): Promise<void> {
    if (reply.visibility === 'private') {
      await this.ephemeral(reply.message, where, actor);
      return;
    }
    const posted = await this.client.chat.postMessage({ channel: where.channel, ...(where.thread ? { thread_ts: where.thread } : {}), ...messagePayload(reply.message), unfurl_links: false });
    // a new challenge: its style picture goes under the announcement (Slack messages carry no image bytes), and
    // its entries and winners go to the announcement's thread
    if (reply.challengeId) {
      const thread = where.thread ?? posted.ts ?? null;
      const images = reply.message.images ?? [];
      if (images.length > 0) {
        await this.client
          .filesUploadV2({ channel_id: where.channel, ...(thread ? { thread_ts: thread } : {}), file_uploads: images.map((f) => ({ file: Buffer.from(f.bytes), filename: f.name, title: f.name, alt_text: f.alt })) } as webApi.FilesUploadV2Arguments)
          .catch((error: unknown) => this.logger.warn({ err: error, channel: where.channel }, 'the challenge\'s style picture could not be shown'));
      }
      await core.bindChallenge?.(reply.challengeId, slackRef(where.channel, thread));
    }
    if (!reply.jobId) return;
    // a modal's job gets its own thread on the channel message; a mention's or a button's stays in its thread
    const thread = where.thread ?? posted.ts ?? null;
    // the channel message itself: the core edits its queue line and Cancel button away when the job moves on
    await core.bind(reply.jobId, slackRef(where.channel, thread), posted.ts ? slackRef(where.channel, thread, posted.ts) : undefined);
  }

  async ephemeral(message: MessageParts, where: SlackRef, actor: Actor): Promise<void> {
    try {
      await this.client.chat.postEphemeral({ channel: where.channel, user: actor.userId, ...(where.thread ? { thread_ts: where.thread } : {}), ...messagePayload(message) });
    } catch (error) {
      this.logger.warn({ err: error, channel: where.channel }, 'an ephemeral reply could not be shown');
    }
  }
}
