import { isImageInputError, verifyImage, type DecodeLimits } from '../images/index.js';
import { JobError, type PictureRef } from './errors.js';

/** Refuses pictures that cannot run, at submission; throws JobError INVALID_INPUT naming the picture and the image layer's code. */
export type InputCheck = (input: { readonly content: Uint8Array; readonly styles: readonly Uint8Array[] }) => Promise<void>;

/**
 * The production check: each picture's header (format, size, pixel count) as the pipeline will check it,
 * then a decode at a tiny size that finds files cut off after their header, so that a user hears about a
 * broken file now rather than after waiting.
 */
export function createImageInputCheck(limits?: Partial<DecodeLimits>): InputCheck {
  return async ({ content, styles }) => {
    const pictures: Array<{ bytes: Uint8Array; picture: PictureRef }> = [
      { bytes: content, picture: { role: 'content', index: 1, count: 1 } },
      ...styles.map((bytes, i) => ({ bytes, picture: { role: 'style' as const, index: i + 1, count: styles.length } })),
    ];
    for (const { bytes, picture } of pictures) {
      try {
        await verifyImage(bytes, { limits });
      } catch (error) {
        if (isImageInputError(error)) {
          throw new JobError({ code: 'INVALID_INPUT', problem: 'image', picture, imageCode: error.code, imageDetails: error.details }, { cause: error });
        }
        throw error;
      }
    }
  };
}
