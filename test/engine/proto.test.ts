import { describe, expect, it } from 'vitest';
import { attr, GraphBuilder } from '../../src/engine/onnx/graph-builder.js';
import { decodeModel } from '../../src/engine/onnx/proto.js';
import { OrtModel } from '../../src/engine/runtime/ort-session.js';

/** A graph with initializers of several sizes (empty, 576 bytes, 2.4 MB: lengths of 1, 2 and 4 bytes on the wire). */
function sampleGraph(): { bytes: Uint8Array; weights: Float32Array[] } {
  const g = new GraphBuilder('sample');
  const x = g.input('x', [1, 4, 'height', 'width']);
  const weights = [Float32Array.from({ length: 4 * 4 * 9 }, (_, i) => (i % 7) - 3), Float32Array.from({ length: 600_000 }, (_, i) => i / 600_000)];
  const conv = g.op('Conv', [x, g.constFloat(weights[0]!, [4, 4, 3, 3])], { kernel_shape: attr.ints([3, 3]), pads: attr.ints([1, 1, 1, 1]) });
  const big = g.op('ReduceSum', [g.constFloat(weights[1]!, [600_000])], { keepdims: attr.int(0) });
  const empty = g.constFloat(new Float32Array(0), [0]);
  const withEmpty = g.op('Concat', [g.op('Reshape', [big, g.constInt64([1])]), empty], { axis: attr.int(0) });
  g.output(g.op('Mul', [conv, g.op('ReduceSum', [withEmpty], { keepdims: attr.int(0) })]), 'y');
  return { bytes: g.encode(), weights };
}

describe('ONNX encoding', () => {
  it('writes every initializer whole and once, with the graph that protobuf reads back', () => {
    const { bytes, weights } = sampleGraph();
    const model = decodeModel(bytes);
    expect(model.graph.node.map((n) => n.opType)).toEqual(['Conv', 'ReduceSum', 'Reshape', 'Concat', 'ReduceSum', 'Mul', 'Identity']);
    const floats = model.graph.initializer.filter((t) => t.dataType === 1);
    expect(floats.map((t) => t.dims)).toEqual([[4, 4, 3, 3], [600_000], [0]]);
    for (const [i, w] of weights.entries()) {
      expect(Buffer.compare(Buffer.from(floats[i]!.rawData), Buffer.from(w.buffer, w.byteOffset, w.byteLength))).toBe(0);
    }
    expect(floats[2]!.rawData?.length ?? 0).toBe(0);
    // nothing but the weights and a little structure: no second copy of any
    const rawBytes = weights.reduce((s, w) => s + w.byteLength, 0);
    expect(bytes.length).toBeGreaterThan(rawBytes);
    expect(bytes.length).toBeLessThan(rawBytes + 2_000);
  });

  it('gives ONNX Runtime a model it runs', async () => {
    const { bytes, weights } = sampleGraph();
    const model = await OrtModel.create(bytes, { provider: 'cpu', threads: 1 });
    try {
      const x = Float32Array.from({ length: 4 * 5 * 6 }, (_, i) => (i % 5) / 5);
      const out = await model.run({ x: { data: x, dims: [1, 4, 5, 6] } });
      const sum = weights[1]!.reduce((s, v) => s + v, 0);
      // one output pixel by hand: channel 0 at (2, 3), all 3 x 3 neighbours inside the map
      let conv = 0;
      for (let c = 0; c < 4; c++) for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) conv += weights[0]![(0 * 4 + c) * 9 + i * 3 + j]! * x[c * 30 + (1 + i) * 6 + (2 + j)]!;
      expect(Math.abs(out.y!.data[2 * 6 + 3]! / (conv * sum) - 1)).toBeLessThan(1e-5);
    } finally {
      await model.release();
    }
  });
});
