import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { createImageInputCheck, isJobError } from '../../src/jobs/index.js';
import { sharedImage } from '../helpers/paths.js';

const picture = (relative: string) => readFile(sharedImage(relative));

describe('the input check at submission', () => {
  const check = createImageInputCheck();

  it('accepts whole pictures', async () => {
    await expect(check({ content: await picture('content/chelsea_cat.jpg'), styles: [await picture('style/picabia_udnie.jpg')] })).resolves.toBeUndefined();
  });

  it('refuses a JPEG cut off after its header, naming the picture, before the job waits in the queue', async () => {
    const error = await check({ content: await picture('content/chelsea_cat.jpg'), styles: [await picture('bad/truncated_40pct_chelsea.jpg')] }).catch((e: unknown) => e);
    expect(isJobError(error, 'INVALID_INPUT')).toBe(true);
    expect((error as { details: unknown }).details).toMatchObject({ problem: 'image', imageCode: 'TRUNCATED', picture: { role: 'style', index: 1 } });
  });

  it('refuses a pixel bomb from its header alone', async () => {
    const error = await check({ content: await picture('bad/bomb_60000x60000_rgb_header_only.png'), styles: [await picture('style/picabia_udnie.jpg')] }).catch((e: unknown) => e);
    expect((error as { details: unknown }).details).toMatchObject({ imageCode: 'TOO_MANY_PIXELS', picture: { role: 'content' } });
  });
});
