import { isImageInputError, probeImage, type DecodeLimits } from '../images/index.js';
import type { StylizeOptions } from '../pipeline/index.js';
import { JobError } from './errors.js';

/** Refuses pictures that cannot run, at submission; throws JobError INVALID_INPUT with the picture's reason. */
export type InputCheck = (input: { readonly content: Uint8Array; readonly styles: readonly Uint8Array[]; readonly options: StylizeOptions }) => Promise<void>;

/**
 * The production check: each picture's header (format, size, pixel count) as the pipeline will check it,
 * without decoding pixels, so that a user hears about a broken file now rather than after waiting.
 */
export function createImageInputCheck(limits?: Partial<DecodeLimits>): InputCheck {
  return async ({ content, styles }) => {
    const pictures = [
      { bytes: content, subject: 'The content picture' },
      ...styles.map((bytes, i) => ({ bytes, subject: styles.length === 1 ? 'The style picture' : `Style picture ${i + 1}` })),
    ];
    for (const { bytes, subject } of pictures) {
      try {
        await probeImage(bytes, { limits, subject });
      } catch (error) {
        if (isImageInputError(error)) throw new JobError({ code: 'INVALID_INPUT', reason: error.message }, Date.now(), { cause: error });
        throw error;
      }
    }
  };
}
