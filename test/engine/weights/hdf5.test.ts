import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import h5wasm from 'h5wasm/node';
import { describe, expect, it } from 'vitest';
import { isEngineError } from '../../../src/engine/errors.js';
import { convByName, VGG19_CONVS, type ConvSpec } from '../../../src/engine/vgg19.js';
import { generateVggWeights } from '../../../src/engine/weights/generate.js';
import { listWeightLayers, loadVggWeights } from '../../../src/engine/weights/hdf5.js';
import { writeVggWeightsHdf5 } from '../../../src/engine/weights/write-hdf5.js';
import { REAL_WEIGHTS, useTempDirs } from './fixtures.js';

const BLOCKS_1_TO_3 = VGG19_CONVS.slice(0, 8);
const conv = (name: string): ConvSpec => convByName(name)!;

/** Bitwise equality; vitest's deep toEqual takes seconds on a million-element array. */
function sameFloats(a: Float32Array, b: Float32Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  return error as Error;
}

/** Reads a dataset straight through h5wasm, bypassing the loader, as the reference for the layout. */
async function rawDataset(file: string, path: string): Promise<{ shape: number[]; data: Float32Array }> {
  await h5wasm.ready;
  const h5 = new h5wasm.File(file, 'r');
  try {
    const dataset = h5.get(path) as InstanceType<typeof h5wasm.Dataset>;
    return { shape: dataset.shape!, data: dataset.value as Float32Array };
  } finally {
    h5.close();
  }
}

describe('loadVggWeights on the real pretrained file', () => {
  it('reads conv1_1 ... conv3_4 with OIHW shapes and finite, non-trivial values', async () => {
    const weights = await loadVggWeights(REAL_WEIGHTS, BLOCKS_1_TO_3);
    expect([...weights.keys()]).toEqual(BLOCKS_1_TO_3.map((c) => c.name));
    for (const spec of BLOCKS_1_TO_3) {
      const w = weights.get(spec.name)!;
      expect([w.inChannels, w.outChannels]).toEqual([spec.inChannels, spec.outChannels]);
      expect(w.kernel).toBeInstanceOf(Float32Array);
      expect(w.kernel.length).toBe(spec.outChannels * spec.inChannels * 9);
      expect(w.bias.length).toBe(spec.outChannels);
      expect(w.kernel.every(Number.isFinite) && w.bias.every(Number.isFinite)).toBe(true);
      expect(w.kernel.some((v) => v !== 0)).toBe(true);
    }
  });

  it('transposes HWIO to OIHW: kernel[o][i][h][w] equals the raw dataset at [h][w][i][o]', async () => {
    const [w] = (await loadVggWeights(REAL_WEIGHTS, [conv('conv2_1')])).values();
    const raw = await rawDataset(REAL_WEIGHTS, 'block2_conv1/block2_conv1_W_1:0');
    const bias = await rawDataset(REAL_WEIGHTS, 'block2_conv1/block2_conv1_b_1:0');
    const [cin, cout] = [64, 128];
    expect(raw.shape).toEqual([3, 3, cin, cout]);
    // Asymmetric indices in every axis, so any swapped pair of axes lands on a different element.
    for (const [o, i, h, x] of [
      [0, 0, 0, 0],
      [5, 17, 0, 2],
      [127, 63, 2, 1],
      [77, 3, 1, 0],
    ] as const) {
      const loaded = w!.kernel[((o * cin + i) * 3 + h) * 3 + x];
      const expected = raw.data[((h * 3 + x) * cin + i) * cout + o];
      expect(loaded).toBe(expected);
    }
    expect(sameFloats(w!.bias, bias.data)).toBe(true);
  });

  it('lists the convolutions the file holds, in network order', async () => {
    expect(await listWeightLayers(REAL_WEIGHTS)).toEqual(BLOCKS_1_TO_3.map((c) => c.name));
  });

  it('rejects a layer the file lacks, naming it, the file and what the file has', async () => {
    const error = await rejection(loadVggWeights(REAL_WEIGHTS, [conv('conv1_1'), conv('conv4_1')]));
    expect(isEngineError(error, 'WEIGHTS_INVALID')).toBe(true);
    expect(error.message).toContain('conv4_1');
    expect(error.message).toContain(REAL_WEIGHTS);
    expect(error.message).toContain('conv1_1, conv1_2, conv2_1, conv2_2, conv3_1, conv3_2, conv3_3, conv3_4');
  });
});

describe('loadVggWeights on bad files', () => {
  const tempDir = useTempDirs();

  it('reports a missing file as WEIGHTS_NOT_FOUND with its path', async () => {
    const missing = join(await tempDir(), 'nope.h5');
    const error = await rejection(loadVggWeights(missing, [conv('conv1_1')]));
    expect(isEngineError(error, 'WEIGHTS_NOT_FOUND')).toBe(true);
    expect(error.message).toContain(missing);
  });

  it('reports random bytes as WEIGHTS_INVALID naming the file', async () => {
    const file = join(await tempDir(), 'random.h5');
    await writeFile(file, randomBytes(64 * 1024));
    const error = await rejection(listWeightLayers(file));
    expect(isEngineError(error, 'WEIGHTS_INVALID')).toBe(true);
    expect(error.message).toContain(file);
  });

  it('reports a real header followed by garbage as WEIGHTS_INVALID naming the file', async () => {
    const file = join(await tempDir(), 'corrupt.h5');
    const real = await readFile(REAL_WEIGHTS);
    await writeFile(file, Buffer.concat([real.subarray(0, 4096), randomBytes(real.length - 4096)]));
    const error = await rejection(loadVggWeights(file, [conv('conv1_1')]));
    expect(isEngineError(error, 'WEIGHTS_INVALID')).toBe(true);
    expect(error.message).toContain(file);
  });

  it('reports a truncated real file as WEIGHTS_INVALID', async () => {
    const file = join(await tempDir(), 'truncated.h5');
    await writeFile(file, (await readFile(REAL_WEIGHTS)).subarray(0, 4096));
    const error = await rejection(loadVggWeights(file, [conv('conv1_1')]));
    expect(isEngineError(error, 'WEIGHTS_INVALID')).toBe(true);
    expect(error.message).toContain(file);
  });

  it('reports a wrong shape naming the layer, the expected and the actual shape', async () => {
    const file = join(await tempDir(), 'wrong-shape.h5');
    const good = generateVggWeights([conv('conv1_1')]);
    const bad = generateVggWeights([{ ...conv('conv1_2'), outChannels: 32 }]);
    await writeVggWeightsHdf5(file, new Map([...good, ...bad]));
    await expect(loadVggWeights(file, [conv('conv1_1')])).resolves.toHaveProperty('size', 1);
    const error = await rejection(loadVggWeights(file, [conv('conv1_1'), conv('conv1_2')]));
    expect(isEngineError(error, 'WEIGHTS_INVALID')).toBe(true);
    expect(error.message).toContain('conv1_2');
    expect(error.message).toContain(file);
    expect(error.message).toContain('[3, 3, 64, 64]');
    expect(error.message).toContain('[3, 3, 64, 32]');
  });

  it('reports a non-finite value naming the layer, since HDF5 does not checksum data', async () => {
    const file = join(await tempDir(), 'nan.h5');
    const weights = generateVggWeights([conv('conv1_1'), conv('conv1_2')]);
    weights.get('conv1_2')!.kernel[100] = Number.NaN;
    await writeVggWeightsHdf5(file, weights);
    const error = await rejection(loadVggWeights(file, [conv('conv1_1'), conv('conv1_2')]));
    expect(isEngineError(error, 'WEIGHTS_INVALID')).toBe(true);
    expect(error.message).toContain('conv1_2');
    expect(error.message).toContain('NaN');
  });
});

describe('writeVggWeightsHdf5 + loadVggWeights round trip', () => {
  const tempDir = useTempDirs();

  it.each(['legacy', 'nested'] as const)('gives back the generated weights exactly (%s Keras naming)', async (naming) => {
    const file = join(await tempDir(), `${naming}.h5`);
    const layers = [conv('conv1_1'), conv('conv2_1'), conv('conv4_1')];
    const generated = generateVggWeights(layers, 7);
    await writeVggWeightsHdf5(file, generated, { naming });
    expect(await listWeightLayers(file)).toEqual(['conv1_1', 'conv2_1', 'conv4_1']);
    const loaded = await loadVggWeights(file, layers);
    for (const spec of layers) {
      const [a, b] = [generated.get(spec.name)!, loaded.get(spec.name)!];
      expect(sameFloats(b.kernel, a.kernel)).toBe(true);
      expect(sameFloats(b.bias, a.bias)).toBe(true);
    }
  });

  it('writes in the same HWIO layout as the real file (round trip of the real weights)', async () => {
    const file = join(await tempDir(), 'rewritten.h5');
    const real = await loadVggWeights(REAL_WEIGHTS, [conv('conv1_1')]);
    await writeVggWeightsHdf5(file, real);
    const [original, rewritten] = await Promise.all([
      rawDataset(REAL_WEIGHTS, 'block1_conv1/block1_conv1_W_1:0'),
      rawDataset(file, 'block1_conv1/block1_conv1_W_1:0'),
    ]);
    expect(rewritten.shape).toEqual(original.shape);
    expect(sameFloats(rewritten.data, original.data)).toBe(true);
  });

  it('round-trips a full 16-layer generated file', async () => {
    const file = join(await tempDir(), 'vgg19-generated.h5');
    const generated = generateVggWeights(VGG19_CONVS, 3);
    await writeVggWeightsHdf5(file, generated);
    const loaded = await loadVggWeights(file, VGG19_CONVS);
    expect([...loaded.keys()]).toEqual(VGG19_CONVS.map((c) => c.name));
    for (const spec of [conv('conv1_1'), conv('conv5_4')]) {
      expect(sameFloats(loaded.get(spec.name)!.kernel, generated.get(spec.name)!.kernel)).toBe(true);
    }
  });
});
