import { once } from 'node:events';
// REST from discord.js, not @discordjs/rest's ESM build: one copy of its error classes (instanceof in errors.ts)
import { Client, Events, GatewayIntentBits, REST } from 'discord.js';
import type { Config } from '../../config.js';
import type { AdapterContext, PlatformAdapter } from '../shared/contract.js';
import { loggableError } from './errors.js';
import { InteractionHandler } from './interactions.js';
import { allowedAttachmentHosts } from './parse.js';
import { DiscordTransport } from './transport.js';

export { buildCommands, commandsJson } from './commands.js';
export { DiscordTransport } from './transport.js';

export interface DiscordAdapterContext extends AdapterContext {
  readonly config: NonNullable<Config['discord']>;
  /** per REST request, default 15 s (discord.js's) */
  readonly restTimeoutMs?: number;
  /** discord.js's own retries of 5xx and network failures per request, default 3; the core retries on top */
  readonly restRetries?: number;
}

export interface DiscordAdapter extends PlatformAdapter {
  readonly name: 'discord';
  /** the gateway client, once started (tests look at its state) */
  readonly client: Client;
}

/**
 * The Discord bot: a gateway connection with the Guilds intent only (slash commands, buttons and modals
 * arrive as interactions; no message content is read), interactions handed to the core, and a transport for
 * job updates over the bot's REST routes. With DISCORD_API_URL, REST (and thereby the gateway URL, which
 * discord.js reads from /gateway/bot) points at that server, and attachments are fetched from its host.
 */
export function createDiscordAdapter(ctx: DiscordAdapterContext): DiscordAdapter {
  const log = ctx.logger.child({ component: 'discord' });
  const restOptions = {
    ...(ctx.config.apiUrl === undefined ? {} : { api: ctx.config.apiUrl }),
    timeout: ctx.restTimeoutMs ?? 15_000,
    retries: ctx.restRetries ?? 3,
  };
  const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: restOptions, allowedMentions: { parse: [] } });
  // job updates have their own REST client: they go on after the gateway stops, until the job service closes
  const rest = new REST(restOptions).setToken(ctx.config.token);
  const handler = new InteractionHandler({ core: ctx.core, log, parse: { allowedHosts: allowedAttachmentHosts(ctx.config.apiUrl) } });
  let detach: (() => void) | undefined;

  client.on(Events.InteractionCreate, (interaction) => void handler.handle(interaction));
  client.on(Events.Error, (error) => log.error({ err: loggableError(error) }, 'Discord client error'));
  client.on(Events.ShardDisconnect, (event, shard) => log.warn({ shard, code: event.code }, 'Discord gateway disconnected'));
  client.on(Events.ShardResume, (shard, replayed) => log.info({ shard, replayed }, 'Discord gateway resumed'));
  rest.on('rateLimited', (info) => log.debug({ route: info.route, retryAfterMs: info.retryAfter }, 'Discord rate limit'));

  return {
    name: 'discord',
    client,
    async start() {
      detach ??= ctx.core.attach(new DiscordTransport(rest, log));
      const ready = once(client, Events.ClientReady);
      await client.login(ctx.config.token);
      await ready;
      log.info({ user: client.user?.tag, applicationId: ctx.config.applicationId, api: ctx.config.apiUrl ?? 'discord.com' }, 'Discord bot connected');
    },
    async stop() {
      client.removeAllListeners(Events.InteractionCreate);
      await client.destroy();
      log.info('Discord bot disconnected');
    },
  };
}
