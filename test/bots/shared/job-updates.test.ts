import path from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createBotCore } from '../../../src/bots/shared/index.js';
import type { Command } from '../../../src/bots/shared/contract.js';
import { createJobService, JobFiles } from '../../../src/jobs/index.js';
import { openStore } from '../../../src/store/index.js';
import { FakeClock, FakeRunner, OPERATOR_LIMITS } from '../../jobs/support.js';
import { tempDir } from '../../store/support.js';
import { actor, CAT, corePerTest, FakeTimers, FakeTransport, forbidden, rateLimited, WAVE, type CoreHarness } from './support.js';

let h: CoreHarness;
corePerTest((harness) => (h = harness));

const replyRef = { channel: 'channel-1', message: 'reply-1' };
const thread = { channel: 'channel-1', thread: 'thread-1' };
const stylize: Extract<Command, { kind: 'stylize' }> = { kind: 'stylize', content: CAT(), styles: [WAVE()], options: { size: '64', steps: '20', frame_every: '5' }, replyRef };

async function submit(): Promise<string> {
  const reply = await h.core.handle({ ...stylize, content: CAT(), styles: [WAVE()] }, actor());
  expect(reply.jobId).toBeDefined();
  return reply.jobId!;
}

const titles = (t: FakeTransport) => t.calls.map((c) => `${c.op}: ${c.parts.title}`);

describe('JobUpdates', () => {
  it('posts one status message in the bound conversation, edits it through the job, then uploads the result with its card', async () => {
    const jobId = await submit();
    await h.settle();
    // waiting for the adapter to bind the thread it made on the reply
    expect(h.transport.calls).toEqual([]);
    await h.core.bind(jobId, thread);
    await h.settle();
    // one status message, edited from then on
    const status = h.transport.calls[0]!;
    expect(h.transport.calls.slice(1).every((c) => c.op === 'edit' && c.target === status.ref)).toBe(true);
    expect(status).toMatchObject({ op: 'post', target: thread, parts: { title: expect.stringMatching(/^Queued — next, about/), actions: [{ label: 'Cancel' }] } });
    expect((await h.jobs.store.jobs.get(jobId))!.replyRef).toEqual({ sb: 1, conversation: thread, status: status.ref, result: null });

    const run = await h.jobs.fake.run(0);
    await h.settle();
    expect(titles(h.transport).at(-1)).toMatch(/^edit: Running/);
    const edits = () => h.transport.calls.filter((c) => c.op === 'edit').length;
    const before = edits();
    // 12 steps within one interval: coalesced into one edit with the latest state
    run.advance(12, 200);
    await h.settle();
    expect(edits()).toBe(before);
    h.timers.advance(5000);
    await h.settle();
    expect(edits()).toBe(before + 1);
    const progress = h.transport.calls.at(-1)!;
    expect(progress.target).toEqual(status.ref);
    expect(progress.parts.body).toMatch(/^step 12\/20 · style 0\.042 · content 0\.042 · about \d+ s left$/);
    expect(progress.parts.images?.map((i) => i.role)).toEqual(['preview']);

    run.advance(8, 10);
    run.finish({ adjustments: [{ kind: 'result-downsized', from: { width: 4000, height: 3000 }, to: { width: 2000, height: 1500 }, maxBytes: 10 * 2 ** 20 }] });
    await h.jobs.events.waitFor('finished', (e) => e.job.id === jobId);
    await h.settle();
    const [upload, done] = h.transport.calls.slice(-2);
    expect(upload!.parts.body!.split('\n')).toEqual([
      'Final loss 1 (style 0.5, content 0.5).',
      'The result was shrunk from 4000×3000 to 2000×1500 px to fit the 10 MiB upload limit.',
    ]);
    expect(upload).toMatchObject({ op: 'upload', target: thread, parts: { title: `Result of job ${jobId}`, tone: 'success' } });
    expect(upload!.files!.map((f) => [f.role, f.name, Buffer.from(f.bytes).toString()])).toEqual([
      ['result', `stylebot-${jobId}.png`, `png of ${jobId}`],
      ['gif', `stylebot-${jobId}-progress.gif`, `gif of ${jobId}`],
      ['plot', `stylebot-${jobId}-losses.png`, `plot of ${jobId}`],
    ]);
    expect(upload!.parts.actions!.map((a) => a.label)).toEqual(['New seed', 'More style', 'More content', 'Higher resolution', 'Save as preset', 'Card']);
    expect(upload!.parts.footer).toMatch(/Gatys/);
    expect(done).toMatchObject({ op: 'edit', target: status.ref, parts: { title: 'Done', tone: 'success' } });
    expect(done!.parts.actions).toBeUndefined();
    expect(h.transport.calls.filter((c) => c.op === 'post')).toHaveLength(1);
    expect((await h.jobs.store.jobs.get(jobId))!.replyRef).toEqual({ sb: 1, conversation: thread, status: status.ref, result: upload!.ref });
  });

  it('moves a waiting job up in its status when the queue moves', async () => {
    const submitAs = async (userId: string) => (await h.core.handle({ ...stylize, content: CAT(), styles: [WAVE()] }, actor({ userId }))).jobId!;
    const first = await submitAs('ada');
    const second = await submitAs('bob');
    const third = await submitAs('cy');
    for (const [id, name] of [[first, 'a'], [second, 'b'], [third, 'c']] as const) await h.core.bind(id, { thread: name });
    await h.settle();
    const latest = (thread: string) => h.transport.calls.filter((c) => JSON.stringify(c.target).includes(`"thread":"${thread}"`)).at(-1)!.parts.title;
    expect(latest('c')).toMatch(/^Queued — position 2,/);
    const run = await h.jobs.fake.run(0);
    run.finish();
    await h.jobs.events.waitFor('started', (e) => e.job.id === second);
    await h.settle();
    h.timers.advance(5000);
    await h.settle();
    expect(latest('b')).toMatch(/^Running/);
    expect(latest('c')).toMatch(/^Queued — next,/);
  });

  it('uses the command’s replyRef as the conversation when no bind comes', async () => {
    await submit();
    await h.settle();
    expect(h.transport.calls).toEqual([]);
    h.timers.advance(30_000);
    await h.settle();
    // The fake worker may start the job meanwhile: that edits the posted card in place, it posts nothing else.
    const [first, ...later] = h.transport.calls;
    expect(first).toMatchObject({ op: 'post', target: replyRef });
    for (const call of later) expect(call).toMatchObject({ op: 'edit', target: { in: replyRef } });
  });

  it('edits cancelled and failed jobs in place with the sentence', async () => {
    const first = await submit();
    await h.core.bind(first, thread);
    await h.settle();
    const run = await h.jobs.fake.run(0);
    run.advance(3);
    await h.core.handle({ kind: 'cancel', jobId: first }, actor());
    // the run notices at its next step, as the engine does
    run.advance(1);
    await h.settle();
    expect(h.transport.calls.at(-1)).toMatchObject({ op: 'edit', parts: { title: 'Cancelled', body: `Job \`${first}\` was stopped at step 3/20.` } });

    const second = await submit();
    await h.core.bind(second, { thread: 'thread-2' });
    const failing = await h.jobs.fake.run(1);
    failing.fail(new Error('boom'));
    await h.jobs.events.waitFor('failed', (e) => e.job.id === second);
    await h.settle();
    expect(h.transport.calls.at(-1)).toMatchObject({ op: 'edit', target: { message: expect.any(String), in: { thread: 'thread-2' } }, parts: { tone: 'error', title: 'Failed', body: `Something went wrong while stylising job ${second}. Try again; if it fails again, try a smaller size or fewer steps.` } });
  });

  it('retries rate-limited calls after the platform’s retry-after, without holding up the queue', async () => {
    h.transport.failNext('post', rateLimited(2000));
    const jobId = await submit();
    await h.core.bind(jobId, thread);
    await h.settle();
    expect(h.transport.calls.map((c) => c.ref === undefined)).toEqual([true]);
    // the job runs meanwhile
    const run = await h.jobs.fake.run(0);
    h.timers.advance(1999);
    await h.settle();
    expect(h.transport.delivered).toHaveLength(0);
    h.timers.advance(1);
    await h.settle();
    // the latest state went out, once
    expect(h.transport.delivered.map((c) => `${c.op}: ${c.parts.title.split(' ')[0]}`)).toEqual(['post: Queued', 'edit: Running']);
    run.finish();
    await h.jobs.events.waitFor('finished', (e) => e.job.id === jobId);
    await h.settle();
    expect(h.transport.delivered.map((c) => c.op)).toEqual(['post', 'edit', 'upload', 'edit']);
  });

  it('gives up on a permanent failure after one log line; the job still finishes', async () => {
    h.transport.failNext('post', forbidden(), 10);
    h.transport.failNext('upload', forbidden());
    const jobId = await submit();
    await h.core.bind(jobId, thread);
    const run = await h.jobs.fake.run(0);
    run.advance(20, 1000);
    h.timers.advance(10_000);
    run.finish();
    await h.jobs.events.waitFor('finished', (e) => e.job.id === jobId);
    await h.settle();
    expect(h.transport.delivered).toEqual([]);
    const warnings = h.logs.filter((l) => l.job === jobId && l.level === 40);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ call: 'post', msg: expect.stringMatching(/stays retrievable by id/) });
    expect((await h.jobs.store.jobs.get(jobId))!.status).toBe('done');
  });
});

describe('JobUpdates and the command’s public reply', () => {
  const reply = { channel: 'channel-1', message: 'reply-1', kind: 'reply' };
  const replyEdits = (t: FakeTransport) => t.calls.filter((c) => c.op === 'edit' && c.target === reply);

  it('edits the reply once when the job starts and once at its end, without buttons; the status story is unchanged', async () => {
    const jobId = await submit();
    await h.core.bind(jobId, thread, reply);
    await h.settle();
    // queued: the reply says that itself
    expect(replyEdits(h.transport)).toEqual([]);
    expect((await h.jobs.store.jobs.get(jobId))!.replyRef).toMatchObject({ sb: 1, conversation: thread, reply });

    const run = await h.jobs.fake.run(0);
    await h.settle();
    run.advance(12, 200);
    h.timers.advance(5000);
    await h.settle();
    // progress edits the status only
    expect(replyEdits(h.transport).map((c) => c.parts.title)).toEqual(['Running — follow it in the thread']);
    run.advance(8, 10);
    run.finish();
    await h.jobs.events.waitFor('finished', (e) => e.job.id === jobId);
    await h.settle();
    const edits = replyEdits(h.transport);
    expect(edits.map((c) => c.parts.title)).toEqual(['Running — follow it in the thread', 'Done — the result is in the thread']);
    expect(edits.every((c) => c.parts.actions === undefined && c.parts.footer?.startsWith(`Job ${jobId} ·`))).toBe(true);
    // after the result and the status's done line
    expect(h.transport.calls.at(-1)).toBe(edits[1]);
    expect(h.transport.calls.filter((c) => c.target !== reply).map((c) => c.op)).toEqual(['post', 'edit', 'edit', 'upload', 'edit']);
  });

  it('says Cancelled or Failed with a short reason, once, when the job ends before or while running', async () => {
    const first = await submit();
    await h.core.bind(first, thread, reply);
    await h.settle();
    await h.core.handle({ kind: 'cancel', jobId: first }, actor());
    await h.settle();
    expect(replyEdits(h.transport).map((c) => [c.parts.title, c.parts.tone])).toEqual([['Cancelled', 'warning']]);

    const second = await submit();
    const secondReply = { channel: 'channel-1', message: 'reply-2' };
    await h.core.bind(second, { thread: 'thread-2' }, secondReply);
    const failing = await h.jobs.fake.run(0);
    failing.fail(new Error('boom'));
    await h.jobs.events.waitFor('failed', (e) => e.job.id === second);
    await h.settle();
    const edits = h.transport.calls.filter((c) => c.target === secondReply);
    expect(edits.at(-1)!.parts).toEqual({ tone: 'error', title: `Failed: Something went wrong while stylising job ${second}.`, footer: expect.stringMatching(new RegExp(`^Job ${second} ·`)) });
    expect(edits.length).toBeLessThanOrEqual(2);
  });

  it('keeps telling the story in the thread when the reply cannot be edited, and retries a rate-limited reply edit', async () => {
    const edit = h.transport.edit.bind(h.transport);
    let refusals = 0;
    h.transport.edit = async (message, parts) => {
      if (message === reply && refusals++ === 0) throw rateLimited(1000);
      if (message === reply) throw forbidden();
      return edit(message, parts);
    };
    const jobId = await submit();
    await h.core.bind(jobId, thread, reply);
    const run = await h.jobs.fake.run(0);
    await h.settle();
    h.timers.advance(1000);
    await h.settle();
    expect(refusals).toBe(2);
    run.finish();
    await h.jobs.events.waitFor('finished', (e) => e.job.id === jobId);
    await h.settle();
    // one try at the end too, and the status and result went out as ever
    expect(refusals).toBe(3);
    expect(h.transport.delivered.map((c) => `${c.op}: ${c.parts.title.split(' ')[0]}`)).toEqual(['post: Queued', 'edit: Running', 'upload: Result', 'edit: Done']);
    expect(h.logs.filter((l) => l.job === jobId && l.level === 40)).toEqual([]);
  });
});

describe('JobUpdates across a restart', () => {
  it('edits the same status message after the bot restarts', async () => {
    const tmp = tempDir();
    const clock = new FakeClock();
    const start = async () => {
      const store = await openStore({ databasePath: path.join(tmp.dir, 'stylebot.db'), now: () => clock.now() });
      const fake = new FakeRunner(clock);
      const service = createJobService({ store, files: new JobFiles(path.join(tmp.dir, 'data')), runner: fake.runner, logger: pino({ level: 'silent' }), clock, operatorLimits: OPERATOR_LIMITS, sweepIntervalMs: 0 });
      const timers = new FakeTimers(clock);
      const core = createBotCore({ jobs: service, logger: pino({ level: 'silent' }), timers });
      const transport = new FakeTransport('discord');
      core.attach(transport);
      await service.start();
      const settle = async () => {
        for (let i = 0; i < 5; i++) {
          await new Promise((resolve) => setImmediate(resolve));
          await core.idle();
        }
      };
      return { store, service, core, transport, fake, settle, close: async () => (fake.stepOnAbort = true, core.close(), await service.close(), await store.close()) };
    };
    try {
      const first = await start();
      // someone else's job runs, so ours waits in the queue
      const blocker = await first.core.handle({ ...stylize, content: CAT(), styles: [WAVE()] }, actor({ userId: 'bob' }));
      const ours = await first.core.handle({ ...stylize, content: CAT(), styles: [WAVE()] }, actor());
      await first.core.bind(ours.jobId!, thread);
      await first.settle();
      const posted = first.transport.calls.find((c) => c.op === 'post' && c.target === thread)!;
      expect(posted.parts.title).toMatch(/^Queued — next/);
      await first.close();
      void blocker;

      const second = await start();
      await second.settle();
      const ourCalls = second.transport.calls.filter((c) => JSON.stringify(c.target) === JSON.stringify(posted.ref));
      expect(ourCalls.length).toBeGreaterThanOrEqual(1);
      expect(ourCalls.every((c) => c.op === 'edit')).toBe(true);
      expect(ourCalls.map((c) => c.parts.title)).toContain('Back in the queue after a restart');
      expect(second.transport.calls.filter((c) => c.op === 'post' && JSON.stringify(c.target) === JSON.stringify(thread))).toEqual([]);
      // and the result lands in the same thread
      const runs = second.fake;
      const blockerRun = await runs.run(0);
      blockerRun.finish();
      const run = await runs.run(1);
      expect(run.job.id).toBe(ours.jobId);
      const finished = new Promise((resolve) => second.service.events.on('finished', (e) => void (e.job.id === ours.jobId && resolve(e))));
      run.finish();
      await finished;
      await second.settle();
      expect(second.transport.calls.find((c) => c.op === 'upload' && c.parts.title === `Result of job ${ours.jobId}`)?.target).toEqual(thread);
      await second.close();
    } finally {
      tmp.cleanup();
    }
  });
});
