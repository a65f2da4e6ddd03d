import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeAction } from '../../../src/bots/shared/actions.js';
import { PRESET_NAME_BLOCK, PRESET_NAME_CALLBACK, INPUT_ACTION } from '../../../src/bots/slack/modal.js';
import { tempDir } from '../../store/support.js';
import { appMention, blockAction, buttonsOf, slashCommand, viewSubmission } from './fake/payloads.js';
import { CHANNEL, modalValues, resultInThread, statusOf, stylizeThroughModal, threadOf } from './flow.js';
import { hostPictures, startSlack, type SlackHarness } from './support.js';

describe('a Slack job from the modal to the result in its thread', () => {
  let h: SlackHarness;
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(async () => {
    tmp = tempDir();
    h = await startSlack(tmp.dir);
  });
  afterEach(async () => {
    await h.close();
    await h.fake.close();
    tmp.cleanup();
  });

  it('posts in the channel, edits one status message in the thread, and uploads the result, GIF and loss plot there with the card', async () => {
    const { root, jobId } = await stylizeThroughModal(h, { steps: '3', style_weight: '1000' });
    expect(root.channel).toBe(CHANNEL);
    const status = await statusOf(h, root);
    const run = await h.jobs.fake.run(0);
    expect(run.job.options).toMatchObject({ steps: 3, styleWeight: 1000 });
    run.advance(3);
    run.finish();
    const { files, card } = await resultInThread(h, root);
    expect(files.files.map((f) => f.name)).toEqual([`stylebot-${jobId}.png`, `stylebot-${jobId}-progress.gif`, `stylebot-${jobId}-losses.png`]);
    expect(Buffer.from(files.files[0]!.bytes).toString()).toBe(`png of ${jobId}`);
    // the upload v2 flow, into the thread
    const complete = h.fake.callsOf('files.completeUploadExternal');
    expect(complete).toHaveLength(1);
    expect(complete[0]!.args).toMatchObject({ channel_id: CHANNEL, thread_ts: root.ts });
    expect(buttonsOf(card).map((b) => b.action_id)).toContain(encodeAction('seed', jobId));
    // ONE status message, edited in place to the end
    await h.fake.waitUntil(() => /done/i.test(status.text) || undefined);
    const statusMessages = threadOf(h, root).filter((m) => m.files.length === 0 && m !== card);
    expect(statusMessages).toEqual([status]);
    expect(status.versions.length).toBeGreaterThan(1);
  });

  it('updates the channel message at the end to a final line without the Cancel button', async () => {
    const { root, jobId } = await stylizeThroughModal(h, { steps: '3' });
    expect(buttonsOf(root).map((b) => b.action_id)).toEqual([encodeAction('cancel', jobId)]);
    const run = await h.jobs.fake.run(0);
    run.advance(3);
    run.finish();
    await resultInThread(h, root);
    await h.fake.waitUntil(() => /Done — the result is in the thread/.test(JSON.stringify(root.blocks)) || undefined);
    const updates = h.fake.callsOf('chat.update').filter((c) => c.args.channel === CHANNEL && c.args.ts === root.ts);
    // once when it started, once at the end
    expect(updates).toHaveLength(2);
    expect(JSON.stringify(root.versions[1]!.blocks)).toMatch(/Running — follow it in the thread/);
    expect(buttonsOf(root)).toEqual([]);
    expect(JSON.stringify(root.blocks)).toContain(`Job ${jobId}`);
  });

  it('cancels a running job from its Cancel button, and the status says so in place', async () => {
    const { root, jobId } = await stylizeThroughModal(h, { steps: '50' });
    const status = await statusOf(h, root);
    const run = await h.jobs.fake.run(0);
    run.advance(2);
    h.jobs.fake.stepOnAbort = true;
    await h.fake.waitUntil(() => buttonsOf(status).some((b) => b.action_id === encodeAction('cancel', jobId)) || undefined);
    const click = await h.sender.interactive(blockAction(h.fake, status, encodeAction('cancel', jobId)));
    expect(click.status).toBe(200);
    await h.jobs.events.waitFor('cancelled', (e) => e.job.id === jobId);
    await h.fake.waitUntil(() => /cancel/i.test(status.text) || undefined);
    expect(buttonsOf(status)).toEqual([]);
    expect(h.fake.callsOf('files.completeUploadExternal')).toHaveLength(0);
  });

  it('runs a follow-up from a result button in the same thread, linked to its parent', async () => {
    const { root, jobId } = await stylizeThroughModal(h);
    const first = await h.jobs.fake.run(0);
    first.advance(3);
    first.finish();
    const { card } = await resultInThread(h, root);
    const before = threadOf(h, root).length;
    await h.sender.interactive(blockAction(h.fake, card, encodeAction('seed', jobId)));
    const second = await h.jobs.fake.run(1);
    expect(second.job.id).not.toBe(jobId);
    const stored = await h.jobs.store.jobs.get(second.job.id);
    expect(stored?.parentId).toBe(jobId);
    // its reply and status land in the parent's thread, not in the channel
    await h.fake.waitUntil(() => threadOf(h, root).length >= before + 2 || undefined);
    expect(h.fake.messages.filter((m) => m.channel === CHANNEL && m.threadTs === null)).toEqual([root]);
  });

  it('saves a result as a preset through a small modal, lists it, and offers it in the next /stylize modal', async () => {
    const { root, jobId } = await stylizeThroughModal(h, { steps: '7' });
    const run = await h.jobs.fake.run(0);
    run.advance(7);
    run.finish();
    const { card } = await resultInThread(h, root);
    await h.sender.interactive(blockAction(h.fake, card, encodeAction('save', jobId)));
    const asked = await h.fake.waitForCall((c) => c.method === 'views.open' && (c.args.view as { callback_id: string }).callback_id === PRESET_NAME_CALLBACK);
    const viewId = (asked.response.view as { id: string }).id;
    const saved = await h.sender.interactive(viewSubmission(h.fake, viewId, { [PRESET_NAME_BLOCK]: { [INPUT_ACTION]: { type: 'plain_text_input', value: 'seven' } } }));
    expect(saved.text).toBe('');
    const presets = await h.jobs.service.presets.list({ platform: 'slack', userId: 'U0ADA' });
    expect(presets.map((p) => p.name)).toEqual(['seven']);
    // a bad name is shown on the name field
    await h.sender.interactive(blockAction(h.fake, card, encodeAction('save', jobId)));
    const again = await h.fake.waitUntil(() => h.fake.callsOf('views.open').filter((c) => (c.args.view as { callback_id: string }).callback_id === PRESET_NAME_CALLBACK)[1]);
    const bad = await h.sender.interactive(viewSubmission(h.fake, (again.response.view as { id: string }).id, { [PRESET_NAME_BLOCK]: { [INPUT_ACTION]: { type: 'plain_text_input', value: 'no spaces allowed' } } }));
    expect(bad.json).toMatchObject({ response_action: 'errors' });
    expect(Object.keys(bad.json!.errors as object)).toEqual([PRESET_NAME_BLOCK]);

    await h.sender.command(slashCommand(h.fake, '/stylize-preset', 'list'));
    const listed = await h.fake.waitForCall((c) => c.method === 'response_url');
    expect(JSON.stringify(listed.args)).toContain('seven');
    const opens = h.fake.callsOf('views.open').length;
    await h.sender.command(slashCommand(h.fake, '/stylize', '', { channel: CHANNEL }));
    const modal = await h.fake.waitUntil(() => h.fake.callsOf('views.open')[opens]);
    expect(JSON.stringify(modal.args.view)).toContain('"value":"seven"');
  });

  it('answers the text commands: presets saved with options, usage help, the job card by id, and the queue', async () => {
    const respond = async (command: string, text: string) => {
      const count = h.fake.responses.length;
      await h.sender.command(slashCommand(h.fake, command, text));
      await h.fake.waitUntil(() => h.fake.responses.length > count || undefined);
      return h.fake.responses[count]!.body;
    };
    expect(String((await respond('/stylize-preset', 'save quick steps=40 style_weight=5e3')).text)).toMatch(/quick/);
    expect(await h.jobs.service.presets.show({ platform: 'slack', userId: 'U0ADA' }, 'quick')).toMatchObject({ options: { steps: 40, styleWeight: 5000 } });
    const usage = await respond('/stylize-preset', 'frobnicate');
    expect(usage.response_type).toBe('ephemeral');
    expect(String(usage.text)).toMatch(/\/stylize-preset/);
    const { jobId } = await stylizeThroughModal(h);
    expect(String((await respond('/stylize-queue', '')).text + JSON.stringify((await respond('/stylize-queue', '')).blocks))).toContain(jobId);
    const card = await respond('/stylize-job', jobId);
    expect(JSON.stringify(card.blocks)).toContain(encodeAction('cancel', jobId));
    expect(String((await respond('/stylize-job', '')).text)).toMatch(/\/stylize-job/);
  });

  it('shows the whole queue to workspace admins only', async () => {
    const { jobId } = await stylizeThroughModal(h);
    const respond = async (user: string) => {
      const count = h.fake.responses.length;
      await h.sender.command(slashCommand(h.fake, '/stylize-queue', 'server', { user }));
      await h.fake.waitUntil(() => h.fake.responses.length > count || undefined);
      return JSON.stringify(h.fake.responses[count]!.body);
    };
    expect(await respond('U0BOB')).not.toContain(jobId);
    // the fake's users.info says UADMIN is a workspace admin
    expect(await respond('UADMIN')).toContain(jobId);
  });

  it('never makes a second job for a redelivered mention or a resubmitted modal', async () => {
    const { content, style } = hostPictures(h.fake);
    const event = appMention(h.fake, '<@U0BOT> stylize steps=5', [h.fake.fileObject(content), h.fake.fileObject(style)], { channel: CHANNEL });
    expect((await h.sender.event(event)).status).toBe(200);
    const reply = await h.fake.waitForCall((c) => c.method === 'chat.postMessage');
    expect((await h.sender.event(event, { retryNum: 1, retryReason: 'http_timeout' })).status).toBe(200);
    expect((await h.sender.event(event, { retryNum: 2, retryReason: 'http_timeout' })).status).toBe(200);
    const mention = event.event as { ts: string };
    // the job's reply is in the mention's thread
    expect(reply.args).toMatchObject({ channel: CHANNEL, thread_ts: mention.ts });
    const run = await h.jobs.fake.run(0);
    expect(run.job.options.steps).toBe(5);

    const { viewId } = await stylizeThroughModal(h);
    const resubmitted = await h.sender.interactive(viewSubmission(h.fake, viewId, modalValues(h, { steps: '3' })));
    expect(resubmitted.status).toBe(200);
    expect(h.jobs.events.of('queued').map((e) => e.job.id).filter((id, i, all) => all.indexOf(id) === i)).toHaveLength(2);
    expect(h.fake.messages.filter((m) => m.channel === CHANNEL && m.threadTs === null)).toHaveLength(1);
  });
});

describe('paged lists typed as text', () => {
  it('tells how to get the next page of /stylize-history, and that command brings it', async () => {
    const tmp = tempDir();
    const h = await startSlack(tmp.dir, { historyPageSize: 1 });
    try {
      const first = await stylizeThroughModal(h);
      const second = await stylizeThroughModal(h);
      const respond = async (text: string) => {
        const count = h.fake.responses.length;
        await h.sender.command(slashCommand(h.fake, '/stylize-history', text));
        await h.fake.waitUntil(() => h.fake.responses.length > count || undefined);
        return String(h.fake.responses[count]!.body.text);
      };
      const page1 = await respond('');
      expect(page1).toContain(second.jobId);
      const cursor = /More: `\/stylize-history (\S+)`/.exec(page1)?.[1];
      expect(cursor).toBeDefined();
      const page2 = await respond(cursor!);
      expect(page2).toContain(first.jobId);
      expect(page2).not.toContain('More:');
    } finally {
      await h.close();
      await h.fake.close();
      tmp.cleanup();
    }
  });
});
