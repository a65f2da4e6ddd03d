import { describe, expect, it } from 'vitest';
import { fitLongSide, ImageInputError } from '../../src/images/index.js';

describe('fitLongSide', () => {
  it.each([
    [{ width: 768, height: 576 }, 256, { width: 256, height: 192 }],
    [{ width: 576, height: 768 }, 256, { width: 192, height: 256 }],
    [{ width: 16, height: 16 }, 64, { width: 64, height: 64 }],
    [{ width: 451, height: 300 }, 451, { width: 451, height: 300 }],
    [{ width: 2000, height: 100 }, 256, { width: 320, height: 16 }],
  ])('%o at %i -> %o', (source, longSide, expected) => {
    expect(fitLongSide(source, longSide, 16)).toEqual(expected);
  });

  it('refuses a strip that would need a long side over 4x the size', () => {
    expect(() => fitLongSide({ width: 2000, height: 100 }, 32, 16, 'The content image')).toThrow(ImageInputError);
    try {
      fitLongSide({ width: 2000, height: 100 }, 32, 16, 'The content image');
    } catch (error) {
      expect((error as ImageInputError).code).toBe('EXTREME_ASPECT');
      expect((error as ImageInputError).message).toMatch(/^The content image is 2000x100 pixels, too long and thin/);
    }
  });
});
