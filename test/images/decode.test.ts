import { readdirSync } from 'node:fs';
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { fromInterleavedRgb } from '../../src/engine/index.js';
import { decodeImage, ImageInputError, probeImage, type ImageInputErrorCode } from '../../src/images/index.js';
import { meanAbsDiff, readShared, regionMean, SHARED_IMAGES } from './shared-files.js';

/** Upright sizes from SOURCES.md. */
const TRICKY: Record<string, [number, number]> = {
  'alpha_rgba_chelsea.png': [451, 300],
  'animated_3frames_first_is_chelsea.gif': [320, 240],
  'cmyk_tubingen.jpg': [768, 576],
  'exif_orientation6_tubingen.jpg': [768, 576],
  'extreme_aspect_2000x100_kodim13.jpg': [2000, 100],
  'grayscale_kodim13.jpg': [768, 512],
  'rgb16bit_coffee.png': [300, 200],
  'tiny_16x16_chelsea.jpg': [16, 16],
  'webp_kodim13.webp': [768, 512],
};

const BAD: Record<string, ImageInputErrorCode> = {
  'empty_zero_bytes.jpg': 'EMPTY',
  'truncated_40pct_chelsea.jpg': 'TRUNCATED',
  'text_not_an_image.jpg': 'TEXT',
  'bomb_60000x60000_rgb_header_only.png': 'TOO_MANY_PIXELS',
};

async function refusal(bytes: Uint8Array, options = {}): Promise<ImageInputError> {
  const error = await decodeImage(bytes, options).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ImageInputError);
  return error as ImageInputError;
}

async function rawRgb(path: string, width: number, height: number) {
  const { data } = await sharp(readShared(path)).resize(width, height, { fit: 'fill' }).toColourspace('srgb').removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return fromInterleavedRgb(data, width, height);
}

function pngChunk(type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A CRC-valid PNG whose IHDR claims width x height RGB8 but whose IDAT holds a single scanline. */
function headerOnlyPng(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(Buffer.alloc(1 + width * 3))),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

describe('decodeImage on the tricky files', () => {
  it('covers every file in tricky/', () => {
    expect(readdirSync(`${SHARED_IMAGES}tricky`).sort()).toEqual(Object.keys(TRICKY).sort());
  });

  for (const [file, [width, height]] of Object.entries(TRICKY)) {
    it(`decodes ${file} to upright ${width}x${height} RGB in [0, 1]`, async () => {
      const { image, source } = await decodeImage(readShared(`tricky/${file}`));
      expect([image.width, image.height]).toEqual([width, height]);
      expect([source.width, source.height]).toEqual([width, height]);
      expect(image.data.length).toBe(3 * width * height);
      expect(image.data.every((v) => v >= 0 && v <= 1)).toBe(true);
    });
  }

  it('applies EXIF orientation 6: the result matches the upright original', async () => {
    const rotated = (await decodeImage(readShared('tricky/exif_orientation6_tubingen.jpg'))).image;
    const upright = (await decodeImage(readShared('content/tubingen_neckarfront.jpg'))).image;
    expect(meanAbsDiff(rotated, upright)).toBeLessThan(0.02);
  });

  it('converts CMYK to sRGB close to the RGB original', async () => {
    const cmyk = (await decodeImage(readShared('tricky/cmyk_tubingen.jpg'))).image;
    const rgb = (await decodeImage(readShared('content/tubingen_neckarfront.jpg'))).image;
    // Measured 0.058: ImageMagick's profile-less CMYK and sharp's CMYK profile disagree a little on colour.
    expect(meanAbsDiff(cmyk, rgb)).toBeLessThan(0.1);
  });

  it('flattens transparency onto white', async () => {
    const { image } = await decodeImage(readShared('tricky/alpha_rgba_chelsea.png'));
    for (let c = 0; c < 3; c++) expect(regionMean(image, c, 0, 0, 60, 60)).toBeGreaterThan(0.99);
    // The opaque right edge keeps the photo, which is nowhere near white.
    expect(regionMean(image, 0, 431, 0, 451, 300)).toBeLessThan(0.9);
  });

  it('turns grayscale into three equal channels', async () => {
    const { image } = await decodeImage(readShared('tricky/grayscale_kodim13.jpg'));
    const plane = image.width * image.height;
    for (let i = 0; i < plane; i += 97) {
      expect(image.data[plane + i]).toBe(image.data[i]);
      expect(image.data[2 * plane + i]).toBe(image.data[i]);
    }
  });

  it('reads 16-bit PNG at full range, not clipped or darkened', async () => {
    const sixteen = (await decodeImage(readShared('tricky/rgb16bit_coffee.png'))).image;
    const eight = await rawRgb('content/coffee_cup.jpg', 300, 200);
    expect(meanAbsDiff(sixteen, eight)).toBeLessThan(0.02);
  });

  it('takes the first frame of an animated GIF (the cat)', async () => {
    const frame = (await decodeImage(readShared('tricky/animated_3frames_first_is_chelsea.gif'))).image;
    const cat = meanAbsDiff(frame, await rawRgb('content/chelsea_cat.jpg', 320, 240));
    const coffee = meanAbsDiff(frame, await rawRgb('content/coffee_cup.jpg', 320, 240));
    expect(cat).toBeLessThan(0.03);
    expect(coffee).toBeGreaterThan(0.1);
  });

  it('decodes lossy WebP to the same picture as the JPEG of it', async () => {
    const webp = (await decodeImage(readShared('tricky/webp_kodim13.webp'))).image;
    const gray = (await decodeImage(readShared('tricky/grayscale_kodim13.jpg'))).image;
    const plane = webp.width * webp.height;
    let sum = 0;
    for (let i = 0; i < plane; i++) {
      const y = 0.299 * webp.data[i]! + 0.587 * webp.data[plane + i]! + 0.114 * webp.data[2 * plane + i]!;
      sum += Math.abs(y - gray.data[i]!);
    }
    expect(sum / plane).toBeLessThan(0.03);
  });

  it('resizes in the same pass: long side to the working size, aspect kept', async () => {
    const { image, source } = await decodeImage(readShared('tricky/exif_orientation6_tubingen.jpg'), { longSide: 64 });
    expect([image.width, image.height]).toEqual([64, 48]);
    expect([source.width, source.height]).toEqual([768, 576]);
  });

  it('keeps a 20:1 strip at least 16 px high', async () => {
    const { image } = await decodeImage(readShared('tricky/extreme_aspect_2000x100_kodim13.jpg'), { longSide: 256 });
    expect([image.width, image.height]).toEqual([320, 16]);
  });

  it('enlarges the 16x16 picture to the working size', async () => {
    const { image } = await decodeImage(readShared('tricky/tiny_16x16_chelsea.jpg'), { longSide: 32 });
    expect([image.width, image.height]).toEqual([32, 32]);
  });
});

describe('decodeImage refuses bad input quickly, with a specific reason', () => {
  it('covers every file in bad/', () => {
    expect(readdirSync(`${SHARED_IMAGES}bad`).sort()).toEqual(Object.keys(BAD).sort());
  });

  for (const [file, code] of Object.entries(BAD)) {
    it(`refuses ${file} as ${code} within 2 s`, async () => {
      const started = performance.now();
      const error = await refusal(readShared(`bad/${file}`));
      expect(performance.now() - started).toBeLessThan(2000);
      expect(error.code).toBe(code);
      expect(error.message).not.toContain('\n');
      expect(error.message).toMatch(/: .+\.$/);
    });
  }

  it('says how big the bomb claims to be, without decoding it', async () => {
    const error = await refusal(readShared('bad/bomb_60000x60000_rgb_header_only.png'));
    expect(error.message).toContain('60000x60000');
    expect(error.details).toMatchObject({ width: 60000, height: 60000, maxPixels: 40_000_000 });
  });

  it('refuses a header-only PNG of plausible size as TRUNCATED within 2 s', async () => {
    const started = performance.now();
    const error = await refusal(headerOnlyPng(3000, 3000));
    expect(performance.now() - started).toBeLessThan(2000);
    expect(error.code).toBe('TRUNCATED');
  });

  it.each([
    ['<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>', 'SVG_OR_XML'],
    ['\ufeff  <?xml version="1.0"?><svg/>', 'SVG_OR_XML'],
    ['<!DOCTYPE html><html></html>', 'SVG_OR_XML'],
    ['Just some words, in a file called photo.png\n', 'TEXT'],
  ] as const)('refuses %j as %s', async (text, code) => {
    expect((await refusal(Buffer.from(text, 'utf8'))).code).toBe(code);
  });

  it('names known but unsupported formats', async () => {
    const tiff = await refusal(Buffer.from([0x49, 0x49, 0x2a, 0x00, 8, 0, 0, 0, 0, 0]));
    expect(tiff.code).toBe('UNSUPPORTED_FORMAT');
    expect(tiff.message).toContain('TIFF');
    const heic = await refusal(Buffer.from('\u0000\u0000\u0000\u0018ftypheic\u0000\u0000\u0000\u0000', 'latin1'));
    expect(heic.code).toBe('UNSUPPORTED_FORMAT');
    expect(heic.message).toContain('HEIC');
  });

  it('refuses random bytes as UNKNOWN_FORMAT', async () => {
    const bytes = Uint8Array.from({ length: 200 }, (_, i) => (i * 151 + 7) % 256);
    expect((await refusal(bytes)).code).toBe('UNKNOWN_FORMAT');
  });

  it('checks the byte limit before anything else', async () => {
    const error = await refusal(readShared('content/chelsea_cat.jpg'), { limits: { maxBytes: 10_000 } });
    expect(error.code).toBe('TOO_LARGE_BYTES');
    expect(error.message).toContain('is 34 KB, over the 10 KB limit');
  });

  it('checks the pixel limit and the minimum side from the header', async () => {
    expect((await refusal(readShared('content/chelsea_cat.jpg'), { limits: { maxPixels: 100_000 } })).code).toBe('TOO_MANY_PIXELS');
    const thin = await sharp({ create: { width: 40, height: 15, channels: 3, background: '#808080' } }).png().toBuffer();
    const error = await refusal(thin);
    expect(error.code).toBe('TOO_SMALL');
    expect(error.message).toContain('40x15');
  });

  it('names the picture in the message', async () => {
    const error = await refusal(Buffer.alloc(0), { subject: 'Style image 2' });
    expect(error.message).toBe('Style image 2 is an empty file: attach the picture again.');
  });

  it('probeImage reads the upright size from the header alone', async () => {
    expect(await probeImage(readShared('tricky/exif_orientation6_tubingen.jpg'))).toEqual({ format: 'jpeg', width: 768, height: 576 });
  });
});
