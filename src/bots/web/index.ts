// The local web page: a thin adapter over the bot core, like the Discord and Slack ones.
import type { Logger } from 'pino';
import type { Config } from '../../config.js';
import { DEFAULT_DECODE_LIMITS } from '../../images/index.js';
import type { BotCore, PlatformAdapter } from '../shared/contract.js';
import { buildWebServer, type WebServerOptions, type WeightsStatus } from './server.js';
import { DEFAULT_UPLOAD_LIMITS } from './uploads.js';

export { LOCAL_ACTOR, type WebServerOptions, type WeightsStatus } from './server.js';
export type { UploadLimits } from './uploads.js';

export const DEFAULT_WEB_OPTIONS: WebServerOptions = {
  // the bots' own byte cap for a picture; pixels are checked by the core from the header
  uploadLimits: { maxFileBytes: DEFAULT_DECODE_LIMITS.maxBytes, ...DEFAULT_UPLOAD_LIMITS },
  // 9 pictures of 25 MB on a slow uplink fit; a trickle does not
  requestTimeoutMs: 120_000,
  headersTimeoutMs: 10_000,
  timeoutCheckMs: 1_000,
  maxConcurrentUploads: 4,
  fileShelfBytes: 256 * 1024 * 1024,
  heartbeatMs: 15_000,
};

export interface WebAdapterContext {
  readonly core: BotCore;
  readonly logger: Logger;
  readonly config: NonNullable<Config['web']>;
  /** tests shorten the time limits; production uses the defaults */
  readonly options?: Partial<WebServerOptions>;
}

export interface WebAdapter extends PlatformAdapter {
  /** where the page is, once started (the real port when WEB_PORT is 0) */
  readonly url: string | undefined;
  /** shows the weights' download (or why they are missing) on the page; call it from resolveWeightsFile's onProgress */
  reportWeights(status: WeightsStatus): void;
}

export function createWebAdapter(ctx: WebAdapterContext): WebAdapter {
  const options = { ...DEFAULT_WEB_OPTIONS, ...ctx.options };
  const logger = ctx.logger.child({ platform: 'web' });
  let url: string | undefined;
  let server: ReturnType<typeof buildWebServer> | undefined;
  let detach: (() => void) | undefined;
  // a status reported before start() is shown once the page is up
  let pendingWeights: WeightsStatus | undefined;
  return {
    name: 'web',
    get url() {
      return url;
    },
    reportWeights(status) {
      pendingWeights = status;
      server?.reportWeights(status);
    },
    async start() {
      server = buildWebServer({ core: ctx.core, logger, host: ctx.config.host, token: ctx.config.token, options });
      detach = ctx.core.attach(server.transport);
      if (pendingWeights) server.reportWeights(pendingWeights);
      const address = await server.app.listen({ host: ctx.config.host, port: ctx.config.port });
      const bound = server.app.server.address();
      const port = typeof bound === 'object' && bound ? bound.port : ctx.config.port;
      const host = ctx.config.host.includes(':') ? `[${ctx.config.host}]` : ctx.config.host;
      url = `http://${host}:${port}/`;
      logger.info({ url, address, token: ctx.config.token !== undefined }, `web page ready at ${url}`);
    },
    async stop() {
      if (!server) return;
      detach?.();
      server.closeStreams();
      await server.app.close();
      server = undefined;
      logger.info('web page stopped');
    },
  };
}
