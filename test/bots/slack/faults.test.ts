import { afterEach, describe, expect, it } from 'vitest';
import { encodeAction } from '../../../src/bots/shared/actions.js';
import { tempDir } from '../../store/support.js';
import { CONTENT_BLOCK, INPUT_ACTION } from '../../../src/bots/slack/modal.js';
import { appMention, fileValue, slashCommand, viewSubmission } from './fake/payloads.js';
import { CHANNEL, modalValues, resultInThread, statusOf, stylizeThroughModal, threadOf } from './flow.js';
import { hostPictures, picture, startSlack, type SlackHarness } from './support.js';

describe('Slack faults the app survives', () => {
  const open: SlackHarness[] = [];
  let tmp: ReturnType<typeof tempDir> | undefined;
  const fakes = new Set<SlackHarness['fake']>();
  afterEach(async () => {
    for (const h of open.splice(0)) await h.close().catch(() => undefined);
    for (const fake of fakes) await fake.close();
    fakes.clear();
    tmp?.cleanup();
  });
  const start = async (options?: Parameters<typeof startSlack>[1]) => {
    const h = await startSlack(tmp!.dir, options);
    open.push(h);
    fakes.add(h.fake);
    return h;
  };

  it('retries chat.update and the upload through 429 with Retry-After and 500s; the result lands once and stays retrievable by id', async () => {
    tmp = tempDir();
    const h = await start();
    const { root, jobId } = await stylizeThroughModal(h, { steps: '4' });
    const status = await statusOf(h, root);
    h.fake.fail('chat.update', { kind: 'ratelimited', retryAfterSeconds: 1 }, 2);
    h.fake.fail('chat.update', { kind: 'http', status: 500 });
    h.fake.fail('upload', { kind: 'http', status: 503 });
    h.fake.fail('files.completeUploadExternal', { kind: 'ratelimited', retryAfterSeconds: 2 });
    const run = await h.jobs.fake.run(0);
    run.advance(4);
    run.finish();
    const { files } = await resultInThread(h, root);
    await h.fake.waitUntil(() => /done/i.test(status.text) || undefined);
    const limited = h.fake.calls.filter((c) => c.status === 429).map((c) => c.method);
    expect(limited).toEqual(['chat.update', 'chat.update', 'files.completeUploadExternal']);
    expect(h.fake.calls.filter((c) => c.status >= 500).map((c) => c.method)).toEqual(['chat.update', 'upload']);
    // exactly one message with the three files, however many attempts it took
    expect(threadOf(h, root).filter((m) => m.files.length > 0)).toEqual([files]);
    expect(files.files).toHaveLength(3);
    await h.sender.command(slashCommand(h.fake, '/stylize-job', jobId));
    const card = await h.fake.waitForCall((c) => c.method === 'response_url');
    expect(JSON.stringify(card.args)).toContain(encodeAction('seed', jobId));
  });

  it('keeps the job and its result when the thread cannot be written to at all', async () => {
    tmp = tempDir();
    const h = await start();
    const { root, jobId } = await stylizeThroughModal(h, { steps: '2' });
    await statusOf(h, root);
    h.fake.fail('files.getUploadURLExternal', { kind: 'error', error: 'missing_scope' }, 50);
    h.fake.fail('chat.update', { kind: 'error', error: 'channel_not_found' }, 50);
    const run = await h.jobs.fake.run(0);
    run.advance(2);
    run.finish();
    await h.jobs.events.waitFor('finished', (e) => e.job.id === jobId);
    await h.core.idle();
    // one attempt (a URL asked for each of the three files), not retried: a missing scope does not heal by waiting
    expect(h.fake.calls.filter((c) => c.method === 'files.getUploadURLExternal')).toHaveLength(3);
    await h.sender.command(slashCommand(h.fake, '/stylize-job', jobId));
    const card = await h.fake.waitForCall((c) => c.method === 'response_url');
    expect(JSON.stringify(card.args)).toContain(jobId);
  });

  it('ends a job in the same thread after the app restarts mid-run', async () => {
    tmp = tempDir();
    const first = await start();
    const fake = first.fake;
    const { root, jobId } = await stylizeThroughModal(first, { steps: '6' });
    const status = await statusOf(first, root);
    const run = await first.jobs.fake.run(0);
    run.advance(2);
    await first.close();
    open.splice(0);

    const second = await start({ fake });
    const again = await second.jobs.fake.run(0);
    expect(again.job.id).toBe(jobId);
    again.advance(6);
    again.finish();
    const { files } = await resultInThread(second, root);
    expect(files.files.map((f) => f.name)).toContain(`stylebot-${jobId}.png`);
    // the same status message was edited, no new one was started, and nothing went to the channel
    await fake.waitUntil(() => /done/i.test(status.text) || undefined);
    expect(threadOf(second, root).filter((m) => m.files.length === 0 && !/Result/.test(m.text))).toEqual([status]);
    expect(fake.messages.filter((m) => m.channel === CHANNEL && m.threadTs === null)).toEqual([root]);
  });

  it('speaks Socket Mode: hello, a slash command, a mention and their acknowledgements', async () => {
    tmp = tempDir();
    const h = await start({ socketMode: true });
    await h.fake.socket.connected();
    const opened = h.fake.calls.find((c) => c.method === 'apps.connections.open');
    expect(opened?.token).toBe('xapp-test-app-token');
    const ack = await h.fake.socket.send('slash_commands', slashCommand(h.fake, '/stylize', '', { channel: CHANNEL }));
    expect(ack.envelope_id).toBeDefined();
    const modal = await h.fake.waitForCall((c) => c.method === 'views.open');
    // a modal's field errors travel back in the envelope's acknowledgement
    const text = h.fake.hostFile('cat.jpg', 'image/jpeg', picture('bad/text_not_an_image.jpg'));
    const values = modalValues(h, {});
    values[CONTENT_BLOCK] = { [INPUT_ACTION]: fileValue(h.fake.fileObject(text)).value };
    const refused = await h.fake.socket.send('interactive', viewSubmission(h.fake, (modal.response.view as { id: string }).id, values));
    expect(refused.payload).toMatchObject({ response_action: 'errors', errors: { [CONTENT_BLOCK]: expect.stringMatching(/content picture/i) } });

    const { content, style } = hostPictures(h.fake);
    const event = appMention(h.fake, '<@U0BOT> steps=3', [h.fake.fileObject(content), h.fake.fileObject(style)], { channel: CHANNEL });
    await h.fake.socket.send('events_api', event);
    // a redelivery over the socket is acknowledged and ignored
    await h.fake.socket.send('events_api', event, 1);
    const run = await h.jobs.fake.run(0);
    run.advance(3);
    run.finish();
    const mention = event.event as { ts: string };
    await h.fake.waitUntil(() => h.fake.thread(CHANNEL, mention.ts).find((m) => m.files.length === 3));
    expect(h.jobs.fake.runs).toHaveLength(1);
  });
});

describe('a modal submission slower than Slack waits', () => {
  it('closes the modal in time and posts the job once the pictures are in', async () => {
    const tmp = tempDir();
    // the deadline is the adapter's own timer: no test sleeps, the held download keeps the core busy past it
    const h = await startSlack(tmp.dir, { submissionDeadlineMs: 20 });
    try {
      await h.sender.command(slashCommand(h.fake, '/stylize', '', { channel: CHANNEL }));
      const opened = await h.fake.waitForCall((c) => c.method === 'views.open');
      const release = h.fake.holdDownloads();
      const answer = await h.sender.interactive(viewSubmission(h.fake, (opened.response.view as { id: string }).id, modalValues(h, { steps: '3' })));
      expect(answer).toMatchObject({ status: 200, text: '' });
      expect(h.fake.callsOf('chat.postMessage')).toHaveLength(0);
      release();
      const root = await h.fake.waitUntil(() => h.fake.messages.find((m) => m.channel === CHANNEL && m.threadTs === null));
      await h.fake.waitUntil(() => h.fake.thread(CHANNEL, root.ts)[0]);
      expect(h.jobs.events.of('queued')).toHaveLength(1);
    } finally {
      await h.close();
      await h.fake.close();
      tmp.cleanup();
    }
  });
});

describe('starting the Slack app', () => {
  it('fails to start, saying why, when Slack refuses the bot token', async () => {
    const tmp = tempDir();
    try {
      const started = startSlack(tmp.dir, { botToken: 'xoxb-revoked' }).then(
        () => 'started',
        (error: Error) => error,
      );
      expect(await started).toMatchObject({ name: 'SlackStartError', message: 'Slack refused SLACK_BOT_TOKEN (auth.test: invalid_auth)' });
    } finally {
      tmp.cleanup();
    }
  });
});
