import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { closeQuietly, loadH5 } from './h5.js';
import { kerasGroupName, oihwToHwio } from './keras-layout.js';
import type { ConvWeights } from './types.js';

/**
 * - 'legacy': `block1_conv1/block1_conv1_W_1:0` and `_b_1:0`, as in the upstream notop file
 * - 'nested': `block1_conv1/block1_conv1/kernel:0` and `bias:0`, as later Keras 2 versions save
 */
export type KerasNaming = 'legacy' | 'nested';

export interface WriteWeightsOptions {
  readonly naming?: KerasNaming;
}

/**
 * Writes convolutions in the Keras VGG19 HDF5 layout (HWIO kernels), for fixtures and for benchmarks of
 * layers the real file lacks. Shapes come from each entry's in/out channels, so a deliberately wrong
 * shape is written as given. Overwrites `file`.
 */
export async function writeVggWeightsHdf5(
  file: string,
  weights: ReadonlyMap<string, ConvWeights>,
  options: WriteWeightsOptions = {},
): Promise<void> {
  const naming = options.naming ?? 'legacy';
  const path = resolve(file);
  await mkdir(dirname(path), { recursive: true });
  const lib = await loadH5();
  const h5 = new lib.File(path, 'w');
  try {
    const groups = [...weights.keys()].map(kerasGroupName);
    h5.create_attribute('layer_names', groups);
    h5.create_attribute('backend', 'tensorflow');
    for (const [name, w] of weights) {
      const { inChannels, outChannels } = w;
      if (w.kernel.length !== outChannels * inChannels * 9 || w.bias.length !== outChannels) {
        throw new RangeError(`weights for ${name} do not match their ${outChannels}x${inChannels} channels`);
      }
      const layer = kerasGroupName(name);
      const [kernelName, biasName] =
        naming === 'legacy' ? [`${layer}_W_1:0`, `${layer}_b_1:0`] : [`${layer}/kernel:0`, `${layer}/bias:0`];
      const group = h5.create_group(layer);
      group.create_attribute('weight_names', [kernelName, biasName]);
      const holder = naming === 'legacy' ? group : group.create_group(layer);
      const leaf = (n: string): string => n.slice(n.lastIndexOf('/') + 1);
      holder.create_dataset({
        name: leaf(kernelName),
        data: oihwToHwio(w.kernel, inChannels, outChannels),
        shape: [3, 3, inChannels, outChannels],
        dtype: '<f',
      });
      holder.create_dataset({ name: leaf(biasName), data: w.bias, shape: [outChannels], dtype: '<f' });
    }
  } catch (error) {
    closeQuietly(h5);
    throw error;
  }
  // Outside the catch: a failing close here means the file was not flushed, which the caller must hear.
  h5.close();
}
