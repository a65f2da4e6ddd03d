import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { as, DiscordHarness, embedText, USERS, type HarnessOptions } from './harness.js';

/** resultMessage count in a thread: exactly-once checks */
const results = (h: DiscordHarness, thread: string) => h.fake.messagesIn(thread).filter((m) => m.files.length === 3);

describe('faults survived', () => {
  let h: DiscordHarness | undefined;
  const start = async (options: HarnessOptions = {}) => (h = await DiscordHarness.start(options));
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('a job outliving its interaction token ends in its thread, with no webhook call after the token expired', async () => {
    const h = await start();
    const { reply } = await h.stylize(as(USERS.alice));
    await h.statusMessage(reply.id);
    h.fake.expireTokens();
    const expiredAt = h.fake.log.entries.length;
    const run = await h.runner.run(0);
    run.advance(10);
    run.finish();
    await h.resultMessage(reply.id);
    const after = h.fake.log.entries.slice(expiredAt);
    expect(after.filter((e) => e.kind === 'request' && e.route.startsWith('/webhooks'))).toEqual([]);
    expect(after.filter((e) => e.kind === 'request' && e.status >= 400)).toEqual([]);
  });

  it('the gateway dropping mid-job: discord.js resumes, the result arrives exactly once, commands work again', async () => {
    const h = await start();
    const { reply, jobId } = await h.stylize(as(USERS.alice));
    const run = await h.runner.run(0);
    run.advance(4);
    // a command typed while the bot is disconnected arrives with the resume, once
    let typed: ReturnType<typeof h.fake.slash> | undefined;
    await h.fake.dropSocket(() => (typed = h.fake.slash('queue', {}, as(USERS.alice))));
    expect(embedText(await h.privateReply(typed!))).toContain(jobId);
    expect(h.fake.log.filter((e) => e.kind === 'callback' && e.interaction === typed)).toHaveLength(1);
    run.advance(6);
    run.finish();
    await h.resultMessage(reply.id);
    const job = h.fake.slash('job', { id: jobId }, as(USERS.bob));
    expect(embedText(await h.publicReply(job))).toContain(jobId);
    expect(results(h, reply.id)).toHaveLength(1);
    expect(h.fake.log.filter((e) => e.kind === 'gateway' && e.event === 'identify')).toHaveLength(1);
  });

  it('429 with retry_after and 500s on edits and uploads are retried; the result arrives once and stays retrievable by /job', async () => {
    // discord.js retries a 5xx once itself here; more 500s than that reach the core's retries
    const h = await start({ restRetries: 1 });
    const { reply, jobId } = await h.stylize(as(USERS.alice));
    await h.statusMessage(reply.id);
    h.fake.faults.push({ method: 'PATCH', path: /^\/channels\/\d+\/messages\/\d+$/, status: 429, retryAfter: 0.05, times: 2 });
    h.fake.faults.push({ method: 'PATCH', path: /^\/channels\/\d+\/messages\/\d+$/, status: 500, times: 3 });
    h.fake.faults.push({ method: 'POST', path: new RegExp(`^/channels/${reply.id}/messages$`), status: 500, times: 4 });
    const run = await h.runner.run(0);
    run.advance(5);
    await h.statusMessage(reply.id, (m) => /step 5\/10/.test(embedText(m)), 'the progress edit, after its 429s and 500s');
    run.advance(5);
    run.finish();
    await h.resultMessage(reply.id);
    expect(results(h, reply.id)).toHaveLength(1);
    expect(h.fake.faults.every((f) => f.times === 0)).toBe(true);
    const rejected = h.fake.log.filter((e) => e.kind === 'request' && e.fault);
    expect(rejected.map((e) => e.kind === 'request' && e.status).sort()).toEqual([429, 429, 500, 500, 500, 500, 500, 500, 500]);

    const job = h.fake.slash('job', { id: jobId }, as(USERS.alice));
    const card = await h.publicReply(job);
    expect(card.files.map((f) => f.contentType)).toContain('image/png');
  });

  it('an upload that never gets through leaves the result retrievable by /job', async () => {
    const h = await start({ restRetries: 0, core: { transportAttempts: 2 } });
    const { reply, jobId } = await h.stylize(as(USERS.alice));
    await h.statusMessage(reply.id);
    h.fake.faults.push({ method: 'POST', path: new RegExp(`^/channels/${reply.id}/messages$`), status: 503, times: 1000 });
    const run = await h.runner.run(0);
    run.advance(10);
    run.finish();
    await h.fake.log.waitFor((e) => e.kind === 'request' && e.fault && e.status === 503, 'the refused upload');
    await h.bot.core.idle();
    expect(results(h, reply.id)).toHaveLength(0);
    h.fake.faults.length = 0;
    const card = await h.publicReply(h.fake.slash('job', { id: jobId }, as(USERS.alice)));
    expect(card.files.some((f) => f.contentType === 'image/png')).toBe(true);
  });

  it('a REST call that times out is retried', async () => {
    const h = await start({ restTimeoutMs: 400, restRetries: 0 });
    const { reply } = await h.stylize(as(USERS.alice));
    await h.statusMessage(reply.id);
    // answered only after the client gave up: for the bot, nothing happened
    h.fake.faults.push({ method: 'POST', path: new RegExp(`^/channels/${reply.id}/messages$`), delayMs: 1200, times: 1 });
    const run = await h.runner.run(0);
    run.advance(10);
    run.finish();
    await h.resultMessage(reply.id);
    expect(h.fake.log.filter((e) => e.kind === 'request' && e.fault && e.status === 0)).toHaveLength(1);
    expect(results(h, reply.id)).toHaveLength(1);
  });

  it('the bot restarted mid-job: the job resumes, its thread is told, and the result lands in the same thread', async () => {
    const h = await start();
    const { reply, jobId } = await h.stylize(as(USERS.alice));
    const run = await h.runner.run(0);
    run.advance(3);
    await h.statusMessage(reply.id, (m) => /step 3\/10/.test(embedText(m)));
    await h.restart();
    await h.fake.message((m) => m.channelId === reply.id && /restart/i.test(embedText(m)), 'the thread told of the restart');
    const again = await h.runner.run(1);
    expect(again.job.id).toBe(jobId);
    again.advance(10);
    again.finish();
    await h.resultMessage(reply.id);
    expect(results(h, reply.id)).toHaveLength(1);
    expect(h.fake.log.filter((e) => e.kind === 'thread')).toHaveLength(1);
    expect(h.fake.log.filter((e) => e.kind === 'gateway' && e.event === 'identify')).toHaveLength(2);
  });
});

describe('secrets', () => {
  it('neither the bot token nor interaction tokens appear in logs or messages, also when Discord fails', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) });
    const h = await DiscordHarness.start({ logger, restRetries: 0, core: { transportAttempts: 1 } });
    try {
      const { reply } = await h.stylize(as(USERS.alice));
      await h.statusMessage(reply.id);
      // webhook and channel routes fail for good: their errors carry URLs with tokens in them
      h.fake.faults.push({ path: /^\/webhooks\//, status: 500, times: 100 }, { path: /^\/channels\//, status: 403, times: 100 });
      const failing = h.fake.slash('job', { id: 'nosuchjob' }, as(USERS.bob));
      await h.fake.acknowledged(failing);
      const run = await h.runner.run(0);
      run.advance(10);
      run.finish();
      await h.fake.log.waitFor((e) => e.kind === 'request' && e.fault && e.route.startsWith('/webhooks'), 'the failing webhook call');
      // the upload itself: the reply's edits at start and end are refused on the same routes earlier
      await h.fake.log.waitFor((e) => e.kind === 'request' && e.fault && e.status === 403 && e.method === 'POST', 'the refused upload');
      await h.bot.core.idle();
      const text = lines.join('\n') + JSON.stringify([...h.fake.messages.values()]);
      // the failures were logged, with the routes they hit
      expect(text).toMatch(/webhooks\/\d+\/<token>/);
      expect(text).not.toContain(h.fake.token);
      expect(text).not.toMatch(/itoken-\d+/);
    } finally {
      h.fake.faults.length = 0;
      await h.close();
    }
  });
});
