import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { describeAdjustment, knownAdjustments, prepareInputs } from '../../src/pipeline/index.js';
import { sharedImage } from '../helpers/paths.js';

const cat = readFileSync(sharedImage('content/chelsea_cat.jpg'));
const starry = readFileSync(sharedImage('style/vangogh_starry_night.jpg'));

describe('adjustments', () => {
  it('notes tiles when the working size is evaluated in tiles, and not otherwise', async () => {
    const tiled = await prepareInputs({ content: cat, styles: [starry], options: { size: 128, tileSize: 64 } });
    expect(tiled.adjustments).toEqual([{ kind: 'tiled', tileSize: 64 }]);
    // A tile as large as the picture is the whole picture.
    const whole = await prepareInputs({ content: cat, styles: [starry], options: { size: 128, tileSize: 128 } });
    expect(whole.adjustments).toEqual([]);
  });

  it('says each one in a sentence with its figures', () => {
    expect(describeAdjustment({ kind: 'scale-ignored', size: 512, reason: 'not-smaller' })).toBe('The 512 px scale was skipped: it is not smaller than the working size.');
    expect(describeAdjustment({ kind: 'scale-ignored', size: 64, reason: 'too-small' })).toBe('The 64 px scale was skipped: at this shape its short side would be under 16 px.');
    expect(describeAdjustment({ kind: 'result-downsized', from: { width: 900, height: 600 }, to: { width: 450, height: 300 }, maxBytes: 8_000_000 })).toBe(
      'The result was shrunk from 900×600 to 450×300 px to fit the 8.0 MB upload limit.',
    );
  });

  it('reads back only the stored entries it knows, whole', () => {
    const good = [
      { kind: 'size-grown', requested: 256, used: 320 },
      { kind: 'scale-ignored', size: 64, reason: 'too-small' },
      { kind: 'result-downsized', from: { width: 2, height: 2 }, to: { width: 1, height: 1 }, maxBytes: 10 },
      { kind: 'tiled', tileSize: 512 },
    ];
    const bad = [null, 'tiled', { kind: 'tiled' }, { kind: 'scale-ignored', size: 64, reason: 'because' }, { kind: 'result-downsized', from: {}, to: { width: 1, height: 1 }, maxBytes: 1 }, { kind: 'new' }];
    expect(knownAdjustments([...bad, ...good])).toEqual(good);
  });
});
