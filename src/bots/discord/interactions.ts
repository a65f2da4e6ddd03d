import { randomBytes } from 'node:crypto';
import {
  ComponentType,
  MessageFlags,
  TextInputStyle,
  type AutocompleteInteraction,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type Interaction,
  type ModalSubmitInteraction,
} from 'discord.js';
import type { Logger } from 'pino';
import { ActionCodecError, commandForAction, decodeAction, isOurAction } from '../shared/actions.js';
import type { ActionButton, Actor, BotCore, Command, Reply } from '../shared/contract.js';
import { nextPageHint } from '../shared/messages/forms.js';
import { followUpButtons, TEXT, TITLES } from '../shared/messages/index.js';
import { loggableError } from './errors.js';
import { actorOf, commandOf, commandReplyRef, threadsPossible, type ParseContext } from './parse.js';
import { conversationRef, messageRef } from './refs.js';
import { interactionBody, renderMessage } from './render.js';

/** the id of the text input in the modals that buttons with `asksFor` open */
export const MODAL_INPUT_ID = 'value';
const MODAL_TITLE_MAX = 45;

type Deferrable = ChatInputCommandInteraction | ButtonInteraction | ModalSubmitInteraction;

export interface InteractionDeps {
  readonly core: BotCore;
  readonly log: Logger;
  readonly parse: ParseContext;
}

/**
 * Turns interactions into core commands and the core's replies into Discord responses. Every command and
 * button is deferred (ephemerally) before anything slow, well within Discord's 3 seconds, so that a busy
 * queue never shows "This interaction failed". A refusal then stays private; a public answer (a queued job,
 * a card) resolves the private deferral and is posted as a public follow-up, on which the job's thread
 * starts. Autocomplete answers directly; buttons that ask for a text open a modal instead.
 */
export class InteractionHandler {
  /** what the buttons of each action ask for, learnt from the replies rendered (buttons carry only their id) */
  private readonly asks = new Map<string, NonNullable<ActionButton['asksFor']>>();

  constructor(private readonly deps: InteractionDeps) {
    // the buttons under results are known before any is rendered: a click right after a restart still gets its modal
    this.learn({ visibility: 'public', message: { tone: 'info', title: '', actions: followUpButtons('job') } });
  }

  async handle(interaction: Interaction): Promise<void> {
    try {
      if (interaction.isAutocomplete()) await this.autocomplete(interaction);
      else if (interaction.isChatInputCommand()) await this.command(interaction);
      else if (interaction.isButton()) await this.button(interaction);
      else if (interaction.isModalSubmit()) await this.modal(interaction);
    } catch (error) {
      // the interaction is past saving (its token or 3 seconds are gone, Discord is down): log it once
      this.deps.log.error({ err: loggableError(error), interaction: interaction.id, type: interaction.type }, 'answering an interaction failed');
    }
  }

  private async command(interaction: ChatInputCommandInteraction): Promise<void> {
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    const actor = actorOf(interaction);
    const command = this.parsed(() => commandOf(interaction, this.deps.parse), interaction);
    const reply = command instanceof Error ? this.unexpected(command, interaction) : await this.run(command, actor, interaction);
    await this.respond(interaction, reply, !(command instanceof Error) && makesJob(command));
  }

  private async button(interaction: ButtonInteraction): Promise<void> {
    const id = interaction.customId;
    if (!isOurAction(id)) return;
    const asks = this.asksFor(id, interaction);
    if (asks) {
      await interaction.showModal({
        custom_id: id,
        title: cut(asks.title, MODAL_TITLE_MAX),
        components: [
          {
            type: ComponentType.ActionRow,
            components: [
              { type: ComponentType.TextInput, custom_id: MODAL_INPUT_ID, label: cut(asks.label, MODAL_TITLE_MAX), style: TextInputStyle.Short, required: true, max_length: asks.maxLength, ...(asks.placeholder ? { placeholder: asks.placeholder } : {}) },
            ],
          },
        ],
      });
      return;
    }
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    const { reply, command } = await this.action(interaction, undefined);
    await this.respond(interaction, reply, command !== null && makesJob(command));
  }

  private async modal(interaction: ModalSubmitInteraction): Promise<void> {
    if (!isOurAction(interaction.customId)) return;
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    const input = interaction.fields.fields.get(MODAL_INPUT_ID);
    const value = input && 'value' in input && typeof input.value === 'string' ? input.value : '';
    const { reply, command } = await this.action(interaction, value);
    await this.respond(interaction, reply, command !== null && makesJob(command));
  }

  private async action(interaction: ButtonInteraction | ModalSubmitInteraction, input: string | undefined): Promise<{ reply: Reply; command: Command | null }> {
    let command: Command;
    try {
      command = commandForAction(interaction.customId, { replyRef: commandReplyRef(interaction), ...(input === undefined ? {} : { input }) });
    } catch (error) {
      if (error instanceof ActionCodecError) return { reply: { visibility: 'private', message: { tone: 'warning', title: TITLES.refused, body: TEXT.buttonOutdated('discord') } }, command: null };
      return { reply: this.unexpected(error, interaction), command: null };
    }
    return { reply: await this.run(command, actorOf(interaction), interaction), command };
  }

  private async autocomplete(interaction: AutocompleteInteraction): Promise<void> {
    const focused = interaction.options.getFocused(true);
    const presetOption = (interaction.commandName === 'stylize' && focused.name === 'preset') || (interaction.commandName === 'preset' && focused.name === 'name');
    const choices = presetOption ? await this.deps.core.presetChoices(actorOf(interaction), String(focused.value)) : [];
    await interaction.respond(choices.slice(0, 25).map((c) => ({ name: cut(c.name, 100), value: cut(c.value, 100) })));
  }

  private parsed(parse: () => Command | null, interaction: Interaction): Command | Error {
    try {
      return parse() ?? new Error(`unknown command of interaction ${interaction.id}`);
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error));
    }
  }

  private async run(command: Command, actor: Actor, interaction: Interaction): Promise<Reply> {
    try {
      return await this.deps.core.handle(command, actor);
    } catch (error) {
      return this.unexpected(error, interaction);
    }
  }

  private unexpected(error: unknown, interaction: Interaction): Reply {
    const errorId = randomBytes(4).toString('hex');
    this.deps.log.error({ err: loggableError(error), errorId, interaction: interaction.id }, 'a command failed unexpectedly');
    return { visibility: 'private', message: { tone: 'error', title: TITLES.unexpected, body: TEXT.unexpected(errorId) } };
  }

  /**
   * Shows the reply. Private: it replaces the ephemeral deferral. Public: Discord keeps a deferral's
   * visibility for the first follow-up, so the deferral is resolved first, then the public follow-up is
   * posted and the private placeholder removed. A job's updates are then bound to the public message.
   */
  private async respond(interaction: Deferrable, reply: Reply, newJob: boolean): Promise<void> {
    this.learn(reply);
    const rendered = interactionBody(renderMessage(withNextPage(reply)));
    if (reply.visibility === 'private') {
      await interaction.editReply(rendered);
      return;
    }
    await interaction.editReply({ embeds: [{ title: rendered.embeds[0]?.title ?? '' }], components: [], files: [] });
    const message = await interaction.followUp(rendered);
    await interaction.deleteReply().catch((error: unknown) => this.deps.log.debug({ err: loggableError(error) }, 'removing the private placeholder failed'));
    // a card shown again (/job) keeps its job's updates where they are; only a new job gets this conversation
    if (reply.jobId !== undefined && newJob) {
      await this.deps.core.bind(
        reply.jobId,
        conversationRef({ v: 1, channelId: message.channelId, messageId: message.id, startThread: threadsPossible(interaction), threadName: reply.threadTitle ?? reply.message.title }),
        // the follow-up itself: the core edits its queue line and Cancel button away when the job moves on
        messageRef(message.channelId, message.id),
      );
    }
    // a new challenge: its entries and winners go to a thread on the announcement
    if (reply.challengeId !== undefined) {
      await this.deps.core.bindChallenge?.(
        reply.challengeId,
        conversationRef({ v: 1, channelId: message.channelId, messageId: message.id, startThread: threadsPossible(interaction), threadName: reply.message.title }),
      );
    }
  }

  private learn(reply: Reply): void {
    for (const action of reply.message.actions ?? []) {
      if (!action.asksFor) continue;
      try {
        this.asks.set(decodeAction(action.id).action, action.asksFor);
      } catch {
        // not one of ours: nothing to learn
      }
    }
  }

  /**
   * What a pressed button asks for. Buttons carry only their id; the modal's wording comes from the shared
   * layer's button of the same action (the modal's title is the pressed button's label).
   */
  private asksFor(id: string, interaction: ButtonInteraction): { title: string; label: string; placeholder?: string; maxLength: number } | undefined {
    let action: string;
    try {
      action = decodeAction(id).action;
    } catch {
      return undefined;
    }
    const label = interaction.component.type === ComponentType.Button && 'label' in interaction.component ? (interaction.component.label ?? '') : '';
    const known = this.asks.get(action);
    if (known) return { title: label || known.label, label: known.label, ...(known.placeholder ? { placeholder: known.placeholder } : {}), maxLength: known.maxLength };
    return undefined;
  }
}

/** A paged list (/history) says how to get its next page: Discord has no text arguments, so the cursor option. */
function withNextPage(reply: Reply): Reply['message'] {
  if (!reply.nextCursor) return reply.message;
  return { ...reply.message, body: [reply.message.body, nextPageHint('/history cursor:', reply.nextCursor)].filter(Boolean).join('\n') };
}

const makesJob = (command: Command) => command.kind === 'stylize' || command.kind === 'followUp' || (command.kind === 'challenge' && command.op === 'submit');

const cut = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);
