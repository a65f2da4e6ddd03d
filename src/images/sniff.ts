/** The containers the decoder accepts; anything else is refused before sharp sees it. */
export type AcceptedFormat = 'jpeg' | 'png' | 'webp' | 'gif';

export type Sniffed =
  | { readonly kind: 'accepted'; readonly format: AcceptedFormat }
  | { readonly kind: 'svg-or-xml' }
  | { readonly kind: 'text' }
  | { readonly kind: 'unsupported'; readonly format: string }
  | { readonly kind: 'unknown' };

const startsWith = (bytes: Uint8Array, prefix: readonly number[], at = 0) =>
  bytes.length >= at + prefix.length && prefix.every((b, i) => bytes[at + i] === b);
const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));

/** ISO-BMFF brands (the `ftyp` box) of image formats people send from phones. */
const FTYP_BRANDS: Record<string, string> = {
  heic: 'HEIC', heix: 'HEIC', hevc: 'HEIC', heim: 'HEIC', heis: 'HEIC', mif1: 'HEIF', msf1: 'HEIF',
  avif: 'AVIF', avis: 'AVIF',
};

const MAGIC: ReadonlyArray<readonly [readonly number[], string]> = [
  [[0x49, 0x49, 0x2a, 0x00], 'TIFF'],
  [[0x4d, 0x4d, 0x00, 0x2a], 'TIFF'],
  [ascii('BM'), 'BMP'],
  [ascii('%PDF'), 'PDF'],
  [[0x00, 0x00, 0x01, 0x00], 'ICO'],
  [[0xff, 0x0a], 'JPEG XL'],
  [[0x00, 0x00, 0x00, 0x0c, 0x4a, 0x58, 0x4c, 0x20], 'JPEG XL'],
  [[0x00, 0x00, 0x00, 0x0c, 0x6a, 0x50, 0x20, 0x20], 'JPEG 2000'],
  [ascii('8BPS'), 'Photoshop (PSD)'],
  [[0x1f, 0x8b], 'gzip-compressed (perhaps SVGZ)'],
  [ascii('PK'), 'a ZIP archive'],
];

/**
 * Identifies a file from its first bytes, never from its name: users rename files freely, and a
 * decoder must not be the first to find out that "photo.jpg" is an SVG full of external references.
 */
export function sniffFormat(bytes: Uint8Array): Sniffed {
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return { kind: 'accepted', format: 'jpeg' };
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return { kind: 'accepted', format: 'png' };
  if (startsWith(bytes, ascii('GIF87a')) || startsWith(bytes, ascii('GIF89a'))) return { kind: 'accepted', format: 'gif' };
  if (startsWith(bytes, ascii('RIFF')) && startsWith(bytes, ascii('WEBP'), 8)) return { kind: 'accepted', format: 'webp' };
  if (startsWith(bytes, ascii('ftyp'), 4)) {
    const brand = String.fromCharCode(...bytes.subarray(8, 12));
    return { kind: 'unsupported', format: FTYP_BRANDS[brand] ?? `an ISO media file ('${brand}')` };
  }
  for (const [magic, format] of MAGIC) if (startsWith(bytes, magic)) return { kind: 'unsupported', format };
  const head = leadingText(bytes);
  if (head !== undefined) return head.trimStart().startsWith('<') ? { kind: 'svg-or-xml' } : { kind: 'text' };
  return { kind: 'unknown' };
}

/**
 * The first kilobyte as text when it reads as UTF-8 (or UTF-16 with a BOM) without control characters
 * other than whitespace; undefined for binary data. A cut in the middle of a multi-byte character at the
 * end of the sample is tolerated.
 */
function leadingText(bytes: Uint8Array): string | undefined {
  let sample = bytes.subarray(0, 1024);
  let encoding: 'utf-8' | 'utf-16le' | 'utf-16be' = 'utf-8';
  if (startsWith(sample, [0xff, 0xfe])) encoding = 'utf-16le';
  else if (startsWith(sample, [0xfe, 0xff])) encoding = 'utf-16be';
  else if (startsWith(sample, [0xef, 0xbb, 0xbf])) sample = sample.subarray(3);
  let text: string;
  try {
    text = new TextDecoder(encoding, { fatal: true, ignoreBOM: false }).decode(sample, { stream: true });
  } catch {
    return undefined;
  }
  // eslint-disable-next-line no-control-regex
  if (text.length === 0 || /[\u0000-\u0008\u000b\u000e-\u001f\u007f]/.test(text)) return undefined;
  return text.replace(/^\ufeff/, '');
}
