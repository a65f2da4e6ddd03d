import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/index.js';
import { createImageInputCheck, createJobService, createPipelineRunner, JobFiles, type JobService, type JobRunner } from '../../src/jobs/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { REAL_WEIGHTS } from '../helpers/paths.js';
import { tempDir } from '../store/support.js';
import { realSubmission, recordEvents, refusal, said, type Recorder } from './support.js';

const PNG = [0x89, 0x50, 0x4e, 0x47];

describe('the queue with the real pipeline, engine and weights', () => {
  const tmp = tempDir();
  let engine: Engine;
  let store: Store;
  let service: JobService;
  let events: Recorder;
  /** steps the engine reported after the job's signal fired */
  const afterAbort: number[] = [];

  beforeAll(async () => {
    engine = await Engine.create({ weightsFile: REAL_WEIGHTS });
    const pipeline = createPipelineRunner({ engines: [engine] });
    const runner: JobRunner = (job, context) =>
      pipeline(job, {
        signal: context.signal,
        onProgress: (progress) => {
          if (context.signal.aborted) afterAbort.push(progress.step);
          context.onProgress(progress);
        },
      });
    store = await openStore({ databasePath: path.join(tmp.dir, 'data', 'stylebot.db') });
    service = createJobService({ store, files: new JobFiles(path.join(tmp.dir, 'data')), runner, checkInputs: createImageInputCheck(), logger: pino({ level: 'silent' }) });
    events = recordEvents(service.events);
    await service.start();
  });
  afterAll(async () => {
    await service.close();
    await store.close();
    await engine.release();
    tmp.cleanup();
  });

  const request = realSubmission;

  it('runs a tiny job end to end and keeps its result, GIF and loss plot', async () => {
    const { job } = await service.submit(request({ size: 32, steps: 2, seed: 1, frameEvery: 1 }));
    const finished = await events.waitFor('finished', (e) => e.job.id === job.id);

    expect(await sharp(finished.result).metadata()).toMatchObject({ format: 'png', width: 32, height: 21 });
    expect((await sharp(finished.gif, { animated: true }).metadata()).format).toBe('gif');
    expect(await sharp(finished.plot).metadata()).toMatchObject({ format: 'png' });
    expect(finished.summary).toMatchObject({ steps: 2, seed: 1 });
    const progress = events.of('progress').filter((e) => e.job.id === job.id);
    expect(progress.at(-1)!.step).toBe(2);
    expect([...progress.find((e) => e.preview)!.preview!.subarray(0, 4)]).toEqual(PNG);
    expect(readFileSync(path.join(tmp.dir, 'data', finished.files.result))).toEqual(Buffer.from(finished.result));
    expect(await store.jobs.get(job.id)).toMatchObject({ status: 'done', progressStep: 2 });
  });

  it('refuses a picture that is not one before it waits in the queue', async () => {
    const error = await refusal(service.submit({ ...request({ size: 32, steps: 2 }), content: Buffer.from('just some text, not a picture') }));
    expect(error).toMatchObject({ code: 'INVALID_INPUT' });
    expect(said(error)).toMatch(/^The content picture is a text file/);
  });

  it('stops a real run within a step of the cancel', async () => {
    const { job } = await service.submit(request({ size: 32, steps: 400, seed: 2 }));
    await events.waitFor('progress', (e) => e.job.id === job.id && e.step >= 3);
    const cancelled = await service.cancel({ platform: 'discord', serverId: 'guild-1', userId: 'alice' }, job.id);
    expect(cancelled).toMatchObject({ wasRunning: true, job: { status: 'cancelled' } });
    expect(afterAbort.length).toBeLessThanOrEqual(1);
    const stored = (await store.jobs.get(job.id))!;
    expect(stored).toMatchObject({ status: 'cancelled', progressStep: cancelled.job.progressStep });
    expect(stored.progressStep).toBeGreaterThanOrEqual(3);
    expect(stored.progressStep).toBeLessThan(400);
  });
});
