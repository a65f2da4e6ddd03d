// The page's JSON + SSE API over the real core and the real job service on a real SQLite file (the runner is
// the job tests' controllable fake; e2e.test.ts runs the real engine in a browser).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeAction } from '../../../src/bots/shared/actions.js';
import type { PageReply } from '../../../src/bots/web/render.js';
import type { PageEvent } from '../../../src/bots/web/transport.js';
import { tempDir } from '../../store/support.js';
import { multipartBody, multipartHeaders } from './harness.js';
import { openEvents, picture, startWebOnJobs, type WebHarness } from './support.js';

const cat = picture('content/chelsea_cat.jpg');
const udnie = picture('style/picabia_udnie.jpg');

type Answer = { reply: PageReply; conversation?: string };

let tmp: ReturnType<typeof tempDir>;
let h: WebHarness;
beforeEach(async () => {
  tmp = tempDir('stylebot-webapi-');
  h = await startWebOnJobs(tmp.dir);
});
afterEach(async () => {
  await h.close();
  tmp.cleanup();
});

async function submit(parts: Parameters<typeof multipartBody>[0]): Promise<Answer> {
  const response = await fetch(`${h.web.url}api/jobs`, { method: 'POST', headers: multipartHeaders, body: multipartBody(parts) });
  expect(response.status).toBe(200);
  return (await response.json()) as Answer;
}

const content = (bytes: Uint8Array, filename = 'cat.jpg', type = 'image/jpeg') => ({ name: 'content', filename, type, bytes });
const style = (bytes: Uint8Array = udnie, filename = 'udnie.jpg', type = 'image/jpeg') => ({ name: 'style', filename, type, bytes });
const post = async (path: string, body: unknown): Promise<Answer> => (await fetch(`${h.web.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json() as Promise<Answer>;

describe('web API on the real core', () => {
  it.each([
    ['a pixel bomb', picture('bad/bomb_60000x60000_rgb_header_only.png'), 'bomb.png', 'image/png'],
    ['text named .jpg', picture('bad/text_not_an_image.jpg'), 'text.jpg', 'image/jpeg'],
    ['a declared PDF', cat, 'cat.pdf', 'application/pdf'],
    ['an empty file', Buffer.alloc(0), 'empty.jpg', 'image/jpeg'],
  ])('refuses %s next to the content input, with the reason, and starts no job', async (_what, bytes, filename, type) => {
    const { reply } = await submit([content(bytes, filename, type), style()]);
    expect(reply.jobId).toBeUndefined();
    expect(reply.message.tone).toBe('error');
    expect(reply.fieldErrors?.content).toMatch(/\w{3,}/);
    expect(h.jobs.service.list({ platform: 'web', serverId: 'local' })).toEqual([]);
  });

  it('names every problem at once: a bad option, nine styles', async () => {
    const { reply } = await submit([{ name: 'steps', value: 'lots' }, content(cat), ...Array.from({ length: 9 }, () => style())]);
    expect(reply.jobId).toBeUndefined();
    expect(Object.keys(reply.fieldErrors ?? {}).sort()).toEqual(['steps', 'style']);
  });

  it('tells a job story as page events: queued, progress with a preview, the three outputs, then a follow-up', async () => {
    const events = await openEvents(h.web.url);
    try {
      const { reply, conversation } = await submit([{ name: 'size', value: '64' }, { name: 'steps', value: '20' }, content(cat), style()]);
      expect(reply.jobId).toMatch(/\w+/);
      expect(conversation).toMatch(/\w+/);
      const inThis = (e: PageEvent) => e.conversation === conversation;
      await events.next((e) => inThis(e) && e.op === 'post');

      const run = await h.jobs.fake.run(0);
      run.advance(run.totalSteps);
      const progress = await events.next((e) => inThis(e) && e.op === 'edit' && e.message.tone === 'progress' && e.message.images.some((i) => i.role === 'preview'));
      expect(progress.jobId).toBe(reply.jobId);
      run.finish();
      const done = await events.next((e) => inThis(e) && e.op === 'upload');
      expect(done.message.images.map((i) => i.role).sort()).toEqual(['gif', 'plot', 'result']);
      for (const image of done.message.images) {
        const file = await fetch(`${h.web.url}${image.url.slice(1)}`);
        expect(file.status).toBe(200);
        expect(file.headers.get('content-type')).toBe(image.contentType);
      }
      const seed = done.message.actions?.find((a) => a.id === encodeAction('seed', reply.jobId!));
      expect(seed?.label).toMatch(/seed/i);

      const followUp = await post('api/actions', { id: seed!.id });
      expect(followUp.reply.jobId).toBeDefined();
      expect(followUp.reply.jobId).not.toBe(reply.jobId);
      expect(followUp.conversation).not.toBe(conversation);
      const second = await h.jobs.fake.run(1);
      second.advance(second.totalSteps);
      second.finish();
      const secondDone = await events.next((e) => e.conversation === followUp.conversation && e.op === 'upload');
      expect(secondDone.jobId).toBe(followUp.reply.jobId);

      // a page opened now shows both stories
      const state = (await (await fetch(`${h.web.url}api/state`)).json()) as { conversations: Array<{ conversation: string; jobId: string }> };
      expect(state.conversations.map((c) => c.jobId)).toEqual([reply.jobId, followUp.reply.jobId]);

      const card = (await (await fetch(`${h.web.url}api/jobs/${reply.jobId}`)).json()) as Answer;
      expect(card.reply.message.fields?.length).toBeGreaterThan(0);
    } finally {
      await events.close();
    }
  });

  it('cancels a running job from its Cancel button and edits its status in place', async () => {
    const events = await openEvents(h.web.url);
    try {
      const { reply, conversation } = await submit([{ name: 'size', value: '64' }, content(cat), style()]);
      const queued = await events.next((e) => e.conversation === conversation && e.op === 'post');
      const run = await h.jobs.fake.run(0);
      run.advance(1);
      const cancel = queued.message.actions?.find((a) => a.id === encodeAction('cancel', reply.jobId!)) ?? (await events.next((e) => e.conversation === conversation && (e.message.actions ?? []).some((a) => a.id === encodeAction('cancel', reply.jobId!)))).message.actions!.find((a) => a.id.includes(':cancel:'))!;
      const answer = await post('api/actions', { id: cancel.id });
      expect(answer.reply.message.tone).not.toBe('error');
      run.advance(1);
      const ended = await events.next((e) => e.conversation === conversation && e.op === 'edit' && e.messageId === queued.messageId && e.message.tone !== 'progress' && !(e.message.actions ?? []).some((a) => a.id.includes(':cancel:')));
      expect(ended.message.tone).toMatch(/warning|info|error/);
    } finally {
      await events.close();
    }
  });

  it('keeps the local user’s presets: save, list, share code, import, apply', async () => {
    const saved = await post('api/presets', { op: 'save', name: 'tiny', options: { size: '64', steps: '3' } });
    expect(saved.reply.message.tone).not.toBe('error');
    const share = await post('api/presets', { op: 'share', name: 'tiny' });
    const code = /sb\d\.[\w.-]+/.exec(`${share.reply.message.body ?? ''} ${share.reply.message.fields?.map((f) => f.value).join(' ') ?? ''}`)?.[0];
    expect(code).toBeDefined();
    const imported = await post('api/presets', { op: 'import', code, name: 'copy' });
    expect(imported.reply.message.tone).not.toBe('error');
    const choices = (await (await fetch(`${h.web.url}api/presets/choices`)).json()) as { choices: Array<{ value: string }> };
    expect(choices.choices.map((c) => c.value).sort()).toEqual(['copy', 'tiny']);
    const listed = (await (await fetch(`${h.web.url}api/presets`)).json()) as Answer;
    expect(JSON.stringify(listed.reply.message)).toContain('copy');

    const { reply } = await submit([{ name: 'preset', value: 'tiny' }, content(cat), style()]);
    expect(reply.jobId).toBeDefined();
    const run = await h.jobs.fake.run(0);
    expect(run.job.options).toMatchObject({ size: 64, steps: 3 });
  });

  it('generates the option form from the descriptors of the web surface', async () => {
    const form = (await (await fetch(`${h.web.url}api/form`)).json()) as { fields: Array<{ name: string; kind: string; primary: boolean; choices?: string[] }> };
    const names = form.fields.map((f) => f.name);
    expect(names.slice(0, 3)).toEqual(['size', 'steps', 'style_weight']);
    expect(names).toContain('lbfgs_history');
    expect(names).not.toContain('frame_every');
    expect(form.fields.find((f) => f.name === 'init')?.choices).not.toContain('image');
  });
});
