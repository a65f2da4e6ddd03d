import path from 'node:path';
import { pino } from 'pino';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBotCore, type BotCoreHandle } from '../../../src/bots/shared/index.js';
import { Engine } from '../../../src/engine/index.js';
import { createJobService, createPipelineRunner, JobFiles, type JobService } from '../../../src/jobs/index.js';
import { openStore, type Store } from '../../../src/store/index.js';
import { REAL_WEIGHTS } from '../../helpers/paths.js';
import { tempDir } from '../../store/support.js';
import { actor, CAT, FakeTransport, WAVE } from './support.js';

describe('the bot core with the real engine and weights', () => {
  const tmp = tempDir();
  let engine: Engine;
  let store: Store;
  let service: JobService;
  let core: BotCoreHandle;
  const transport = new FakeTransport('discord');

  beforeAll(async () => {
    engine = await Engine.create({ weightsFile: REAL_WEIGHTS });
    store = await openStore({ databasePath: path.join(tmp.dir, 'stylebot.db') });
    service = createJobService({ store, files: new JobFiles(path.join(tmp.dir, 'data')), runner: createPipelineRunner({ engines: [engine] }), logger: pino({ level: 'silent' }) });
    core = createBotCore({ jobs: service, logger: pino({ level: 'silent' }), editIntervalMs: 0 });
    core.attach(transport);
    await service.start();
  });
  afterAll(async () => {
    core.close();
    await service.close();
    await store.close();
    await engine.release();
    tmp.cleanup();
  });

  it('turns a /stylize of two real pictures into a thread with the result, GIF and loss plot', async () => {
    const finished = new Promise<void>((resolve) => service.events.on('finished', () => resolve()));
    const reply = await core.handle({ kind: 'stylize', content: CAT(), styles: [WAVE()], options: { size: '32', steps: '3', seed: '5', frame_every: '1' }, replyRef: { channel: 'c' } }, actor());
    expect(reply).toMatchObject({ visibility: 'public', jobId: expect.any(String) });
    await core.bind(reply.jobId!, { thread: 't' });
    await finished;
    for (let i = 0; i < 5 && !transport.calls.some((c) => c.op === 'upload'); i++) {
      await new Promise((resolve) => setImmediate(resolve));
      await core.idle();
    }
    const upload = transport.calls.find((c) => c.op === 'upload')!;
    expect(upload.target).toEqual({ thread: 't' });
    const [png, gif, plot] = upload.files!;
    expect(await sharp(png!.bytes).metadata()).toMatchObject({ format: 'png', width: 32 });
    expect((await sharp(gif!.bytes, { animated: true }).metadata()).format).toBe('gif');
    expect((await sharp(plot!.bytes).metadata()).format).toBe('png');
    expect(upload.parts.fields).toContainEqual({ name: 'Seed', value: '5', inline: true });
    expect(transport.calls.filter((c) => c.op === 'post')).toHaveLength(1);
    expect(transport.calls.at(-1)).toMatchObject({ op: 'edit', parts: { title: 'Done' } });
  });
});
