import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pino, type Logger } from 'pino';
import sharp from 'sharp';
import { createDiscordAdapter, type DiscordAdapter } from '../../../src/bots/discord/index.js';
import { createBotCore, type BotCoreDeps, type BotCoreHandle } from '../../../src/bots/shared/index.js';
import { createImageInputCheck, createJobService, JobFiles, type JobRunner, type JobService, type ServerLimits } from '../../../src/jobs/index.js';
import { openStore, type Store } from '../../../src/store/index.js';
import { REPO_ROOT, sharedImage } from '../../helpers/paths.js';
import { FakeClock, FakeRunner, OPERATOR_LIMITS } from '../../jobs/support.js';
import { tempDir } from '../../store/support.js';
import { EPHEMERAL, FakeDiscord, PERMISSIONS, type CommandDefinition, type FakeDiscordOptions, type FakeInteraction, type FakeMessage, type FakeUser, type InvokeOptions } from './fake/discord.js';

export const COMMANDS = JSON.parse(readFileSync(path.join(REPO_ROOT, 'commands/discord.json'), 'utf8')) as CommandDefinition[];

export const USERS = {
  alice: { id: '100000000000000001', username: 'alice' },
  bob: { id: '100000000000000002', username: 'bob' },
  mod: { id: '100000000000000003', username: 'mod' },
} satisfies Record<string, FakeUser>;

export const as = (user: FakeUser, extra: Partial<InvokeOptions> = {}): InvokeOptions => ({ user, ...extra });
export const asModerator = (extra: Partial<InvokeOptions> = {}): InvokeOptions => ({ user: USERS.mod, permissions: PERMISSIONS.ManageMessages | PERMISSIONS.SendMessages | PERMISSIONS.ViewChannel, ...extra });

export const picture = (relative: string) => readFileSync(sharedImage(relative));

/** Real small PNG and GIF bytes for the fake runner's results, so follow-ups can decode a parent's result. */
let resultBytes: Promise<{ png: Buffer; gif: Buffer }> | undefined;
function realResultBytes() {
  resultBytes ??= (async () => {
    const raw = { raw: { width: 64, height: 48, channels: 3 as const } };
    const pixels = Buffer.alloc(64 * 48 * 3, 90);
    return { png: await sharp(pixels, raw).png().toBuffer(), gif: await sharp(pixels, raw).gif().toBuffer() };
  })();
  return resultBytes;
}

export interface HarnessOptions {
  /** the real pipeline instead of the driven fake runner */
  readonly runner?: JobRunner;
  readonly fake?: FakeDiscordOptions;
  readonly limits?: Partial<ServerLimits>;
  readonly core?: Partial<Omit<BotCoreDeps, 'jobs' | 'logger'>>;
  readonly restTimeoutMs?: number;
  readonly restRetries?: number;
  readonly logger?: Logger;
}

/** One bot process: job service on the SQLite file, core, adapter; `restart` replaces it on the same file. */
export interface BotProcess {
  readonly store: Store;
  readonly service: JobService;
  readonly core: BotCoreHandle;
  readonly adapter: DiscordAdapter;
}

export class DiscordHarness {
  readonly runner = new FakeRunner(new FakeClock());
  readonly tmp = tempDir('stylebot-discord-');
  fake!: FakeDiscord;
  bot!: BotProcess;
  private readonly logger: Logger;

  constructor(private readonly options: HarnessOptions = {}) {
    this.logger = options.logger ?? pino({ level: process.env['TEST_LOG_LEVEL'] ?? 'silent' });
  }

  static async start(options: HarnessOptions = {}): Promise<DiscordHarness> {
    const harness = new DiscordHarness(options);
    harness.fake = await new FakeDiscord({ commands: COMMANDS, ...options.fake }).start();
    harness.bot = await harness.startBot();
    return harness;
  }

  private readonly drivenRunner: JobRunner = async (job, context) => {
    const result = await this.runner.runner(job, context);
    const { png, gif } = await realResultBytes();
    return { ...result, png, gif, plot: png };
  };

  async startBot(): Promise<BotProcess> {
    const store = await openStore({ databasePath: path.join(this.tmp.dir, 'stylebot.db') });
    const service = createJobService({
      store,
      files: new JobFiles(path.join(this.tmp.dir, 'data')),
      runner: this.options.runner ?? this.drivenRunner,
      checkInputs: createImageInputCheck(),
      logger: this.logger,
      operatorLimits: { ...OPERATOR_LIMITS, maxWaitingPerUser: 5, ...this.options.limits },
      sweepIntervalMs: 0,
    });
    const core = createBotCore({ jobs: service, logger: this.logger, editIntervalMs: 0, transportAttempts: 8, ...this.options.core });
    const adapter = createDiscordAdapter({
      core,
      logger: this.logger,
      config: { token: this.fake.token, applicationId: this.fake.applicationId, guildId: undefined, apiUrl: this.fake.apiUrl },
      restTimeoutMs: this.options.restTimeoutMs ?? 5000,
      restRetries: this.options.restRetries ?? 1,
    });
    // the adapter attaches its transport before the jobs recover, so a restarted job's story goes on at once
    await adapter.start();
    await service.start();
    return { store, service, core, adapter };
  }

  /** Stops the bot as a deploy would (running jobs go back to the queue) and starts a new one on the same database. */
  async restart(): Promise<void> {
    await this.stopBot(this.bot);
    this.bot = await this.startBot();
  }

  private async stopBot(bot: BotProcess): Promise<void> {
    this.runner.stepOnAbort = true;
    await bot.adapter.stop();
    await bot.service.close();
    await bot.core.idle();
    bot.core.close();
    await bot.store.close();
    this.runner.stepOnAbort = false;
  }

  async close(): Promise<void> {
    await this.stopBot(this.bot);
    await this.fake.close();
    this.tmp.cleanup();
  }

  // ------------------------------------------------------------ conveniences for the tests

  /** content and style attachments on the fake CDN */
  images(content = 'content/chelsea_cat.jpg', style = 'style/picabia_udnie.jpg') {
    return {
      content: this.fake.attachment(path.basename(content), picture(content), 'image/jpeg'),
      style: this.fake.attachment(path.basename(style), picture(style), 'image/jpeg'),
    };
  }

  /** /stylize by `user`; resolves with the interaction, its public reply and the job's thread */
  async stylize(options: InvokeOptions, values: Record<string, unknown> = {}): Promise<{ interaction: FakeInteraction; reply: FakeMessage; jobId: string }> {
    const interaction = this.fake.slash('stylize', { ...this.images(), size: 32, steps: 10, ...values } as never, options);
    const reply = await this.publicReply(interaction);
    return { interaction, reply, jobId: jobIdOf(reply) };
  }

  /** the public message an interaction ended with */
  publicReply(interaction: FakeInteraction): Promise<FakeMessage> {
    return this.fake.message((m) => m.interactionId === interaction.id && (m.flags & EPHEMERAL) === 0 && m.embeds.length > 0, `the public reply to interaction ${interaction.id}`);
  }

  /** the private answer of an interaction (the ephemeral deferral, edited) */
  privateReply(interaction: FakeInteraction): Promise<FakeMessage> {
    return this.fake.message((m) => m.interactionId === interaction.id && (m.flags & EPHEMERAL) !== 0 && m.embeds.length > 0, `the private reply to interaction ${interaction.id}`);
  }

  /** the job's status message in its thread (the first message the bot posted there) */
  async statusMessage(threadId: string, match: (m: FakeMessage) => boolean = () => true, what = 'a status message'): Promise<FakeMessage> {
    return this.fake.message((m) => m.channelId === threadId && m.via === 'bot' && m.files.length < 3 && match(m), what);
  }

  /** the message with the result, GIF and loss plot in the thread */
  resultMessage(threadId: string): Promise<FakeMessage> {
    return this.fake.message((m) => m.channelId === threadId && m.files.length === 3, `the result in thread ${threadId}`);
  }
}

/** The job id is in the footer of every job message (and in the buttons' custom ids). */
export function jobIdOf(message: FakeMessage): string {
  for (const row of message.components) {
    for (const button of row.components) {
      const match = /^sb\d+:[a-z]+:(.+)$/.exec(String(button['custom_id'] ?? ''));
      if (match) return match[1]!;
    }
  }
  const footer = String((message.embeds[0]?.['footer'] as { text?: string } | undefined)?.text ?? '');
  const match = /Job ([a-z0-9_-]+)/i.exec(footer);
  if (!match) throw new Error(`no job id in message ${message.id}: ${JSON.stringify(message.embeds)}`);
  return match[1]!;
}

export function buttonIds(message: FakeMessage): string[] {
  return message.components.flatMap((row) => row.components.map((c) => String(c['custom_id'])));
}

export function button(message: FakeMessage, action: string): string {
  const id = buttonIds(message).find((i) => i.split(':')[1] === action);
  if (!id) throw new Error(`message ${message.id} has no ${action} button (has ${buttonIds(message).join(', ')})`);
  return id;
}

export const embedText = (message: FakeMessage) =>
  message.embeds
    .map((e) => [e['title'], e['description'], ...((e['fields'] as Array<{ name: string; value: string }> | undefined) ?? []).map((f) => `${f.name}: ${f.value}`), (e['footer'] as { text?: string } | undefined)?.text].filter(Boolean).join('\n'))
    .join('\n');
