import { readFileSync } from 'node:fs';
import { pino } from 'pino';
import { createBotCore, type BotCoreHandle } from '../../../src/bots/shared/index.js';
import type { PageEvent } from '../../../src/bots/web/transport.js';
import type { WebAdapter, WebServerOptions } from '../../../src/bots/web/index.js';
import { createImageInputCheck } from '../../../src/jobs/index.js';
import { sharedImage } from '../../helpers/paths.js';
import { startHarness, type Harness, type HarnessOptions } from '../../jobs/support.js';
import { startWeb } from './harness.js';

export interface WebHarness {
  readonly jobs: Harness;
  readonly core: BotCoreHandle;
  readonly web: WebAdapter & { url: string };
  close(): Promise<void>;
}

/** The real web adapter over the real core and the real job service on a real SQLite file in `dir`. */
export async function startWebOnJobs(dir: string, options: HarnessOptions & { token?: string; server?: Partial<WebServerOptions> } = {}): Promise<WebHarness> {
  const jobs = await startHarness(dir, { ...options, deps: { checkInputs: createImageInputCheck(), ...options.deps } });
  const core = createBotCore({ jobs: jobs.service, logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }), editIntervalMs: 0 });
  const web = await startWeb(core, { token: options.token, server: options.server });
  return {
    jobs,
    core,
    web,
    close: async () => {
      await web.stop();
      await jobs.close();
      core.close();
    },
  };
}

export const picture = (relative: string): Buffer => readFileSync(sharedImage(relative));

/**
 * The page's event stream read over HTTP as the browser's EventSource does: `next` resolves with the first
 * event (past or future) that matches.
 */
export async function openEvents(url: string) {
  const controller = new AbortController();
  const response = await fetch(`${url}api/events`, { signal: controller.signal, headers: { accept: 'text/event-stream' } });
  if (!response.ok || !response.body) throw new Error(`event stream: HTTP ${response.status}`);
  const events: PageEvent[] = [];
  const waiters = new Set<{ test: (e: PageEvent) => boolean; resolve: (e: PageEvent) => void }>();
  let ended = false;
  const pump = (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let at: number;
        while ((at = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, at);
          buffer = buffer.slice(at + 2);
          const data = block.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
          if (!data) continue;
          const event = JSON.parse(data) as PageEvent;
          events.push(event);
          for (const waiter of [...waiters]) if (waiter.test(event)) { waiters.delete(waiter); waiter.resolve(event); }
        }
      }
    } catch {
      // aborted by close()
    } finally {
      ended = true;
    }
  })();
  return {
    events,
    get ended() {
      return ended;
    },
    next(test: (e: PageEvent) => boolean): Promise<PageEvent> {
      const past = events.find(test);
      if (past) return Promise.resolve(past);
      return new Promise((resolve) => waiters.add({ test, resolve }));
    },
    async close() {
      controller.abort();
      await pump;
    },
  };
}
