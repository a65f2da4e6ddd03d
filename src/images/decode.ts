import sharp, { type Metadata } from 'sharp';
import { fromInterleavedRgb, MIN_IMAGE_SIDE, type RgbImage } from '../engine/index.js';
import { ImageInputError, type ImageInputDetails } from './errors.js';
import { fitLongSide, type Size } from './geometry.js';
import { sniffFormat, type AcceptedFormat } from './sniff.js';

/** Input limits checked from the file header before anything is decoded. */
export interface DecodeLimits {
  /** default 25 MB */
  readonly maxBytes: number;
  /** default 40 megapixels */
  readonly maxPixels: number;
  /** default 16 px (the engine's MIN_IMAGE_SIDE) */
  readonly minSide: number;
}

export const DEFAULT_DECODE_LIMITS: DecodeLimits = {
  maxBytes: 25_000_000,
  maxPixels: 40_000_000,
  minSide: MIN_IMAGE_SIDE,
};

export interface ImageHeader {
  readonly format: AcceptedFormat;
  /** upright size: EXIF orientation applied */
  readonly width: number;
  readonly height: number;
}

export interface DecodeOptions {
  readonly limits?: Partial<DecodeLimits>;
  /** resize so that the long side is this many pixels (see fitLongSide); default: keep the size */
  readonly longSide?: number;
  /** how messages name the picture, e.g. "The content image" */
  readonly subject?: string;
}

export interface DecodedImage {
  readonly image: RgbImage;
  /** the picture as sent, before any resize */
  readonly source: ImageHeader;
}

/**
 * Checks a file from its first bytes and its header only: format, byte count, pixel count, side
 * lengths. Nothing is decompressed, so a 60000x60000 "bomb" costs microseconds and no memory.
 */
export async function probeImage(bytes: Uint8Array, options: DecodeOptions = {}): Promise<ImageHeader> {
  const limits = { ...DEFAULT_DECODE_LIMITS, ...options.limits };
  const subject = options.subject;
  const refuse = (code: ConstructorParameters<typeof ImageInputError>[0], details: ImageInputDetails = {}) =>
    new ImageInputError(code, details, subject);

  if (bytes.length === 0) throw refuse('EMPTY');
  if (bytes.length > limits.maxBytes) throw refuse('TOO_LARGE_BYTES', { bytes: bytes.length, maxBytes: limits.maxBytes });
  const sniffed = sniffFormat(bytes);
  switch (sniffed.kind) {
    case 'svg-or-xml':
      throw refuse('SVG_OR_XML');
    case 'text':
      throw refuse('TEXT');
    case 'unsupported':
      throw refuse('UNSUPPORTED_FORMAT', { format: sniffed.format });
    case 'unknown':
      throw refuse('UNKNOWN_FORMAT');
  }

  let metadata: Metadata;
  try {
    // The header alone: sharp's own pixel limit is off here so that the check below can say how big.
    metadata = await sharp(bytes, { limitInputPixels: false, failOn: 'none' }).metadata();
  } catch (error) {
    throw refuse(classifyDecodeError(error), {});
  }
  const { width, height } = metadata;
  if (!width || !height || metadata.format !== sniffed.format) throw refuse('CORRUPT');
  const upright = metadata.autoOrient ?? { width, height };
  const details = { width: upright.width, height: upright.height };
  if (width * height > limits.maxPixels) throw refuse('TOO_MANY_PIXELS', { ...details, maxPixels: limits.maxPixels });
  if (Math.min(width, height) < limits.minSide) throw refuse('TOO_SMALL', { ...details, minSide: limits.minSide });
  return { format: sniffed.format, ...details };
}

/**
 * The header check plus a full decode at a tiny size, so that a file cut off after its header (which the
 * header alone cannot tell) is refused when it is sent, not when its job's turn comes. sharp decodes on
 * libuv's thread pool, and shrink-on-load keeps a large JPEG cheap, so the event loop stays free.
 */
export async function verifyImage(bytes: Uint8Array, options: DecodeOptions = {}): Promise<ImageHeader> {
  const limits = { ...DEFAULT_DECODE_LIMITS, ...options.limits };
  const header = await probeImage(bytes, options);
  try {
    await sharp(bytes, { limitInputPixels: limits.maxPixels, failOn: 'truncated', pages: 1, page: 0 })
      .resize(32, 32, { fit: 'fill' })
      .raw()
      .toBuffer();
  } catch (error) {
    throw new ImageInputError(classifyDecodeError(error), {}, options.subject, { cause: error });
  }
  return header;
}

/**
 * Decodes a user's picture into the engine's RGB layout: the header is checked first (probeImage), then
 * one sharp pass applies EXIF orientation, takes the first frame of an animation, flattens alpha onto
 * white, converts grayscale, CMYK and 16-bit to 8-bit sRGB and, when asked, resizes — so the full-size
 * pixels never exist as floats.
 */
export async function decodeImage(bytes: Uint8Array, options: DecodeOptions = {}): Promise<DecodedImage> {
  const limits = { ...DEFAULT_DECODE_LIMITS, ...options.limits };
  const source = await probeImage(bytes, options);
  const target: Size =
    options.longSide === undefined ? source : fitLongSide(source, options.longSide, limits.minSide, options.subject);

  let pipeline = sharp(bytes, { limitInputPixels: limits.maxPixels, failOn: 'truncated', pages: 1, page: 0 })
    .autoOrient()
    // White, not black: a transparent logo or sticker is drawn on white in every chat client.
    .flatten({ background: '#ffffff' });
  if (target.width !== source.width || target.height !== source.height) {
    pipeline = pipeline.resize(target.width, target.height, { fit: 'fill', kernel: 'lanczos3' });
  }
  try {
    const { data, info } = await pipeline.toColourspace('srgb').removeAlpha().raw({ depth: 'uchar' }).toBuffer({
      resolveWithObject: true,
    });
    if (info.channels !== 3) throw new Error(`expected 3 channels after conversion, got ${info.channels}`);
    return { image: fromInterleavedRgb(data, info.width, info.height), source };
  } catch (error) {
    throw new ImageInputError(classifyDecodeError(error), {}, options.subject, { cause: error });
  }
}

/** libjpeg, libpng, libwebp and giflib each word "the data stopped early" differently. */
const TRUNCATION = /premature end|truncat|not enough (image )?data|unexpected end|end of (file|stream)|read error|short read|incomplete|EOF/i;

function classifyDecodeError(error: unknown): 'TRUNCATED' | 'CORRUPT' {
  return TRUNCATION.test(error instanceof Error ? error.message : String(error)) ? 'TRUNCATED' : 'CORRUPT';
}
