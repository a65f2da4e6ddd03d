import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { EngineError } from '../../src/engine/index.js';
import { ImageInputError } from '../../src/images/index.js';
import type { RunnerProgress } from '../../src/jobs/index.js';
import { parseStylizeOptions, type StylizeOptionsInput } from '../../src/pipeline/index.js';
import { createWorkerRunner, EngineWorkerError, type WorkerRunner } from '../../src/worker/index.js';
import { REAL_WEIGHTS, sharedImage } from '../helpers/paths.js';

const FAKE_ENTRY = new URL('./fake-entry.ts', import.meta.url);
const CONTENT = readFileSync(sharedImage('content/chelsea_cat.jpg'));
const STYLE = readFileSync(sharedImage('style/vangogh_starry_night.jpg'));

const job = (id: string, options: StylizeOptionsInput = {}, content: Uint8Array = CONTENT) => ({
  id,
  content,
  styles: [STYLE],
  options: parseStylizeOptions({ size: 32, steps: 3, seed: 1, ...options }),
});

/** Runs a job, recording its progress; `signal` defaults to one that never fires. */
function start(runner: WorkerRunner, j: ReturnType<typeof job>, signal = new AbortController().signal) {
  const progress: RunnerProgress[] = [];
  let started!: () => void;
  /** resolves at the first progress report: the job runs in the worker */
  const running = new Promise<void>((resolve) => (started = resolve));
  const result = runner.run(j, {
    signal,
    onProgress: (p) => {
      progress.push(p);
      started();
    },
  });
  return { progress, result, running };
}

let runner: WorkerRunner | undefined;
afterEach(async () => {
  await runner?.close();
  runner = undefined;
});

describe('the worker runner with the real engine and weights', () => {
  it('runs the pipeline in a worker thread, reuses the worker, and transfers the results', async () => {
    runner = createWorkerRunner({ workers: 1, engine: { weightsFile: REAL_WEIGHTS, threads: 1 } });
    const first = start(runner, job('real-1', { frameEvery: 1 }));
    const result = await first.result;
    expect(result.png).toBeInstanceOf(Uint8Array);
    expect(await sharp(result.png).metadata()).toMatchObject({ format: 'png', width: 32, height: 21 });
    expect((await sharp(result.gif, { animated: true }).metadata()).format).toBe('gif');
    expect((await sharp(result.plot).metadata()).format).toBe('png');
    expect(result.summary).toMatchObject({ steps: 3, seed: 1, provider: 'cpu' });
    expect(first.progress.map((p) => p.step).at(-1)).toBe(3);
    const preview = first.progress.find((p) => p.preview)?.preview;
    expect((await sharp(preview!).metadata()).format).toBe('png');

    const [thread] = runner.threadIds;
    expect(thread).toBeGreaterThan(0);
    await start(runner, job('real-2')).result;
    expect(runner.threadIds).toEqual([thread]);
  });
});

describe('the worker runner (stand-in engine in the worker)', () => {
  it('turns the worker errors back into their classes', async () => {
    runner = createWorkerRunner({ workers: 1, engine: { weightsFile: '/none.h5' }, entry: FAKE_ENTRY });
    const error = await start(runner, job('text', {}, Buffer.from('just some text, not a picture'))).result.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImageInputError);
    expect(error).toMatchObject({ code: 'TEXT', subject: 'The content image' });
  });

  it("logs the engine's own warning (a provider fallback) once, in the main thread", async () => {
    const warnings: Array<{ fields: object; message: string }> = [];
    runner = createWorkerRunner({ workers: 1, engine: { weightsFile: '/none.h5' }, entry: FAKE_ENTRY, logger: { info() {}, error() {}, warn: (fields, message) => warnings.push({ fields, message: message ?? '' }) } });
    await start(runner, job('one')).result;
    await start(runner, job('two')).result;
    expect(warnings).toEqual([{ fields: { worker: 0, provider: 'cpu', wanted: 'cuda' }, message: 'Running on cpu: the CUDA provider did not start' }]);
  });

  it('lets jobs wait for weights still on their way, and fail with their error', async () => {
    let deliver!: (file: string) => void;
    runner = createWorkerRunner({ workers: 1, engine: { weightsFile: new Promise<string>((resolve) => (deliver = resolve)) }, entry: FAKE_ENTRY });
    const controller = new AbortController();
    const impatient = start(runner, job('impatient'), controller.signal);
    const patient = start(runner, job('patient'));
    controller.abort();
    await expect(impatient.result).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(runner.threadIds).toEqual([]);
    deliver('/fake.h5');
    expect((await patient.result).summary.steps).toBe(3);
    await runner.close();

    const offline = new EngineError('WEIGHTS_DOWNLOAD_FAILED', 'Downloading the weights failed: offline.');
    runner = createWorkerRunner({ workers: 1, engine: { weightsFile: Promise.reject(offline) }, entry: FAKE_ENTRY });
    await expect(start(runner, job('no-weights')).result).rejects.toBe(offline);
    expect(runner.threadIds).toEqual([]);
  });

  it('turns a crash into an EngineWorkerError and starts a fresh worker for the next job', async () => {
    runner = createWorkerRunner({ workers: 1, engine: { weightsFile: '/none.h5' }, entry: FAKE_ENTRY });
    await start(runner, job('warm-up')).result;
    const [before] = runner.threadIds;
    const error = await start(runner, job('crash-1')).result.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EngineWorkerError);
    expect(error).toMatchObject({ code: 'WORKER_CRASHED', jobId: 'crash-1', exitCode: 7 });
    expect(runner.threadIds).toEqual([]);
    const after = await start(runner, job('after-crash')).result;
    expect(after.summary.steps).toBe(3);
    expect(runner.threadIds).toHaveLength(1);
    expect(runner.threadIds[0]).not.toBe(before);
  });

  it('rejects a cancelled job at once, replaces a worker that does not stop, and runs the next job', async () => {
    const warnings: string[] = [];
    runner = createWorkerRunner({
      workers: 1,
      engine: { weightsFile: '/none.h5' },
      entry: FAKE_ENTRY,
      cancelGraceMs: 20,
      logger: { info() {}, error() {}, warn: (_o, message) => warnings.push(message ?? '') },
    });
    await start(runner, job('warm-up')).result;
    const [before] = runner.threadIds;
    const controller = new AbortController();
    const stuck = start(runner, job('stuck-1'), controller.signal);
    // queued behind the stuck job: it starts only when the worker is replaced
    const next = start(runner, job('next'));
    await stuck.running;
    controller.abort();
    const error = await stuck.result.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EngineError);
    expect(error).toMatchObject({ code: 'CANCELLED' });
    expect((await next.result).summary.steps).toBe(3);
    expect(runner.threadIds[0]).not.toBe(before);
    expect(warnings).toContain('engine worker did not stop after a cancel; terminating it');
  });

  it('cancels a job waiting for a worker without touching the running one', async () => {
    runner = createWorkerRunner({ workers: 1, engine: { weightsFile: '/none.h5' }, entry: FAKE_ENTRY, cancelGraceMs: 20 });
    const stuckController = new AbortController();
    const running = start(runner, job('stuck-2'), stuckController.signal);
    const controller = new AbortController();
    const waiting = start(runner, job('waiting'), controller.signal);
    await running.running;
    controller.abort();
    await expect(waiting.result).rejects.toMatchObject({ code: 'CANCELLED' });
    stuckController.abort();
    await expect(running.result).rejects.toMatchObject({ code: 'CANCELLED' });
  });

  it('close() rejects running and waiting jobs and ends every worker', async () => {
    runner = createWorkerRunner({ workers: 1, engine: { weightsFile: '/none.h5' }, entry: FAKE_ENTRY, closeGraceMs: 20 });
    const running = start(runner, job('stuck-3'));
    const waiting = start(runner, job('waiting'));
    const outcomes = Promise.allSettled([running.result, waiting.result]);
    await running.running;
    await runner.close();
    const [r, w] = await outcomes;
    expect(r).toMatchObject({ status: 'rejected', reason: { code: 'CANCELLED' } });
    expect(w).toMatchObject({ status: 'rejected', reason: { code: 'CANCELLED' } });
    expect(runner.threadIds).toEqual([]);
    await expect(start(runner, job('late')).result).rejects.toMatchObject({ code: 'CANCELLED' });
  });
});
