import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { JobFiles } from '../../src/jobs/index.js';
import { isStoreError } from '../../src/store/index.js';
import { tempDirPerTest } from '../store/support.js';

const bucketOf = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex').slice(0, 2);

describe('JobFiles.putInputs', () => {
  const tmp = tempDirPerTest();

  it('stores new pictures after the reused ones, numbering them in order', async () => {
    const files = new JobFiles(path.join(tmp.dir, 'data'));
    const reused = { position: 5, role: 'content' as const, hash: 'ab', path: 'inputs/ab/ab', bytes: 2 };
    const { inputs, created } = await files.putInputs([{ bytes: Buffer.from('first style'), role: 'style' }], [reused]);
    expect(inputs.map((i) => [i.position, i.role])).toEqual([
      [0, 'content'],
      [1, 'style'],
    ]);
    expect(created).toEqual([inputs[1]!.path]);
    await expect(files.read(inputs[1]!.path)).resolves.toEqual(Buffer.from('first style'));
  });

  it('all or none: when a later picture cannot be written, the files this call created are removed and those already there stay', async () => {
    const data = path.join(tmp.dir, 'data');
    const files = new JobFiles(data);
    const shared = Buffer.from('a picture another job stored');
    const fresh = Buffer.from('a picture only this job sends');
    const blocked = Buffer.from('a picture whose folder is a file');
    expect(new Set([bucketOf(shared), bucketOf(fresh), bucketOf(blocked)]).size).toBe(3);
    const existing = await files.putInput(shared);
    mkdirSync(path.join(data, 'inputs'), { recursive: true });
    writeFileSync(path.join(data, 'inputs', bucketOf(blocked)), 'not a folder');

    const error = await files
      .putInputs(
        [
          { bytes: shared, role: 'content' },
          { bytes: fresh, role: 'style' },
          { bytes: blocked, role: 'style' },
        ],
        [],
      )
      .then(() => new Error('accepted'), (e: unknown) => e);
    expect(isStoreError(error) && error.code).toBe('DATA_DIR_UNWRITABLE');
    expect(existsSync(path.join(data, existing.path))).toBe(true);
    const freshPath = path.join(data, 'inputs', bucketOf(fresh), createHash('sha256').update(fresh).digest('hex'));
    expect(existsSync(freshPath)).toBe(false);
  });
});
