import { App, HTTPReceiver, SocketModeReceiver, type Receiver } from '@slack/bolt';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { Config } from '../../config.js';
import type { AdapterContext, PlatformAdapter } from '../shared/contract.js';
import { ActorResolver } from './actor.js';
import { boltLogger } from './logger.js';
import { registerListeners, type SlackTexts } from './listeners.js';
import { slackTexts } from './texts.js';
import { SlackTransport } from './transport.js';
import { platformErrorCode } from './web-errors.js';

/** The app could not start: a refused token, a port in use. */
export class SlackStartError extends Error {
  override readonly name = 'SlackStartError';
}

export type SlackConfig = NonNullable<Config['slack']>;

export interface SlackAdapterContext extends AdapterContext {
  readonly config: SlackConfig;
  /** defaults to the shared layer's words */
  readonly texts?: SlackTexts;
  /** default 2.5 s, inside Slack's 3 s for a modal submission (tests shorten it) */
  readonly submissionDeadlineMs?: number;
}

export interface SlackAdapter extends PlatformAdapter {
  /** the HTTP port listened on (HTTP mode, once started) */
  port(): number | undefined;
}

/** Bolt's path for commands, events and interactivity alike: one Request URL in the manifest. */
export const SLACK_EVENTS_PATH = '/slack/events';

/**
 * The Slack app on Bolt: HTTP mode (requests signed with the signing secret, on PORT at /slack/events),
 * or Socket Mode when SLACK_APP_TOKEN is set. Web API calls and Socket Mode's apps.connections.open go to
 * SLACK_API_URL when set. The core drives job updates through the transport registered at start.
 */
export function createSlackAdapter(ctx: SlackAdapterContext): SlackAdapter {
  const { core, config } = ctx;
  const logger = ctx.logger.child({ platform: 'slack' });
  const slackLogger = boltLogger(logger);
  const slackApiUrl = config.apiUrl;
  const receiver: Receiver = config.appToken
    ? new SocketModeReceiver({
        appToken: config.appToken,
        logger: slackLogger,
        installerOptions: { clientOptions: slackApiUrl ? { slackApiUrl } : {} },
      })
    : new HTTPReceiver({
        signingSecret: config.signingSecret,
        endpoints: SLACK_EVENTS_PATH,
        port: config.port,
        logger: slackLogger,
      });
  const app = new App({
    token: config.botToken,
    receiver,
    logger: slackLogger,
    // the token check (auth.test) runs in start, where its failure is an error the caller sees; in the
    // constructor it would be an unhandled rejection
    deferInitialization: true,
    clientOptions: {
      ...(slackApiUrl ? { slackApiUrl } : {}),
      // the core retries with backoff (honouring Retry-After); a client that waits on its own would
      // hold a job's updates, and a slash command's acknowledgement, behind one rate limit
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      timeout: 30_000,
    },
  });
  app.error(async (error) => {
    logger.error({ err: error }, 'a Slack listener failed');
  });
  const transport = new SlackTransport(app.client);
  registerListeners(app, {
    core,
    logger,
    texts: ctx.texts ?? slackTexts,
    actors: new ActorResolver(app.client, logger, config.challengeGroup),
    files: { client: app.client, botToken: config.botToken, apiUrl: slackApiUrl },
    client: app.client,
    ...(ctx.submissionDeadlineMs !== undefined ? { submissionDeadlineMs: ctx.submissionDeadlineMs } : {}),
  });
  let detach: (() => void) | undefined;
  let server: Server | undefined;
  return {
    name: 'slack',
    async start() {
      detach = core.attach(transport);
      let started: unknown;
      try {
        await app.init().catch((error: unknown) => {
          const code = platformErrorCode(error);
          throw new SlackStartError(
            code ? `Slack refused SLACK_BOT_TOKEN (auth.test: ${code})` : `Slack's Web API could not be reached to check SLACK_BOT_TOKEN: ${(error as Error).message}`,
            { cause: error },
          );
        });
        started = await app.start(config.port);
      } catch (error) {
        // a port in use, a revoked token: nothing of ours stays registered
        detach();
        detach = undefined;
        throw error;
      }
      if (!config.appToken) server = started as Server;
      logger.info(config.appToken ? 'Slack app connected (Socket Mode)' : `Slack app listening on port ${this.port()} at ${SLACK_EVENTS_PATH}`);
    },
    async stop() {
      await app.stop();
      detach?.();
      detach = undefined;
    },
    port() {
      const address = server?.address();
      return address && typeof address === 'object' ? (address as AddressInfo).port : undefined;
    },
  };
}
