import { attr, type GraphBuilder } from '../onnx/graph-builder.js';
import type { NetworkLayer, Pooling } from './network.js';
import { preprocessBias, preprocessKernel } from './preprocess.js';

/** What the backward pass needs to remember of each layer of the forward pass. */
export interface ForwardRecord {
  readonly layer: NetworkLayer;
  /** the tensor the layer read */
  readonly input: string;
  /** conv: the pre-activation output (where losses attach); pool: the pooled output */
  readonly output: string;
  /** conv: the ReLU output, absent for the last layer (nothing reads it) */
  readonly activation?: string;
}

export interface ForwardPass {
  /** the image input (RGB, [0, 1]) */
  readonly image: string;
  /** the preprocessed image (BGR, 0-255, mean removed) */
  readonly preprocessed: string;
  readonly records: readonly ForwardRecord[];
}

const SAME_3X3 = { kernel_shape: attr.ints([3, 3]), pads: attr.ints([1, 1, 1, 1]) };
const POOL_2X2 = { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]) };

export function buildForward(g: GraphBuilder, image: string, layers: readonly NetworkLayer[], pooling: Pooling): ForwardPass {
  const preprocessed = g.op('Conv', [image, g.constFloat(preprocessKernel(), [3, 3, 1, 1]), g.constFloat(preprocessBias(), [3])], {
    kernel_shape: attr.ints([1, 1]),
  });
  const records: ForwardRecord[] = [];
  let current = preprocessed;
  layers.forEach((layer, index) => {
    if (layer.kind === 'pool') {
      const output = g.op(pooling === 'avg' ? 'AveragePool' : 'MaxPool', [current], POOL_2X2);
      records.push({ layer, input: current, output });
      current = output;
      return;
    }
    const kernelName = g.constFloat(layer.kernel, [layer.outChannels, layer.inChannels, 3, 3], `${layer.name}_W`);
    const biasName = g.constFloat(layer.bias, [layer.outChannels], `${layer.name}_b`);
    const output = g.op('Conv', [current, kernelName, biasName], SAME_3X3);
    const isLast = index === layers.length - 1;
    const activation = isLast ? undefined : g.op('Relu', [output]);
    records.push({ layer, input: current, output, ...(activation ? { activation } : {}) });
    if (activation) current = activation;
  });
  return { image, preprocessed, records };
}

export { SAME_3X3, POOL_2X2 };
