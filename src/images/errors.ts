/** Why an input picture was refused. Callers branch on `code`; `message` is the user-facing line. */
export type ImageInputErrorCode =
  | 'EMPTY' // zero bytes
  | 'TOO_LARGE_BYTES' // the file is over the byte limit
  | 'TOO_MANY_PIXELS' // the header claims more pixels than the limit (decompression bombs end here)
  | 'TOO_SMALL' // a side under the minimum
  | 'EXTREME_ASPECT' // so long and thin that the short side cannot reach the minimum at a sane size
  | 'SVG_OR_XML' // SVG or any other XML: scripts, external references and unbounded rendering cost
  | 'TEXT' // readable text, not a picture
  | 'UNSUPPORTED_FORMAT' // a known image format the bot does not take (TIFF, HEIC, AVIF, BMP, PDF…)
  | 'UNKNOWN_FORMAT' // bytes that match no known format
  | 'TRUNCATED' // the header parses but the pixel data stops early
  | 'CORRUPT'; // the decoder refused the data for another reason

/** Numbers that make a message concrete; each code uses the ones it needs. */
export interface ImageInputDetails {
  readonly bytes?: number;
  readonly maxBytes?: number;
  readonly width?: number;
  readonly height?: number;
  readonly maxPixels?: number;
  readonly minSide?: number;
  /** a format name for UNSUPPORTED_FORMAT, e.g. 'TIFF' */
  readonly format?: string;
}

const ACCEPTED = 'JPEG, PNG, WebP or GIF';

const mb = (bytes: number) =>
  bytes < 1e6 ? `${Math.round(bytes / 1e3)} KB` : `${(bytes / 1e6).toFixed(bytes < 1e7 ? 1 : 0)} MB`;
const mp = (pixels: number) => `${Math.round(pixels / 1e6)}-megapixel`;
const dims = (d: ImageInputDetails) => `${d.width ?? '?'}x${d.height ?? '?'}`;

/**
 * The user-facing text for every refusal, written once: `subject` names the picture ("The content
 * image", "Style image 2"). Each line says what is wrong and what to do about it.
 */
export const IMAGE_INPUT_MESSAGES: Record<ImageInputErrorCode, (subject: string, d: ImageInputDetails) => string> = {
  EMPTY: (s) => `${s} is an empty file: attach the picture again.`,
  TOO_LARGE_BYTES: (s, d) =>
    `${s} is ${mb(d.bytes ?? 0)}, over the ${mb(d.maxBytes ?? 0)} limit: send a smaller or more compressed picture.`,
  TOO_MANY_PIXELS: (s, d) =>
    `${s} is ${dims(d)} pixels, over the ${mp(d.maxPixels ?? 0)} limit: send a smaller picture.`,
  TOO_SMALL: (s, d) =>
    `${s} is only ${dims(d)} pixels; each side must be at least ${d.minSide ?? 16}: send a larger picture.`,
  EXTREME_ASPECT: (s, d) =>
    `${s} is ${dims(d)} pixels, too long and thin to stylise: crop it to a less extreme shape.`,
  SVG_OR_XML: (s) => `${s} is SVG or other XML, which is not accepted: export it as PNG or JPEG and send that.`,
  TEXT: (s) => `${s} is a text file, not a picture: send a ${ACCEPTED} image.`,
  UNSUPPORTED_FORMAT: (s, d) => `${s} is ${d.format ?? 'in a format that is'} not supported: convert it to ${ACCEPTED}.`,
  UNKNOWN_FORMAT: (s) => `${s} is not in any image format I recognise: send a ${ACCEPTED} image.`,
  TRUNCATED: (s) => `${s} is cut off (an incomplete download or upload?): send the complete file again.`,
  CORRUPT: (s) => `${s} is damaged and cannot be decoded: open it, save it again as PNG or JPEG, and send that.`,
};

export class ImageInputError extends Error {
  override readonly name = 'ImageInputError';
  constructor(
    readonly code: ImageInputErrorCode,
    readonly details: ImageInputDetails = {},
    /** how the message names the picture */
    readonly subject = 'The image',
    options?: { cause?: unknown },
  ) {
    super(IMAGE_INPUT_MESSAGES[code](subject, details), options);
  }
}

export function isImageInputError(error: unknown, code?: ImageInputErrorCode): error is ImageInputError {
  return error instanceof ImageInputError && (code === undefined || error.code === code);
}
