import type { RgbImage } from '../engine/index.js';

/** NTSC YIQ from linear-in-code-value RGB: Y is luminance, I and Q carry the colour. */
const RGB_TO_YIQ = [
  [0.299, 0.587, 0.114],
  [0.595716, -0.274453, -0.321263],
  [0.211456, -0.522591, 0.311135],
] as const;

/** The exact inverse, so that a picture with its own luminance comes back unchanged. */
const YIQ_TO_RGB = invert3(RGB_TO_YIQ);

/**
 * Colour preservation by luminance transfer (Gatys et al. 2016, "Controlling Perceptual Factors in
 * Neural Style Transfer", section 5.1): the result keeps the stylised picture's luminance (Y) and takes
 * the content picture's chrominance (I, Q), so the brush strokes stay and the colours are the photo's.
 * Both pictures must have the same size. Values are clamped to [0, 1] because a bright Y with a
 * saturated IQ can leave the RGB cube.
 */
export function preserveColors(stylised: RgbImage, content: RgbImage): RgbImage {
  if (stylised.width !== content.width || stylised.height !== content.height) {
    throw new RangeError(
      `preserveColors needs equal sizes, got ${stylised.width}x${stylised.height} and ${content.width}x${content.height}`,
    );
  }
  const plane = stylised.width * stylised.height;
  const s = stylised.data;
  const c = content.data;
  const out = new Float32Array(3 * plane);
  const [ry, ri, rq] = RGB_TO_YIQ;
  const [mr, mg, mb] = YIQ_TO_RGB;
  for (let p = 0; p < plane; p++) {
    const sr = s[p]!, sg = s[plane + p]!, sb = s[2 * plane + p]!;
    const cr = c[p]!, cg = c[plane + p]!, cb = c[2 * plane + p]!;
    const y = ry[0] * sr + ry[1] * sg + ry[2] * sb;
    const i = ri[0] * cr + ri[1] * cg + ri[2] * cb;
    const q = rq[0] * cr + rq[1] * cg + rq[2] * cb;
    out[p] = clamp01(mr[0] * y + mr[1] * i + mr[2] * q);
    out[plane + p] = clamp01(mg[0] * y + mg[1] * i + mg[2] * q);
    out[2 * plane + p] = clamp01(mb[0] * y + mb[1] * i + mb[2] * q);
  }
  return { width: stylised.width, height: stylised.height, data: out };
}

/** Luminance (the Y of YIQ) of every pixel: exported for tests and for anyone matching histograms. */
export function luminance(image: RgbImage): Float32Array {
  const plane = image.width * image.height;
  const d = image.data;
  const out = new Float32Array(plane);
  const [ry] = RGB_TO_YIQ;
  for (let p = 0; p < plane; p++) out[p] = ry[0] * d[p]! + ry[1] * d[plane + p]! + ry[2] * d[2 * plane + p]!;
  return out;
}

const clamp01 = (v: number) => (v < 0 ? 0 : v > 1 ? 1 : v);

type Matrix3 = readonly [readonly [number, number, number], readonly [number, number, number], readonly [number, number, number]];

function invert3(m: Matrix3): Matrix3 {
  const [[a, b, c], [d, e, f], [g, h, i]] = m;
  const A = e * i - f * h, B = -(d * i - f * g), C = d * h - e * g;
  const det = a * A + b * B + c * C;
  return [
    [A / det, -(b * i - c * h) / det, (b * f - c * e) / det],
    [B / det, (a * i - c * g) / det, -(a * f - c * d) / det],
    [C / det, -(a * h - b * g) / det, (a * e - b * d) / det],
  ];
}
