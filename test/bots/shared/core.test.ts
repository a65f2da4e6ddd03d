import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createBotCore } from '../../../src/bots/shared/index.js';
import { encodeAction } from '../../../src/bots/shared/actions.js';
import type { Command, Reply } from '../../../src/bots/shared/contract.js';
import { threadTitle } from '../../../src/bots/shared/messages/index.js';
import { actor, CAT, corePerTest, image, memoryAttachment, WAVE, type CoreHarness } from './support.js';
import type { FakeRun } from '../../jobs/support.js';

let h: CoreHarness;
corePerTest((harness) => (h = harness), { core: { newErrorId: () => 'err00001' } });

const replyRef = { channel: 'channel-1' };
const stylize = (extra: Partial<Extract<Command, { kind: 'stylize' }>> = {}): Command => ({ kind: 'stylize', content: CAT(), styles: [WAVE()], options: { size: '64', steps: '30' }, replyRef, ...extra });

/** a finished job of `userId`, run by the fake runner */
async function finishedJob(userId = 'ada', summary: Parameters<FakeRun['finish']>[0] = {}): Promise<string> {
  const reply = await h.core.handle(stylize(), actor({ userId }));
  const run = await h.jobs.fake.run(h.jobs.fake.runs.length);
  run.advance(30);
  run.finish(summary);
  await h.jobs.events.waitFor('finished', (e) => e.job.id === reply.jobId);
  return reply.jobId!;
}

describe('stylize', () => {
  it('accepts real pictures and typed options, answering publicly with the queue position and a Cancel button', async () => {
    const reply = await h.core.handle(stylize({ options: { size: '64', steps: '20', style_weight: '1e3' } }), actor());
    expect(reply).toMatchObject({ visibility: 'public', jobId: expect.any(String), message: { tone: 'progress', title: expect.stringMatching(/^Queued — next, about \d+ (s|min)$/) } });
    expect(reply.message.actions).toEqual([{ id: encodeAction('cancel', reply.jobId!), label: 'Cancel', style: 'danger' }]);
    // the thread's name says what the job is; the title above goes stale as the job moves on
    expect(reply.threadTitle).toBe(`Stylebot job ${reply.jobId} — cat.jpg`);
    const status = await h.jobs.service.status({ platform: 'discord', serverId: 'guild-1', userId: 'ada' }, reply.jobId!);
    expect(status.job.options).toMatchObject({ size: 64, steps: 20, styleWeight: 1000 });
    expect(status.job.replyRef).toEqual(replyRef);
  });

  it('reports every mistake at once, privately, per field, and starts nothing', async () => {
    const text = memoryAttachment(image('bad/text_not_an_image.jpg'), { declaredType: null });
    const bomb = memoryAttachment(image('bad/bomb_60000x60000_rgb_header_only.png'), { declaredType: 'image/png' });
    const pdf = memoryAttachment(image('content/chelsea_cat.jpg'), { declaredType: 'application/pdf' });
    const reply = await h.core.handle(stylize({ content: text, styles: [bomb, pdf], options: { size: '9000', stlye_weight: '3' } }), actor());
    expect(reply.visibility).toBe('private');
    expect(reply.jobId).toBeUndefined();
    expect(reply.fieldErrors).toEqual({
      size: 'must be at most 2048 (got 9000)',
      stlye_weight: 'is not an option: did you mean style_weight?',
      content: expect.stringMatching(/^The content picture is a text file, not a picture/),
      style: expect.stringMatching(/^Style picture 1 is 60000x60000 pixels, over the 40-megapixel limit/),
      style2: expect.stringMatching(/^Style picture 2 is a file of type application\/pdf/),
    });
    expect(reply.message.body).toContain('`size`: must be at most 2048');
    expect(pdf.state.opened).toBe(0);
    expect(h.jobs.service.list({ platform: 'discord', serverId: 'guild-1' })).toEqual([]);
  });

  it('refuses a missing style and more than eight', async () => {
    const none = await h.core.handle(stylize({ styles: [] }), actor());
    expect(none.fieldErrors).toEqual({ style: 'Attach at least one style picture: the style to paint the content picture in.' });
    const many = await h.core.handle(stylize({ styles: Array.from({ length: 9 }, WAVE) }), actor());
    expect(many.fieldErrors?.style).toBe('Attach at most 8 style pictures (you sent 9).');
  });

  it('makes one job of a redelivered command, answering both deliveries alike', async () => {
    const [first, second] = await Promise.all([h.core.handle(stylize({ deliveryId: 'd-1' }), actor()), h.core.handle(stylize({ deliveryId: 'd-1' }), actor())]);
    const third = await h.core.handle(stylize({ deliveryId: 'd-1' }), actor());
    expect(second).toEqual(first);
    expect(third.jobId).toBe(first.jobId);
    expect(h.jobs.service.list({ platform: 'discord', serverId: 'guild-1' })).toHaveLength(1);
  });

  it('renders the job service’s refusals as sentences: limits, unknown presets', async () => {
    await h.core.handle(stylize(), actor());
    await h.core.handle(stylize(), actor());
    await h.core.handle(stylize(), actor());
    const fourth = await h.core.handle(stylize(), actor());
    expect(fourth).toMatchObject({ visibility: 'private', message: { tone: 'error', body: expect.stringMatching(/^You already have 2 jobs waiting in this server, the most allowed\./) } });
    const preset = await h.core.handle(stylize({ preset: 'nope' }), actor({ userId: 'bob' }));
    expect(preset.fieldErrors).toEqual({ preset: 'You have no preset named "nope": list yours to see the names.' });
  });

  it('answers an unexpected failure with an error id and logs it, never a stack trace', async () => {
    const gone = await h.core.handle(stylize({ content: { ...CAT(), open: async () => { throw new TypeError('fetch failed'); } } }), actor());
    expect(gone.fieldErrors?.content).toBe('The content picture could not be downloaded: try again in a moment.');
    h.jobs.service.status = async () => {
      throw new TypeError('socket exploded at /srv/secret/path.ts:12');
    };
    const reply = await h.core.handle({ kind: 'job', jobId: 'abcdefgh' }, actor());
    expect(reply).toMatchObject({ visibility: 'private', message: { title: 'Something went wrong' } });
    expect(reply.message.body).toContain('err00001');
    expect(JSON.stringify(reply)).not.toMatch(/secret|at \//);
    expect(h.logs.find((l) => l.errorId === 'err00001')).toMatchObject({ level: 50, command: 'job', err: { message: expect.stringContaining('socket exploded') } });
  });
});

describe('cancel, queue, job card, history', () => {
  it('lets the owner and the server’s moderators cancel, nobody else', async () => {
    const { jobId } = await h.core.handle(stylize(), actor());
    const other = await h.core.handle({ kind: 'cancel', jobId: jobId! }, actor({ userId: 'eve' }));
    expect(other.message.body).toMatch(/someone else's/);
    const mod = await h.core.handle({ kind: 'cancel', jobId: jobId! }, actor({ userId: 'mo', isModerator: true }));
    expect(mod).toMatchObject({ visibility: 'private', message: { title: 'Cancelled', body: expect.stringContaining('before it started') } });
    const again = await h.core.handle({ kind: 'cancel', jobId: 'zzzzzzzz' }, actor());
    expect(again.message).toMatchObject({ title: 'Not found', body: 'There is no job zzzzzzzz here: check the id in the bot\'s reply.' });
  });

  it('shows my queue to me and the server’s only to moderators', async () => {
    await h.core.handle(stylize(), actor());
    await h.core.handle(stylize(), actor({ userId: 'bob' }));
    const mine = await h.core.handle({ kind: 'queue', scope: 'mine' }, actor());
    expect(mine.message.body!.split('\n')).toHaveLength(1);
    const refused = await h.core.handle({ kind: 'queue', scope: 'server' }, actor());
    expect(refused.message.title).toBe('Not allowed');
    const server = await h.core.handle({ kind: 'queue', scope: 'server' }, actor({ isModerator: true }));
    expect(server.message.body!.split('\n')).toHaveLength(2);
  });

  it('brings back a finished job’s card with its result and follow-up buttons; `full` is the reproducibility card', async () => {
    const jobId = await finishedJob();
    const card = await h.core.handle({ kind: 'job', jobId }, actor({ userId: 'bob' }));
    expect(card).toMatchObject({ visibility: 'public', jobId, message: { tone: 'success', title: `Job ${jobId}: done` } });
    expect(card.message.images?.map((i) => [i.role, Buffer.from(i.bytes).toString()])).toEqual([['result', `png of ${jobId}`]]);
    expect(card.message.actions?.map((a) => a.label)).toEqual(['New seed', 'More style', 'More content', 'Higher resolution', 'Save as preset', 'Card']);
    expect(card.message.actions?.find((a) => a.label === 'Save as preset')?.asksFor).toMatchObject({ maxLength: 32 });
    const full = await h.core.handle({ kind: 'job', jobId, full: true }, actor());
    expect(full.visibility).toBe('private');
    const fields = Object.fromEntries(full.message.fields!.map((f) => [f.name, f.value]));
    expect(fields).toMatchObject({ 'Seed used': '7', 'Weights md5': '`fakemd5`', Files: 'kept: result, GIF, loss plot' });
    expect(fields['Content sha256']).toMatch(/^`[0-9a-f]{64}`$/);
    const elsewhere = await h.core.handle({ kind: 'job', jobId }, actor({ platform: 'slack' }));
    expect(elsewhere.message.title).toBe('Not found');
  });

  it('says on the reproducibility card what ran differently from what was asked, and skips what it cannot read', async () => {
    const adjustments = [
      { kind: 'size-grown', requested: 256, used: 320 },
      { kind: 'tiled', tileSize: 512 },
      { kind: 'made-up-by-a-later-release', size: 1 },
      { kind: 'scale-ignored', size: 'large', reason: 'too-small' },
    ];
    const jobId = await finishedJob('ada', { adjustments } as Parameters<FakeRun['finish']>[0]);
    const full = await h.core.handle({ kind: 'job', jobId, full: true }, actor());
    const field = full.message.fields!.find((f) => f.name === 'Adjustments');
    expect(field?.value.split('\n')).toEqual([
      'The picture is long and thin, so it was made 320 px on its long side instead of 256: its short side needs at least 16 px.',
      'Painted in tiles of 512 px to keep memory bounded at this size: the same picture, each step somewhat slower.',
    ]);
    // Without adjustments there is no such field.
    const plain = await h.core.handle({ kind: 'job', jobId: await finishedJob(), full: true }, actor());
    expect(plain.message.fields!.map((f) => f.name)).not.toContain('Adjustments');
  });

  it('pages through my history across servers', async () => {
    const ids: string[] = [];
    for (const serverId of ['guild-1', 'guild-2', 'guild-3']) {
      const reply = await h.core.handle(stylize(), actor({ serverId }));
      ids.push(reply.jobId!);
      await h.core.handle({ kind: 'cancel', jobId: reply.jobId! }, actor({ serverId }));
    }
    const all = await h.core.handle({ kind: 'history' }, actor());
    expect(all.message.body!.split('\n').map((l) => l.slice(1, 9))).toEqual([...ids].reverse());
    expect(all.nextCursor).toBeUndefined();
    const paged = createBotCore({ jobs: h.jobs.service, logger: pino({ level: 'silent' }), historyPageSize: 2 });
    const first = await paged.handle({ kind: 'history' }, actor());
    expect(first.message.body!.split('\n').map((l) => l.slice(1, 9))).toEqual([ids[2], ids[1]]);
    const second = await paged.handle({ kind: 'history', cursor: first.nextCursor! }, actor());
    expect(second.message.body!.split('\n')[0]!.slice(1, 9)).toBe(ids[0]);
    expect(second.nextCursor).toBeUndefined();
    paged.close();
  });

  it('starts follow-ups as new jobs linked to their parent', async () => {
    const parent = await finishedJob();
    const reply = await h.core.handle({ kind: 'followUp', action: 'style', jobId: parent, replyRef }, actor());
    expect(reply).toMatchObject({ visibility: 'public', jobId: expect.any(String) });
    const child = await h.jobs.service.status({ platform: 'discord', serverId: 'guild-1', userId: 'ada' }, reply.jobId!);
    expect(child.job).toMatchObject({ parentId: parent, followUp: 'style', options: { styleWeight: 400 } });
    expect(reply.threadTitle).toBe(`Stylebot job ${reply.jobId} — more style of ${parent}`);
    const notDone = await h.core.handle({ kind: 'followUp', action: 'seed', jobId: reply.jobId!, replyRef }, actor());
    expect(notDone.message.body).toMatch(/has not finished yet/);
  });
});

describe('presets and settings', () => {
  const preset = async (command: Record<string, unknown>, who = actor()): Promise<Reply> => h.core.handle({ kind: 'preset', ...command } as Command, who);

  it('save, list, show, default, share, import, delete', async () => {
    expect((await preset({ op: 'save', name: 'Soft', options: { style_weight: '50', steps: '30' } })).message.title).toBe('Preset saved');
    const bad = await preset({ op: 'save', name: 'x', options: { steps: '-1' } });
    expect(bad.fieldErrors).toEqual({ steps: 'must be at least 1 (got -1)' });
    expect((await preset({ op: 'default', name: 'soft' })).message.body).toMatch(/now start from preset `soft`/);
    expect((await preset({ op: 'list' })).message.body).toBe('`soft` (default): steps=30 style_weight=50');
    const shown = await preset({ op: 'show', name: 'SOFT' });
    expect(shown.message.fields).toEqual([{ name: 'steps', value: '30', inline: true }, { name: 'style_weight', value: '50', inline: true }]);
    const share = await preset({ op: 'share', name: 'soft' });
    const code = /`(sb1\.[^`]+)`/.exec(share.message.body!)![1]!;
    const imported = await preset({ op: 'import', code }, actor({ userId: 'bob' }));
    expect(imported.message.body).toMatch(/^Imported the preset as `soft`/);
    expect(await h.core.presetChoices(actor({ userId: 'bob' }), 'so')).toEqual([{ name: 'soft', value: 'soft' }]);
    expect((await preset({ op: 'import', code: 'sb1.garbage' })).message.body).toMatch(/^That is not a preset share code/);
    expect((await preset({ op: 'delete', name: 'soft' })).message.title).toBe('Preset deleted');
    expect((await preset({ op: 'show', name: 'soft' })).message.title).toBe('Not found');
  });

  it('names the commands as each platform spells them: the share code, no presets, a saved one', async () => {
    const sentences = async (platform: 'discord' | 'slack' | 'web') => {
      const who = actor({ platform });
      const none = (await preset({ op: 'list' }, who)).message.body;
      const saved = (await preset({ op: 'save', name: 'soft', options: { steps: '30' } }, who)).message.body;
      const share = (await preset({ op: 'share', name: 'soft' }, who)).message.body;
      return { none, saved, share };
    };
    const discord = await sentences('discord');
    expect(discord.share).toMatch(/^Share code of `soft`: anyone can import it with `\/preset import`\.\n`sb1\./);
    expect(discord.none).toContain('save one with `/preset save`');
    expect(discord.saved).toContain('the preset option of `/stylize`.');
    const slack = await sentences('slack');
    expect(slack.share).toMatch(/^Share code of `soft`: anyone can import it with `\/stylize-preset import`\.\n`sb1\./);
    expect(slack.none).toContain('save one with `/stylize-preset save`');
    expect(slack.saved).toContain('the preset option of `/stylize`.');
    const web = await sentences('web');
    expect(web.share).toMatch(/^Share code of `soft`: anyone can import it with the Import code button under Presets\.\n`sb1\./);
    expect(web.none).toContain('save one with the Save options as preset button');
    expect(Object.values(web).join('\n')).not.toMatch(/`\//);
  });

  it('saves a finished job’s settings as a preset, without its seed', async () => {
    const jobId = await finishedJob();
    const noName = await preset({ op: 'saveFromJob', name: '', jobId });
    expect(noName.fieldErrors).toHaveProperty('name');
    await preset({ op: 'saveFromJob', name: 'cat-wave', jobId });
    const shown = await preset({ op: 'show', name: 'cat-wave' });
    expect(Object.fromEntries(shown.message.fields!.map((f) => [f.name, f.value]))).toEqual({ size: '64', steps: '30' });
  });

  it('lets admins change limits and defaults within the operator’s ceilings', async () => {
    const notAdmin = await h.core.handle({ kind: 'settings', op: 'set', limits: { max_size: '256' } }, actor());
    expect(notAdmin.message).toMatchObject({ title: 'Not allowed' });
    const admin = actor({ isAdmin: true });
    const tooHigh = await h.core.handle({ kind: 'settings', op: 'set', limits: { max_size: '4096' } }, admin);
    expect(tooHigh.message.body).toMatch(/can be at most 512/);
    const unknown = await h.core.handle({ kind: 'settings', op: 'set', limits: { max_sizes: '4' } }, admin);
    expect(unknown.fieldErrors?.max_sizes).toMatch(/^is not a limit/);
    const ok = await h.core.handle({ kind: 'settings', op: 'set', limits: { max_size: '256' }, defaults: { steps: '50' } }, admin);
    expect(ok.message.fields?.find((f) => f.name === 'max_size')?.value).toBe('256');
    expect(ok.message.body).toBe('Option defaults: `steps`=50');
    const big = await h.core.handle(stylize({ options: { size: '300' } }), actor());
    expect(big.fieldErrors).toEqual({ size: expect.stringMatching(/at most 256/) });
    const reset = await h.core.handle({ kind: 'settings', op: 'reset' }, admin);
    expect(reset.message.fields?.find((f) => f.name === 'max_size')?.value).toBe('512 (bot default)');
  });
});

describe('thread titles', () => {
  it('fit the 100 characters of a Discord thread name and show a file name on one line', () => {
    const long = threadTitle({ id: 'abc12345' }, `${'very long name '.repeat(10)}.jpg`);
    expect(long.length).toBeLessThanOrEqual(100);
    expect(long).toMatch(/^Stylebot job abc12345 — very long name .*…$/);
    expect(threadTitle({ id: 'abc12345' }, 'my\n  cat.png')).toBe('Stylebot job abc12345 — my cat.png');
    expect(threadTitle({ id: 'abc12345' }, '  ')).toBe('Stylebot job abc12345 — stylize');
  });
});
