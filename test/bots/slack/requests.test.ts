import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CONTENT_BLOCK, INPUT_ACTION, PRESET_BLOCK, STYLE_BLOCK } from '../../../src/bots/slack/modal.js';
import { tempDir } from '../../store/support.js';
import { appMention, fileValue, numberValue, slashCommand, viewSubmission } from './fake/payloads.js';
import { hostPictures, picture, startSlack, type SlackHarness } from './support.js';

describe('the Slack app over HTTP: signatures, the modal, and bad input', () => {
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

  it('refuses a forged signature and an old timestamp before anything runs', async () => {
    const forged = await h.sender.command(slashCommand(h.fake, '/stylize'), { secret: 'not-the-secret' });
    const replayed = await h.sender.command(slashCommand(h.fake, '/stylize'), { timestamp: Math.floor(Date.now() / 1000) - 10 * 60 });
    const unsigned = await fetch(new URL('/slack/events', `http://127.0.0.1:${h.adapter.port()}`), { method: 'POST', body: 'command=%2Fstylize' });
    expect(forged.status).toBe(401);
    expect(replayed.status).toBe(401);
    expect(unsigned.status).toBe(401);
    // the genuine request goes through, and only it reached the Web API
    const genuine = await h.sender.command(slashCommand(h.fake, '/stylize'));
    expect(genuine.status).toBe(200);
    await h.fake.waitForCall((c) => c.method === 'views.open');
    expect(h.fake.callsOf('views.open')).toHaveLength(1);
  });

  it('/stylize opens a modal with two file inputs, the modal options from the descriptors, and the channel in its metadata', async () => {
    const response = await h.sender.command(slashCommand(h.fake, '/stylize', '', { channel: 'C0ART' }));
    expect(response.status).toBe(200);
    const call = await h.fake.waitForCall((c) => c.method === 'views.open');
    const view = call.args.view as { blocks: Array<{ block_id: string; element: { type: string; max_files?: number; filetypes?: string[] } }>; private_metadata: string };
    const byId = new Map(view.blocks.map((b) => [b.block_id, b]));
    expect(byId.get(CONTENT_BLOCK)!.element).toMatchObject({ type: 'file_input', max_files: 1 });
    expect(byId.get(STYLE_BLOCK)!.element.filetypes).toContain('jpg');
    expect(byId.get('steps')!.element.type).toBe('number_input');
    expect(byId.get('optimizer')!.element.type).toBe('static_select');
    // no presets yet: no preset select (Slack refuses an empty one)
    expect(byId.has(PRESET_BLOCK)).toBe(false);
    expect(JSON.parse(view.private_metadata)).toEqual({ channel: 'C0ART', thread: null });
  });

  it('starts the modal with the values typed after /stylize that it can show, and leaves out the rest', async () => {
    await h.sender.command(slashCommand(h.fake, '/stylize', 'steps=50 optimizer=LBFGS style_weight=oops preserve_colors=yes'));
    const call = await h.fake.waitForCall((c) => c.method === 'views.open');
    const blocks = (call.args.view as { blocks: Array<{ block_id: string; element: Record<string, unknown> }> }).blocks;
    const element = (id: string) => blocks.find((b) => b.block_id === id)!.element;
    expect(element('steps').initial_value).toBe('50');
    expect(element('optimizer').initial_option).toMatchObject({ value: 'lbfgs' });
    expect(element('style_weight').initial_value).toBeUndefined();
    expect(element('preserve_colors').initial_options).toHaveLength(1);
  });

  it('shows bad files and options on their fields of the modal, and starts no job', async () => {
    await h.sender.command(slashCommand(h.fake, '/stylize'));
    const opened = await h.fake.waitForCall((c) => c.method === 'views.open');
    const viewId = (opened.response.view as { id: string }).id;
    const text = h.fake.hostFile('cat.jpg', 'image/jpeg', picture('bad/text_not_an_image.jpg'));
    const { style } = hostPictures(h.fake);
    const answer = await h.sender.interactive(
      viewSubmission(h.fake, viewId, {
        [CONTENT_BLOCK]: { [INPUT_ACTION]: fileValue(h.fake.fileObject(text)).value },
        [STYLE_BLOCK]: { [INPUT_ACTION]: fileValue(h.fake.fileObject(style)).value },
        style_weight: { [INPUT_ACTION]: numberValue('-5').value },
      }),
    );
    expect(answer.status).toBe(200);
    expect(answer.json?.response_action).toBe('errors');
    const errors = answer.json!.errors as Record<string, string>;
    expect(Object.keys(errors).sort()).toEqual([CONTENT_BLOCK, 'style_weight']);
    expect(errors[CONTENT_BLOCK]).toMatch(/content picture/i);
    expect(errors.style_weight).toMatch(/at least|above/);
    expect(h.jobs.fake.runs).toHaveLength(0);
    expect(h.fake.callsOf('chat.postMessage')).toHaveLength(0);
  });

  it('refuses an expired file on its field, and a file from a foreign host without fetching it', async () => {
    await h.sender.command(slashCommand(h.fake, '/stylize'));
    const opened = await h.fake.waitForCall((c) => c.method === 'views.open');
    const viewId = (opened.response.view as { id: string }).id;
    const { content, style } = hostPictures(h.fake);
    h.fake.expire(content.id);
    const foreign = { ...h.fake.fileObject(style), url_private_download: 'http://169.254.169.254/latest/meta-data' };
    const downloads: unknown[] = [];
    h.fake.on('download', (d) => downloads.push(d));
    const answer = await h.sender.interactive(
      viewSubmission(h.fake, viewId, {
        [CONTENT_BLOCK]: { [INPUT_ACTION]: fileValue(h.fake.fileObject(content)).value },
        [STYLE_BLOCK]: { [INPUT_ACTION]: fileValue(foreign).value },
      }),
    );
    const errors = answer.json!.errors as Record<string, string>;
    expect(errors[CONTENT_BLOCK]).toBeDefined();
    expect(errors[STYLE_BLOCK]).toBeDefined();
    // only the expired file was asked for; the foreign host never was
    expect(downloads).toEqual([{ id: content.id, authorized: true }]);
  });

  it('says a picture is unavailable when Slack refuses the download (no files:read scope)', async () => {
    await h.sender.command(slashCommand(h.fake, '/stylize'));
    const opened = await h.fake.waitForCall((c) => c.method === 'views.open');
    const { content, style } = hostPictures(h.fake);
    h.fake.fail('download', { kind: 'error', error: 'missing_scope' });
    const answer = await h.sender.interactive(
      viewSubmission(h.fake, (opened.response.view as { id: string }).id, {
        [CONTENT_BLOCK]: { [INPUT_ACTION]: fileValue(h.fake.fileObject(content)).value },
        [STYLE_BLOCK]: { [INPUT_ACTION]: fileValue(h.fake.fileObject(style)).value },
      }),
    );
    const errors = answer.json!.errors as Record<string, string>;
    // one of the two downloads met the refusal; the other went through
    expect(Object.keys(errors)).toHaveLength(1);
    expect(Object.values(errors)[0]).toMatch(/not allowed to download/);
    expect(h.jobs.fake.runs).toHaveLength(0);
  });

  it('opens one modal for a slash command delivered twice', async () => {
    const fields = slashCommand(h.fake, '/stylize');
    expect((await h.sender.command(fields)).status).toBe(200);
    expect((await h.sender.command(fields, { retryNum: 1 })).status).toBe(200);
    await h.fake.waitForCall((c) => c.method === 'views.open');
    // a later, different command is still served: the fake sees its views.open after the duplicate's turn
    await h.sender.command(slashCommand(h.fake, '/stylize'));
    await h.fake.waitUntil(() => h.fake.callsOf('views.open').length === 2 || undefined);
    expect(h.fake.calls.filter((c) => c.method === 'views.open').map((c) => c.response.ok)).toEqual([true, true]);
  });

  it('answers a mention without two pictures with the usage, privately', async () => {
    const response = await h.sender.event(appMention(h.fake, '<@U0BOT> stylize steps=10', []));
    expect(response.status).toBe(200);
    const call = await h.fake.waitForCall((c) => c.method === 'chat.postEphemeral');
    expect(call.args.user).toBe('U0ADA');
    expect(String(call.args.text)).toMatch(/mention/i);
    expect(h.jobs.fake.runs).toHaveLength(0);
  });
});
