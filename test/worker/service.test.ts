import path from 'node:path';
import { pino } from 'pino';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createImageInputCheck, createJobService, JobFiles, type JobService } from '../../src/jobs/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { createWorkerRunner, type WorkerRunner } from '../../src/worker/index.js';
import { REAL_WEIGHTS } from '../helpers/paths.js';
import { realSubmission, recordEvents, type Recorder } from '../jobs/support.js';
import { tempDir } from '../store/support.js';

describe('the job service on the worker runner (real engine and weights)', () => {
  const tmp = tempDir();
  let store: Store;
  let runner: WorkerRunner;
  let service: JobService;
  let events: Recorder;

  beforeAll(async () => {
    store = await openStore({ databasePath: path.join(tmp.dir, 'stylebot.db') });
    runner = createWorkerRunner({ workers: 1, engine: { weightsFile: REAL_WEIGHTS, threads: 1 } });
    service = createJobService({ store, files: new JobFiles(path.join(tmp.dir, 'data')), runner: runner.run, checkInputs: createImageInputCheck(), logger: pino({ level: 'silent' }), sweepIntervalMs: 0 });
    events = recordEvents(service.events);
    await service.start();
  });
  afterAll(async () => {
    await service.close();
    await runner.close();
    await store.close();
    tmp.cleanup();
  });

  const request = realSubmission;
  const alice = { platform: 'discord', serverId: 'guild-1', userId: 'alice' };

  it('cancels a running job at once, then runs the next job on the same worker', async () => {
    const { job: long } = await service.submit(request({ size: 48, steps: 1000, seed: 2 }));
    await events.waitFor('progress', (e) => e.job.id === long.id && e.step >= 2);
    const [thread] = runner.threadIds;
    const cancelled = await service.cancel(alice, long.id);
    expect(cancelled).toMatchObject({ wasRunning: true, job: { status: 'cancelled' } });
    expect(cancelled.job.progressStep).toBeLessThan(1000);

    const { job } = await service.submit(request({ size: 32, steps: 3, seed: 1, frameEvery: 1 }));
    const finished = await events.waitFor('finished', (e) => e.job.id === job.id);
    expect(await sharp(finished.result).metadata()).toMatchObject({ format: 'png', width: 32, height: 21 });
    expect(finished.summary).toMatchObject({ steps: 3, seed: 1 });
    const progress = events.of('progress').filter((e) => e.job.id === job.id);
    expect(progress.at(-1)!.step).toBe(3);
    expect((await sharp(progress.find((e) => e.preview)!.preview!).metadata()).format).toBe('png');
    expect(runner.threadIds).toEqual([thread]);
  });
});
