import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';

/** The real pretrained conv1_1 ... conv3_4, beside the repository (../shared/models). */
export const REAL_WEIGHTS = fileURLToPath(
  new URL('../../../../shared/models/vgg19_imagenet_notop_block1-3.h5', import.meta.url),
);

/** A fresh temp dir per call, removed after the current test. */
export function useTempDirs(): () => Promise<string> {
  const dirs: string[] = [];
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  });
  return async () => {
    const dir = await mkdtemp(join(tmpdir(), 'stylebot-weights-'));
    dirs.push(dir);
    return dir;
  };
}
