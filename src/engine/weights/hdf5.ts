import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { EngineError, isEngineError } from '../errors.js';
import type { ConvSpec } from '../vgg19.js';
import { closeQuietly, hdf5Reason, loadH5, type H5, type H5Dataset, type H5File, type H5Group } from './h5.js';
import { convNameOfGroup, hwioToOihw, isBiasDataset, isKernelDataset, kerasGroupName } from './keras-layout.js';
import type { ConvWeights } from './types.js';

/**
 * Reads the requested convolutions from a Keras VGG19 "notop" HDF5 file (or any file holding at least
 * those layers), transposing Keras' HWIO kernels to OIHW. One layer is in flight at a time, so loading
 * the full 80 MB file costs the weights plus one layer's raw copy, not two copies of everything.
 */
export async function loadVggWeights(file: string, layers: readonly ConvSpec[]): Promise<Map<string, ConvWeights>> {
  return withWeightsFile(file, (lib, root, path) => {
    const weights = new Map<string, ConvWeights>();
    for (const spec of layers) weights.set(spec.name, readConv(lib, root, spec, path));
    return weights;
  });
}

/** The convolutions (conv1_1 ...) a weights file holds, in network order. */
export async function listWeightLayers(file: string): Promise<string[]> {
  return withWeightsFile(file, (lib, root) => convGroups(lib, root).map((g) => g.conv));
}

async function withWeightsFile<T>(file: string, read: (lib: H5, root: H5Group, path: string) => T): Promise<T> {
  const path = resolve(file);
  await assertFile(path);
  const lib = await loadH5();
  let h5: H5File;
  try {
    h5 = new lib.File(path, 'r');
  } catch (error) {
    throw new EngineError('WEIGHTS_INVALID', `Cannot open weights file ${path} as HDF5: ${hdf5Reason(error)}.`, {
      cause: error,
    });
  }
  try {
    return read(lib, weightsRoot(lib, h5), path);
  } catch (error) {
    if (isEngineError(error)) throw error;
    throw new EngineError('WEIGHTS_INVALID', `Weights file ${path} is damaged: ${hdf5Reason(error)}.`, { cause: error });
  } finally {
    closeQuietly(h5);
  }
}

async function assertFile(path: string): Promise<void> {
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new EngineError('WEIGHTS_INVALID', `Weights path ${path} is not a file.`);
  } catch (error) {
    if (isEngineError(error)) throw error;
    throw new EngineError('WEIGHTS_NOT_FOUND', `Weights file ${path} does not exist or cannot be read.`, { cause: error });
  }
}

/** `model.save()` files keep the layers under /model_weights; `save_weights()` files at the root. */
function weightsRoot(lib: H5, h5: H5File): H5Group {
  const nested = h5.get('model_weights');
  return nested instanceof lib.Group ? nested : h5;
}

interface ConvGroup {
  readonly conv: string;
  readonly group: H5Group;
}

function convGroups(lib: H5, root: H5Group): ConvGroup[] {
  const found: Array<ConvGroup & { order: [number, number] }> = [];
  for (const key of root.keys()) {
    const conv = convNameOfGroup(key);
    const group = conv === undefined ? null : root.get(key);
    if (conv === undefined || !(group instanceof lib.Group) || datasetsUnder(lib, group).length === 0) continue;
    const [block, index] = conv.slice(4).split('_').map(Number);
    found.push({ conv, group, order: [block!, index!] });
  }
  return found.sort((a, b) => a.order[0] - b.order[0] || a.order[1] - b.order[1]);
}

function datasetsUnder(lib: H5, group: H5Group): Array<{ name: string; dataset: H5Dataset }> {
  const out: Array<{ name: string; dataset: H5Dataset }> = [];
  for (const name of group.keys()) {
    const entity = group.get(name);
    if (entity instanceof lib.Dataset) out.push({ name, dataset: entity });
    else if (entity instanceof lib.Group) out.push(...datasetsUnder(lib, entity));
  }
  return out;
}

function readConv(lib: H5, root: H5Group, spec: ConvSpec, path: string): ConvWeights {
  const group = [kerasGroupName(spec.name), spec.name].map((n) => root.get(n)).find((g) => g instanceof lib.Group);
  if (!(group instanceof lib.Group)) {
    const present = convGroups(lib, root).map((g) => g.conv);
    throw new EngineError(
      'WEIGHTS_INVALID',
      `Weights file ${path} has no layer ${spec.name} (Keras group ${kerasGroupName(spec.name)}); ` +
        `it holds ${present.length ? present.join(', ') : 'no convolution layers'}.`,
    );
  }
  const datasets = datasetsUnder(lib, group);
  const pick = (role: 'kernel' | 'bias', test: (name: string) => boolean): H5Dataset => {
    const hit = datasets.find((d) => test(d.name));
    if (!hit) {
      const names = datasets.map((d) => d.name).join(', ') || 'nothing';
      throw new EngineError('WEIGHTS_INVALID', `Layer ${spec.name} in ${path} has no ${role} dataset (found ${names}).`);
    }
    return hit.dataset;
  };
  const kernel = pick('kernel', isKernelDataset);
  const bias = pick('bias', isBiasDataset);
  const { inChannels, outChannels } = spec;
  checkShape(spec.name, 'kernel', kernel, [3, 3, inChannels, outChannels], path);
  checkShape(spec.name, 'bias', bias, [outChannels], path);
  return {
    kernel: hwioToOihw(floats(spec.name, 'kernel', kernel, path), inChannels, outChannels),
    bias: toFloat32(floats(spec.name, 'bias', bias, path)),
    inChannels,
    outChannels,
  };
}

// Checked before reading so that a wrong file fails without copying megabytes out of it.
function checkShape(layer: string, role: string, dataset: H5Dataset, expected: number[], path: string): void {
  const actual = dataset.shape ?? [];
  if (actual.length !== expected.length || actual.some((n, i) => n !== expected[i])) {
    throw new EngineError(
      'WEIGHTS_INVALID',
      `Layer ${layer} in ${path}: ${role} has shape [${actual.join(', ')}], expected [${expected.join(', ')}]` +
        (role === 'kernel' ? ' (Keras HWIO: height, width, in, out).' : '.'),
    );
  }
}

function floats(layer: string, role: string, dataset: H5Dataset, path: string): Float32Array | Float64Array {
  const value = dataset.value;
  if (!(value instanceof Float32Array || value instanceof Float64Array)) {
    throw new EngineError('WEIGHTS_INVALID', `Layer ${layer} in ${path}: ${role} is ${String(dataset.dtype)}, not floating point.`);
  }
  // HDF5 checksums only its metadata: damaged data reads back fine, and one NaN would poison every run.
  const bad = firstNonFinite(value);
  if (bad >= 0) {
    throw new EngineError('WEIGHTS_INVALID', `Layer ${layer} in ${path}: ${role} value ${bad} is ${value[bad]}; the file is damaged.`);
  }
  return value;
}

// h5wasm hands back a fresh array per read, so a float32 one can be kept as it is.
function toFloat32(values: Float32Array | Float64Array): Float32Array {
  return values instanceof Float32Array ? values : Float32Array.from(values);
}

// A plain loop: a callback per element costs seconds over the full file's 20 million values.
function firstNonFinite(values: Float32Array | Float64Array): number {
  for (let k = 0; k < values.length; k++) {
    // v - v is NaN exactly for NaN and ±Infinity
    if (values[k]! - values[k]! !== 0) return k;
  }
  return -1;
}
