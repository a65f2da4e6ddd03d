import type { RgbImage } from './image.js';
import { IO, type ModelSpec } from './model/models.js';
import type { OrtModel, TensorData } from './runtime/ort-session.js';

/** What the loss compares against: content feature maps and (blended) style Gram matrices, by layer. */
export interface Targets {
  readonly content: ReadonlyMap<string, TensorData>;
  readonly grams: ReadonlyMap<string, TensorData>;
}

export function imageTensor(image: RgbImage): TensorData {
  return { data: image.data, dims: [1, 3, image.height, image.width] };
}

/** Content features of the content image (only content layers are read). */
export async function contentTargets(model: OrtModel, spec: ModelSpec, content: RgbImage): Promise<Map<string, TensorData>> {
  const names = spec.selection.content.map(IO.contentFeatures);
  if (names.length === 0) return new Map();
  const out = await model.run({ [IO.image]: imageTensor(content) }, names);
  return new Map(spec.selection.content.map((layer) => [layer, copy(out[IO.contentFeatures(layer)]!)]));
}

/** A picture's Gram matrix per style layer, however it is computed (whole or tile by tile). */
export type GramsOf = (image: RgbImage) => Promise<ReadonlyMap<string, TensorData>>;

/** The Gram matrices of one picture from the whole-image targets model. */
export async function wholeImageGrams(model: OrtModel, spec: ModelSpec, image: RgbImage): Promise<Map<string, TensorData>> {
  const layers = spec.selection.style.map((s) => s.layer);
  if (layers.length === 0) return new Map();
  const out = await model.run({ [IO.image]: imageTensor(image) }, layers.map(IO.gram));
  return new Map(layers.map((layer) => [layer, out[IO.gram(layer)]!]));
}

/**
 * Gram targets of several style images blended by weight (normalised to sum 1): matching the blend of the
 * Grams mixes the styles' textures, as in jcjohnson/neural-style's style_blend_weights.
 */
export async function blendedGramTargets(
  model: OrtModel,
  spec: ModelSpec,
  styles: ReadonlyArray<{ image: RgbImage; weight: number }>,
): Promise<Map<string, TensorData>> {
  return blendGrams(styles, (image) => wholeImageGrams(model, spec, image));
}

/** The blend of the styles' Gram matrices, each picture's from `gramsOf`. */
export async function blendGrams(styles: ReadonlyArray<{ image: RgbImage; weight: number }>, gramsOf: GramsOf): Promise<Map<string, TensorData>> {
  const blended = new Map<string, TensorData>();
  const sum = styles.reduce((s, x) => s + x.weight, 0);
  for (const { image, weight } of styles) {
    for (const [layer, gram] of await gramsOf(image)) {
      let acc = blended.get(layer);
      if (!acc) {
        acc = { data: new Float32Array(gram.data.length), dims: gram.dims };
        blended.set(layer, acc);
      }
      const w = weight / sum;
      for (let i = 0; i < gram.data.length; i++) acc.data[i]! += w * gram.data[i]!;
    }
  }
  return blended;
}

// ONNX Runtime may reuse output buffers across runs; targets outlive the run that made them.
function copy(t: TensorData): TensorData {
  return { data: Float32Array.from(t.data), dims: [...t.dims] };
}
