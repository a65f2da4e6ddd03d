import type { LayerSelection } from '../layers.js';
import { GraphBuilder } from '../onnx/graph-builder.js';
import { buildBackward } from './backward.js';
import { buildForward } from './forward.js';
import { contentLoss, gram, styleLoss, totalVariation } from './losses.js';
import type { ConvLayer, NetworkLayer, Pooling } from './network.js';

/** Graph input and output names shared by the model builders and the runtime. */
export const IO = {
  image: 'image',
  styleWeight: 'style_weight',
  contentWeight: 'content_weight',
  tvWeight: 'tv_weight',
  /** per style layer multiplier: an input, not a constant, so `conv1_1:0.5` and `conv1_1:0.51` share a session */
  styleLayerWeight: (layer: string) => `style_layer_weight:${layer}`,
  contentTarget: (layer: string) => `content_target:${layer}`,
  gramTarget: (layer: string) => `gram_target:${layer}`,
  contentFeatures: (layer: string) => `content:${layer}`,
  gram: (layer: string) => `gram:${layer}`,
  total: 'total',
  style: 'style',
  content: 'content',
  tv: 'tv',
  gradient: 'gradient',
} as const;

export interface ModelSpec {
  /** the network; layers after the deepest selected one are dropped (they cannot change any loss) */
  readonly layers: readonly NetworkLayer[];
  readonly selection: LayerSelection;
  readonly pooling: Pooling;
}

export function usedNetwork(spec: ModelSpec): NetworkLayer[] {
  const used = new Set([...spec.selection.style.map((s) => s.layer), ...spec.selection.content]);
  let last = -1;
  spec.layers.forEach((layer, i) => {
    if (used.has(layer.name)) last = i;
  });
  if (last < 0) throw new Error('internal: the layer selection uses no layer of the network');
  return spec.layers.slice(0, last + 1);
}

function convLayer(spec: ModelSpec, name: string): ConvLayer {
  const layer = spec.layers.find((l): l is ConvLayer => l.kind === 'conv' && l.name === name);
  if (!layer) throw new Error(`internal: layer ${name} is not in the network`);
  return layer;
}

function recordOf(forward: ReturnType<typeof buildForward>, name: string): string {
  const record = forward.records.find((r) => r.layer.name === name);
  if (!record) throw new Error(`internal: layer ${name} is not in the forward pass`);
  return record.output;
}

/**
 * Forward only: the content layers' feature maps and the style layers' Gram matrices of one image.
 * Runs once per content or style image per scale, to make the targets.
 */
export function buildTargetsModel(spec: ModelSpec): Uint8Array {
  const g = new GraphBuilder('stylebot_targets');
  const image = g.input(IO.image, [1, 3, 'height', 'width']);
  const forward = buildForward(g, image, usedNetwork(spec), spec.pooling);
  for (const layer of spec.selection.content) {
    g.output(recordOf(forward, layer), IO.contentFeatures(layer));
  }
  for (const { layer } of spec.selection.style) {
    const channels = convLayer(spec, layer).outChannels;
    g.output(gram(g, recordOf(forward, layer), channels).gram, IO.gram(layer), [channels, channels]);
  }
  return g.encode();
}

/**
 * One step's worth of work: the loss terms and d(total)/d(image), for any image size.
 * total = style_weight * sum_l(w_l * styleMSE_l) (w_l fed as style_layer_weight:<layer>) + content_weight * sum(contentMSE) + tv_weight * TV.
 * The outputs `style`, `content` and `tv` are the weighted terms, so they add up to `total`.
 */
export function buildLossGradModel(spec: ModelSpec): Uint8Array {
  const g = new GraphBuilder('stylebot_loss_grad');
  const image = g.input(IO.image, [1, 3, 'height', 'width']);
  const styleWeight = g.input(IO.styleWeight, []);
  const contentWeight = g.input(IO.contentWeight, []);
  const tvWeight = g.input(IO.tvWeight, []);
  const forward = buildForward(g, image, usedNetwork(spec), spec.pooling);

  const gradients = new Map<string, string[]>();
  const addGradient = (layer: string, gradient: string) => gradients.set(layer, [...(gradients.get(layer) ?? []), gradient]);

  const contentValues: string[] = [];
  for (const layer of spec.selection.content) {
    const channels = convLayer(spec, layer).outChannels;
    const target = g.input(IO.contentTarget(layer), [1, channels, `${layer}_h`, `${layer}_w`]);
    const piece = contentLoss(g, recordOf(forward, layer), target, contentWeight);
    contentValues.push(piece.value);
    addGradient(layer, piece.gradient);
  }
  const styleValues: string[] = [];
  for (const { layer } of spec.selection.style) {
    const channels = convLayer(spec, layer).outChannels;
    const target = g.input(IO.gramTarget(layer), [channels, channels]);
    const weight = g.input(IO.styleLayerWeight(layer), []);
    const piece = styleLoss(g, recordOf(forward, layer), channels, target, g.op('Mul', [styleWeight, weight]));
    styleValues.push(g.op('Mul', [piece.value, weight]));
    addGradient(layer, piece.gradient);
  }
  const tv = totalVariation(g, image, tvWeight);

  const sum = (values: string[]) => (values.length === 0 ? g.scalar(0) : values.reduce((a, b) => g.op('Add', [a, b])));
  const styleTerm = g.op('Mul', [styleWeight, sum(styleValues)]);
  const contentTerm = g.op('Mul', [contentWeight, sum(contentValues)]);
  const tvTerm = g.op('Mul', [tvWeight, tv.value]);
  g.output(g.op('Add', [g.op('Add', [styleTerm, contentTerm]), tvTerm]), IO.total, []);
  g.output(styleTerm, IO.style, []);
  g.output(contentTerm, IO.content, []);
  g.output(tvTerm, IO.tv, []);

  const fromNetwork = buildBackward(g, forward, spec.pooling, gradients);
  g.output(g.op('Add', [fromNetwork, tv.gradient]), IO.gradient, [1, 3, 'height', 'width']);
  return g.encode();
}
