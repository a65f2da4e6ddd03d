import { attr, type GraphBuilder } from '../onnx/graph-builder.js';
import type { ForwardPass } from './forward.js';
import { SAME_3X3 } from './forward.js';
import { backwardKernel, type ConvLayer, type Pooling } from './network.js';
import { preprocessKernel } from './preprocess.js';

/**
 * Reverse-mode differentiation of the forward pass, written out layer by layer. `lossGradients` maps a conv
 * layer name to the gradients that its losses put on that layer's pre-activation output. Returns
 * d(total)/d(image).
 */
export function buildBackward(
  g: GraphBuilder,
  forward: ForwardPass,
  pooling: Pooling,
  lossGradients: ReadonlyMap<string, readonly string[]>,
): string {
  const { records } = forward;
  let upstream: string | undefined; // gradient with respect to the current record's output (after ReLU for convs)
  for (let i = records.length - 1; i >= 0; i--) {
    const record = records[i]!;
    const { layer } = record;
    if (layer.kind === 'pool') {
      if (!upstream) throw new Error(`internal: no gradient reaches ${layer.name}`);
      const level = records.slice(0, i).filter((r) => r.layer.kind === 'pool').length;
      upstream = poolBackward(g, pooling, upstream, record.input, record.output, oddEdges(g, forward.image, level));
      continue;
    }
    const terms: string[] = [];
    if (upstream) {
      if (!record.activation) throw new Error(`internal: ${layer.name} has a gradient from above but no activation`);
      // ReLU passes the gradient where its input was positive. A float mask, Cast(z > 0), and a Mul ran
      // 2-5% faster per step than Where(z > 0, g, 0) (whose scalar broadcast is slow: 1.2 ms on a
      // 64 x 128 x 128 map against 0.3 ms for the Mul), and Where ran 5% faster than multiplying by Sign(relu(z)).
      const mask = g.op('Cast', [g.op('Greater', [record.output, g.scalar(0)])], { to: attr.int(1) });
      terms.push(g.op('Mul', [upstream, mask]));
    }
    terms.push(...(lossGradients.get(layer.name) ?? []));
    if (terms.length === 0) throw new Error(`internal: no gradient reaches ${layer.name}`);
    const gradZ = terms.reduce((a, b) => g.op('Add', [a, b]));
    // Average-pool backward spreads each gradient over 4 pixels with weight 1/4; folding the 1/4 into this
    // kernel saves a full pass over the largest maps.
    if (i === 0) return imageGradient(g, layer, gradZ);
    const belowIsAvgPool = pooling === 'avg' && records[i - 1]?.layer.kind === 'pool';
    const kernel = g.constFloat(backwardKernel(layer, belowIsAvgPool ? 0.25 : 1), [layer.inChannels, layer.outChannels, 3, 3]);
    upstream = g.op('Conv', [gradZ, kernel], SAME_3X3);
  }
  throw new Error('internal: the network does not start with a convolution');
}

/**
 * d(total)/d(image) from the first convolution's output gradient, through the convolution and the
 * preprocessing (x 255, RGB -> BGR) at once: a ConvTranspose with the forward kernel, its input channels
 * swapped and scaled. As a Conv its 3 output channels were padded to 16 by ONNX Runtime's blocked layout,
 * 1.4 ms of a 52 ms step at 128 px.
 */
function imageGradient(g: GraphBuilder, layer: ConvLayer, gradZ: string): string {
  const { inChannels: cin, outChannels: cout, kernel } = layer;
  const pre = preprocessKernel();
  const folded = new Float32Array(kernel.length);
  // ConvTranspose's weight is [C of its input (= cout), C of its output (= cin), 3, 3], the forward kernel's layout.
  for (let o = 0; o < cout; o++) {
    for (let c = 0; c < cin; c++) {
      for (let k = 0; k < 9; k++) {
        let v = 0;
        for (let b = 0; b < cin; b++) v += kernel[(o * cin + b) * 9 + k]! * pre[b * cin + c]!;
        folded[(o * cin + c) * 9 + k] = v;
      }
    }
  }
  return g.op('ConvTranspose', [gradZ, g.constFloat(folded, [cout, cin, 3, 3])], SAME_3X3);
}

/**
 * Pooling backward for 2x2, stride 2, floor mode. Nearest upsampling (asymmetric, floor) copies each
 * gradient to its window; odd sizes lost their last row or column in the forward pass, so the gradient is
 * zero-padded back to the input's shape. Average: the 1/4 is already in the kernel above (see caller).
 * Max: only the window's maximum gets the gradient (ties, which need equal positive floats, share it).
 */
function poolBackward(g: GraphBuilder, pooling: Pooling, upstream: string, input: string, output: string, missing: string): string {
  const upsample = (t: string) =>
    g.op('Resize', [t, '', g.constFloat(Float32Array.of(1, 1, 2, 2), [4])], {
      mode: attr.string('nearest'),
      coordinate_transformation_mode: attr.string('asymmetric'),
      nearest_mode: attr.string('floor'),
    });
  const up = upsample(upstream);
  const pads = g.op('Concat', [g.constInt64([0, 0, 0, 0]), missing], { axis: attr.int(0) });
  const spread = g.op('Pad', [up, pads]);
  if (pooling === 'avg') return spread;
  const winners = g.op('Equal', [input, g.op('Pad', [upsample(output), pads])]);
  return g.op('Where', [winners, spread, g.scalar(0)]);
}

/**
 * [0, 0, H_k mod 2, W_k mod 2] for the map at pooling level k (H_k = floor(H / 2^k)): the row and column that
 * the 2x2 pool below it dropped. Taken from the image input's shape, not from the maps': ONNX Runtime keeps
 * the maps in its blocked layout and converted a whole map back only so that a Shape could read it (0.3 ms
 * of a 47 ms step at 128 px).
 */
function oddEdges(g: GraphBuilder, image: string, level: number): string {
  const sides = g.op('Div', [g.op('Shape', [image]), g.constInt64([1, 1, 2 ** level, 2 ** level])]);
  return g.op('Mod', [sides, g.constInt64([1, 1, 2, 2])]);
}
