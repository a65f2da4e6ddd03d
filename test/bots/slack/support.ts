import { readFileSync } from 'node:fs';
import { pino } from 'pino';
import { createBotCore, type BotCoreHandle } from '../../../src/bots/shared/index.js';
import type { Timers } from '../../../src/bots/shared/timers.js';
import { createSlackAdapter, SLACK_EVENTS_PATH, type SlackAdapter } from '../../../src/bots/slack/index.js';
import { sharedImage } from '../../helpers/paths.js';
import { startHarness, type Harness, type HarnessOptions } from '../../jobs/support.js';
import { SlackSender } from './fake/signed.js';
import { FakeSlack } from './fake/web-api.js';

export const BOT_TOKEN = 'xoxb-test-bot-token';
export const APP_TOKEN = 'xapp-test-app-token';
export const SIGNING_SECRET = 'test-signing-secret';

/**
 * The core's timers for tests: short waits (edit intervals, retry backoff, Retry-After) run at the next
 * turn of the event loop, so nothing sleeps; long ones (waiting for a bind, download time limits) only
 * fire when a test calls `fireLong`.
 */
export class TestTimers implements Timers {
  private readonly long = new Map<number, () => void>();
  private next = 0;
  constructor(private readonly shortMs = 5000) {}
  now(): number {
    return Date.now();
  }
  setTimeout(callback: () => void, ms: number): unknown {
    const id = ++this.next;
    if (ms <= this.shortMs) return { id, handle: setImmediate(callback) };
    this.long.set(id, callback);
    return { id };
  }
  clearTimeout(handle: unknown): void {
    const h = handle as { id: number; handle?: NodeJS.Immediate } | undefined;
    if (!h) return;
    if (h.handle) clearImmediate(h.handle);
    this.long.delete(h.id);
  }
  fireLong(): void {
    const callbacks = [...this.long.values()];
    this.long.clear();
    for (const callback of callbacks) callback();
  }
}

export interface SlackHarness {
  readonly fake: FakeSlack;
  readonly jobs: Harness;
  readonly core: BotCoreHandle;
  readonly adapter: SlackAdapter;
  /** signed requests to the app's /slack/events (HTTP mode) */
  readonly sender: SlackSender;
  readonly timers: TestTimers;
  /** stops the adapter, the core's subscriptions and the job service (not the fake) */
  close(): Promise<void>;
}

export interface SlackHarnessOptions extends HarnessOptions {
  readonly socketMode?: boolean;
  /** reuse a running fake (a restart) */
  readonly fake?: FakeSlack;
  readonly submissionDeadlineMs?: number;
  readonly historyPageSize?: number;
  /** the token the app uses (the fake accepts only BOT_TOKEN) */
  readonly botToken?: string;
}

/** The real Slack adapter, the real core and the real job service on a real SQLite file, against a fake Slack. */
export async function startSlack(dir: string, options: SlackHarnessOptions = {}): Promise<SlackHarness> {
  const fake = options.fake ?? new FakeSlack({ botToken: BOT_TOKEN, appToken: APP_TOKEN });
  if (!options.fake) await fake.start();
  const jobs = await startHarness(dir, options);
  const timers = new TestTimers();
  const logger = pino({ level: process.env.TEST_LOG ?? 'silent' });
  const core = createBotCore({ jobs: jobs.service, logger, timers, editIntervalMs: 0, ...(options.historyPageSize ? { historyPageSize: options.historyPageSize } : {}) });
  const adapter = createSlackAdapter({
    core,
    logger,
    ...(options.submissionDeadlineMs !== undefined ? { submissionDeadlineMs: options.submissionDeadlineMs } : {}),
    config: { botToken: options.botToken ?? BOT_TOKEN, signingSecret: SIGNING_SECRET, appToken: options.socketMode ? APP_TOKEN : undefined, apiUrl: fake.apiUrl, port: 0 },
  });
  try {
    await adapter.start();
  } catch (error) {
    await jobs.close();
    core.close();
    if (!options.fake) await fake.close();
    throw error;
  }
  const sender = new SlackSender(`http://127.0.0.1:${adapter.port() ?? 0}${SLACK_EVENTS_PATH}`, SIGNING_SECRET);
  return {
    fake,
    jobs,
    core,
    adapter,
    sender,
    timers,
    close: async () => {
      await adapter.stop();
      await jobs.close();
      core.close();
    },
  };
}

/** Real pictures from the shared images, as a user would upload them. */
export function picture(relative: string): Uint8Array {
  return readFileSync(sharedImage(relative));
}

export function hostPictures(fake: FakeSlack) {
  return {
    content: fake.hostFile('chelsea_cat.jpg', 'image/jpeg', picture('content/chelsea_cat.jpg')),
    style: fake.hostFile('udnie.jpg', 'image/jpeg', picture('style/picabia_udnie.jpg')),
  };
}
