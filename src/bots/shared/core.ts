import { randomBytes } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { DEFAULT_DECODE_LIMITS } from '../../images/index.js';
import { isJobError } from '../../jobs/index.js';
import { ActionCodecError } from './actions.js';
import type { Actor, BotCore, Command, CommandKind, Reply, ReplyRef, Transport } from './contract.js';
import { cancel } from './handlers/cancel.js';
import type { Handler, HandlerDeps, HandlerTable } from './handlers/context.js';
import { followUp } from './handlers/follow-up.js';
import { history } from './handlers/history.js';
import { job } from './handlers/job.js';
import { preset } from './handlers/preset.js';
import { queue } from './handlers/queue.js';
import { settings } from './handlers/settings.js';
import { stylize } from './handlers/stylize.js';
import { JobUpdates } from './job-updates.js';
import { describeJobError, optionProblems, privateProblem, TEXT, TITLES } from './messages/index.js';
import type { BotCoreDeps } from './ports.js';
import { systemTimers } from './timers.js';
import { DEFAULT_RETRY } from './transport-retry.js';

/** Commands of features that plug in (challenges) until their handler is given in `deps.handlers`. */
const notEnabled: Handler<'challenge'> = async () => privateProblem(TITLES.refused, TEXT.featureOff);

/** One handler per command kind; adding a command kind without one is a type error. */
const HANDLERS: HandlerTable = { stylize, followUp, cancel, job, queue, history, preset, settings, challenge: notEnabled };

/** The core as the composition root holds it: the adapters' BotCore plus shutdown and a test hook. */
export interface BotCoreHandle extends BotCore {
  /** resolves when no job update is being delivered (tests; orderly shutdown) */
  idle(): Promise<void>;
  /** stops listening to job events; pending updates are dropped */
  close(): void;
}

/**
 * Builds the platform-neutral core: every command of every platform goes through `handle`, and one
 * JobUpdates subscribed once to the job events tells each job's story through the attached transports.
 */
export function createBotCore(deps: BotCoreDeps): BotCoreHandle {
  const timers = deps.timers ?? systemTimers;
  const logger = deps.logger.child({ component: 'bot-core' });
  const updates = new JobUpdates({
    jobs: deps.jobs,
    logger: deps.logger,
    timers,
    editIntervalMs: deps.editIntervalMs ?? 5000,
    bindWaitMs: deps.bindWaitMs ?? 30_000,
    retry: { ...DEFAULT_RETRY, attempts: deps.transportAttempts ?? DEFAULT_RETRY.attempts },
  });
  const deliveries = new LRUCache<string, Promise<Reply>>({ max: deps.rememberDeliveries ?? 1000 });
  const handlerDeps: HandlerDeps = {
    jobs: deps.jobs,
    logger,
    timers,
    attachments: {
      maxBytes: deps.attachments?.maxBytes ?? DEFAULT_DECODE_LIMITS.maxBytes,
      timeoutMs: deps.attachments?.timeoutMs ?? 20_000,
      decode: deps.attachments?.decode ?? {},
    },
    historyPageSize: deps.historyPageSize ?? 10,
    deliveries: { get: (k) => deliveries.get(k), set: (k, v) => void deliveries.set(k, v), delete: (k) => void deliveries.delete(k) },
    expectBind: (_jobId: string, _replyRef: ReplyRef) => undefined,
  };
  const newErrorId = deps.newErrorId ?? (() => randomBytes(4).toString('hex'));
  const handlers: HandlerTable = { ...HANDLERS, ...deps.handlers };

  async function handle(command: Command, actor: Actor): Promise<Reply> {
    const handler = handlers[command.kind] as Handler<CommandKind> | undefined;
    try {
      if (!handler) throw new TypeError(`no handler for command kind ${String((command as { kind?: unknown }).kind)}`);
      return await handler(command as never, actor, handlerDeps);
    } catch (error) {
      return replyForError(error, command, actor);
    }
  }

  function replyForError(error: unknown, command: Command, actor: Actor): Reply {
    if (isJobError(error)) {
      const details = error.details;
      if (details.code === 'INVALID_OPTIONS' && details.source === 'options') {
        return privateProblem(TITLES.cannotStart, TEXT.optionsInvalid(optionProblems(details.violations)), Object.fromEntries(details.violations.map((v) => [optionFieldName(v.option), v.message])));
      }
      const title = details.code === 'JOB_NOT_FOUND' || details.code === 'PRESET_NOT_FOUND' ? TITLES.notFound : details.code === 'NOT_OWNER' || details.code === 'NOT_ADMIN' ? TITLES.notAllowed : TITLES.refused;
      const fieldErrors = details.code === 'PRESET_NOT_FOUND' && command.kind === 'stylize' ? { preset: describeJobError(details, timers.now()) } : undefined;
      return privateProblem(title, describeJobError(details, timers.now()), fieldErrors);
    }
    if (error instanceof ActionCodecError) return privateProblem(TITLES.refused, TEXT.buttonOutdated(actor.platform));
    const errorId = newErrorId();
    logger.error({ err: error, errorId, command: command.kind, platform: actor.platform, server: actor.serverId, user: actor.userId }, 'command failed unexpectedly');
    return privateProblem(TITLES.unexpected, TEXT.unexpected(errorId));
  }

  return {
    handle,
    async presetChoices(actor, prefix) {
      try {
        const wanted = prefix.trim().toLowerCase();
        const presets = await deps.jobs.presets.list({ platform: actor.platform, userId: actor.userId });
        return presets
          .filter((p) => p.name.startsWith(wanted))
          .slice(0, 25)
          .map((p) => ({ name: p.isDefault ? `${p.name} (default)` : p.name, value: p.name }));
      } catch (error) {
        // autocomplete is best effort: an empty list, never an error shown while typing
        logger.warn({ err: error }, 'preset autocomplete failed');
        return [];
      }
    },
    attach: (transport: Transport) => updates.attach(transport),
    bind: async (jobId, conversation, reply) => updates.bind(jobId, conversation, reply),
    ...(deps.bindChallenge ? { bindChallenge: deps.bindChallenge } : {}),
    idle: () => updates.idle(),
    close: () => updates.close(),
  };
}

/** fieldErrors use the descriptors' chat spelling. */
function optionFieldName(option: string): string {
  return option.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
