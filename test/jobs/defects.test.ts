import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { planRun } from '../../src/engine/index.js';
import { isJobError, jobMemoryBytes, TERMINAL_EVENTS, tileToFit, totalSteps } from '../../src/jobs/index.js';
import { STYLIZE_DEFAULTS } from '../../src/pipeline/index.js';
import { sharedImage } from '../helpers/paths.js';
import { harnessPerTest, refusal, refusalText, said, submission, type Harness } from './support.js';

const alice = { platform: 'discord', serverId: 'guild-1', userId: 'alice' };
const admin = { platform: 'discord', serverId: 'guild-1', isAdmin: true };

function endings(h: Harness, jobId: string): string[] {
  return h.events.story(jobId).filter((name) => (TERMINAL_EVENTS as readonly string[]).includes(name));
}

describe('stopping jobs', () => {
  let h: Harness;
  harnessPerTest((harness) => (h = harness), { limits: { maxWaitingPerUser: 5 } });

  it('cancels a waiting job while close() waits for the running one', async () => {
    await h.service.submit(submission('alice'));
    const running = await h.fake.run(0);
    const waiting = await h.service.submit(submission('alice'));
    const closing = h.service.close(); // the running job stops at its next step, which has not come
    await expect(h.service.cancel(alice, waiting.job.id)).resolves.toMatchObject({ wasRunning: false, job: { status: 'cancelled' } });
    expect(await h.store.jobs.get(waiting.job.id)).toMatchObject({ status: 'cancelled', cancelledBy: 'alice' });
    running.advance(1);
    await closing;
    expect(endings(h, waiting.job.id)).toEqual(['cancelled']);
    // and after close() has finished, a job still queued in the database can be cancelled too
    expect(h.events.of('requeued')).toMatchObject([{ wasRunning: true }]);
  });

  it('answers the cancel of a running job at once, even while the run is slow to notice', async () => {
    const first = await h.service.submit(submission('alice'));
    const next = await h.service.submit(submission('bob'));
    const run = await h.fake.run(0);
    run.advance(4, 250);
    // the run never looks at its signal here (weights still loading, say): the cancel does not wait for it
    await expect(h.service.cancel(alice, first.job.id)).resolves.toMatchObject({ wasRunning: true, job: { status: 'cancelled', progressStep: 4 } });
    expect(run.context.signal.aborted).toBe(true);
    expect(await h.store.jobs.get(first.job.id)).toMatchObject({ status: 'cancelled', computeSeconds: 1, progressStep: 4 });
    run.finish(); // its result comes late and is dropped
    expect((await h.fake.run(1)).job.id).toBe(next.job.id);
    expect(h.events.of('finished')).toEqual([]);
    expect(endings(h, first.job.id)).toEqual(['cancelled']);
    expect((await h.store.jobs.get(first.job.id))!.status).toBe('cancelled');
  });

  it('ends every job with exactly one terminal event at shutdown: running and waiting ones are requeued', async () => {
    const running = await h.service.submit(submission('alice'));
    const waiting = await h.service.submit(submission('bob'));
    (await h.fake.run(0)).advance(2);
    await h.close();
    expect(endings(h, running.job.id)).toEqual(['requeued']);
    expect(endings(h, waiting.job.id)).toEqual(['requeued']);
    expect(h.events.of('requeued').map((e) => [e.job.id, e.wasRunning])).toEqual([
      [running.job.id, true],
      [waiting.job.id, false],
    ]);
  });
});

describe('submission caps', () => {
  let h: Harness;
  harnessPerTest((harness) => (h = harness), { limits: { maxSize: 512 } });

  it('counts total steps by the engine\'s plan for the picture as sent: a scale a thin picture cannot run is not counted', async () => {
    const thin = await sharp(readFileSync(sharedImage('content/chelsea_cat.jpg'))).resize(400, 20, { fit: 'fill' }).png().toBuffer();
    const options = { size: 256, steps: 10, coarseSteps: 10, scales: [64] };
    const { job } = await h.service.submit(submission('alice', { content: thin, options }));
    expect(planRun(options, { width: 256, height: 13 }).ignored).toHaveLength(1);
    expect(job.totalSteps).toBe(10);
    // a square picture runs both scales
    const square = await sharp(readFileSync(sharedImage('content/chelsea_cat.jpg'))).resize(64, 64).png().toBuffer();
    expect((await h.service.submit(submission('bob', { content: square, options }))).job.totalSteps).toBe(20);
    expect(totalSteps({ size: 256, steps: 10, scales: [64, 64, 300] })).toBe(planRun({ size: 256, steps: 10, scales: [64, 64, 300] }).totalSteps);
  });

  it('counts style-scale in the size cap', async () => {
    const refused = await refusal(h.service.submit(submission('alice', { options: { size: 256, styleScale: 4 } })));
    expect(refused.details).toMatchObject({ code: 'INVALID_OPTIONS', violations: [{ option: 'styleScale' }] });
    expect(said(refused)).toBe('Some options are not valid:\n• styleScale: matches the style at 1024 px, over this server\'s 512: use at most 2 at size 256');
    await expect(h.service.submit(submission('alice', { options: { size: 128, styleScale: 4 } }))).resolves.toBeDefined();
  });

});

describe('the memory budget', () => {
  const options = { size: 512, steps: 200, optimizer: 'lbfgs', lbfgsHistory: 100, layers: 'gatys' } as const;
  const full = { ...STYLIZE_DEFAULTS, ...options };
  // between what 256 px and 512 px need, by the engine's own estimate (which its calibration may change)
  const budget = Math.round((jobMemoryBytes({ ...full, size: 256 }) + jobMemoryBytes(full)) / 2);
  let h: Harness;
  harnessPerTest((harness) => (h = harness), { limits: { maxSize: 512, maxJobMemoryBytes: budget } });

  it('refuses a job over the memory budget, saying what fits', async () => {
    const refused = await refusal(h.service.submit(submission('alice', { options })));
    expect(isJobError(refused, 'JOB_TOO_MUCH_MEMORY')).toBe(true);
    if (!isJobError(refused, 'JOB_TOO_MUCH_MEMORY')) return;
    const { fits, neededBytes, maxBytes } = refused.details;
    expect(neededBytes).toBeGreaterThan(maxBytes);
    expect(maxBytes).toBe(budget);
    expect(fits.size).toBeGreaterThanOrEqual(256);
    expect(fits.size).toBeLessThan(512);
    expect(said(refused)).toMatch(new RegExp(`^This job needs about .* of memory, more than the .* a job may use here: with these options, a size of at most ${fits.size} px`));
    // what it said fits, fits (in tiles where needed, as the job will run), and one pixel more does not
    const at = (size: number) => jobMemoryBytes(tileToFit({ ...full, size }, 1, maxBytes));
    expect(at(fits.size!)).toBeLessThanOrEqual(maxBytes);
    expect(at(fits.size! + 1)).toBeGreaterThan(maxBytes);
    await expect(h.service.submit(submission('alice', { options: { ...options, size: fits.size! } }))).resolves.toBeDefined();
  });
});

describe('a job that fits the memory budget only in tiles', () => {
  const options = { size: 1024, steps: 2, optimizer: 'adam', layers: 'seed', octaves: 0 } as const;
  const full = { ...STYLIZE_DEFAULTS, ...options };
  // enough for tiles of 384 px, not for 512 px tiles nor for the whole picture at once
  const budget = Math.round((jobMemoryBytes({ ...full, tileSize: 384 }) + jobMemoryBytes({ ...full, tileSize: 512 })) / 2);
  let h: Harness;
  harnessPerTest((harness) => (h = harness), { limits: { maxSize: 1024, maxJobMemoryBytes: budget } });

  it('runs in the largest tiles that fit, and keeps a tile size the user chose', async () => {
    expect(jobMemoryBytes(full)).toBeGreaterThan(budget);
    const { job } = await h.service.submit(submission('alice', { options }));
    expect(job.options.tileSize).toBe(384);
    const chosen = await h.service.submit(submission('bob', { options: { ...options, tileSize: 256 } }));
    expect(chosen.job.options.tileSize).toBe(256);
    const tooBig = await refusal(h.service.submit(submission('carol', { options: { ...options, tileSize: 1024 } })));
    expect(isJobError(tooBig, 'JOB_TOO_MUCH_MEMORY')).toBe(true);
  });
});

describe('server defaults against the caps', () => {
  let h: Harness;
  harnessPerTest((harness) => (h = harness), { limits: { maxSize: 1024 } });

  it('refuses defaults that every job of the server would fail with, when they are set', async () => {
    const refused = await refusal(h.service.settings.update({ ...admin, defaults: { size: 2048 } }));
    expect(refused.details).toMatchObject({ code: 'INVALID_OPTIONS', source: 'server defaults', violations: [{ option: 'size' }] });
    expect(said(refused)).toBe('The server defaults has options that are not valid:\n• size: this server allows at most 1024 (got 2048)');
    await h.service.settings.update({ ...admin, defaults: { size: 800 } });
    // nor may the cap be lowered under a default that is set
    expect(await refusalText(h.service.settings.update({ ...admin, limits: { maxSize: 512 } }))).toContain('• size: this server allows at most 512 (got 800)');
    await h.service.settings.update({ ...admin, limits: { maxSize: 512 }, defaults: { size: 400 } });
    expect((await h.service.settings.get(admin)).defaults).toEqual({ size: 400 });
  });

  it('leaves out stored defaults the caps no longer allow, instead of failing every job', async () => {
    // stored by an earlier release, or before the operator lowered the ceiling
    await h.store.servers.update('discord', 'guild-1', { defaults: { size: 2048, steps: 50 } }, new Date());
    const view = await h.service.settings.get(admin);
    expect(view.defaults).toEqual({ steps: 50 });
    expect(view.problems).toMatchObject([{ option: 'size' }]);
    await expect(h.service.submit(submission('alice', { options: {} }))).resolves.toMatchObject({ job: { options: { steps: 50, size: 256 } } });
  });
});

describe('presets under concurrency', () => {
  let h: Harness;
  harnessPerTest((harness) => (h = harness));

  it('counts the preset limit inside the transaction: of five saves at once for the last place, one wins', async () => {
    const owner = { platform: 'discord', userId: 'alice' };
    for (let i = 0; i < 24; i++) await h.service.presets.save(owner, `p${i}`, { steps: i + 1 });
    const results = await Promise.allSettled([0, 1, 2, 3, 4].map((i) => h.service.presets.save(owner, `new${i}`, { steps: 5 })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => (r.reason as { details: unknown }).details);
    expect(refused).toEqual(Array.from({ length: 4 }, () => ({ code: 'LIMIT_REACHED', limit: 'presets', max: 25, retryAt: null })));
    expect(await h.store.presets.count(owner)).toBe(25);
  });
});
