import {
  AttributeType,
  DataType,
  encodeModel,
  type AttributeMessage,
  type NodeMessage,
  type TensorMessage,
  type ValueInfoMessage,
} from './proto.js';

/** Opset 17: the last one where ReduceMean takes `axes` as an attribute; ONNX Runtime 1.x runs it everywhere. */
export const OPSET = 17;
const IR_VERSION = 8;

export type Attr =
  | { kind: 'int'; value: number }
  | { kind: 'ints'; value: number[] }
  | { kind: 'float'; value: number }
  | { kind: 'floats'; value: number[] }
  | { kind: 'string'; value: string };

export const attr = {
  int: (value: number): Attr => ({ kind: 'int', value }),
  ints: (value: number[]): Attr => ({ kind: 'ints', value }),
  float: (value: number): Attr => ({ kind: 'float', value }),
  floats: (value: number[]): Attr => ({ kind: 'floats', value }),
  string: (value: string): Attr => ({ kind: 'string', value }),
};

/** A dimension: a fixed size or a symbolic name for sizes known only at run time. */
export type Dim = number | string;

/**
 * Builds one ONNX graph node by node. Tensor names are generated unless given, so the model code reads as
 * the math it computes: `const y = g.op('Relu', [x])`.
 */
export class GraphBuilder {
  private readonly nodes: NodeMessage[] = [];
  private readonly initializers: TensorMessage[] = [];
  private readonly inputs: ValueInfoMessage[] = [];
  private readonly outputs: ValueInfoMessage[] = [];
  private readonly scalarCache = new Map<string, string>();
  private counter = 0;

  constructor(private readonly name: string) {}

  private fresh(prefix: string): string {
    return `${prefix}_${this.counter++}`;
  }

  input(name: string, dims: Dim[]): string {
    this.inputs.push(valueInfo(name, DataType.FLOAT, dims));
    return name;
  }

  /** Marks an existing tensor as a graph output under `name` (an Identity keeps internal names free). */
  output(tensor: string, name: string, dims?: Dim[]): void {
    this.nodes.push(node(this.fresh('out'), 'Identity', [tensor], [name], {}));
    this.outputs.push(valueInfo(name, DataType.FLOAT, dims));
  }

  constFloat(data: Float32Array, dims: number[], name?: string): string {
    const tensorName = name ?? this.fresh('const');
    // A view, not a copy: the weights of a deep layer set are tens of megabytes, and the encoder copies
    // them into the model once anyway. Callers must not change `data` before `encode`.
    this.initializers.push({
      name: tensorName,
      dims,
      dataType: DataType.FLOAT,
      rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    });
    return tensorName;
  }

  constInt64(values: number[], dims: number[] = [values.length]): string {
    const data = BigInt64Array.from(values.map((v) => BigInt(v)));
    const tensorName = this.fresh('ints');
    this.initializers.push({
      name: tensorName,
      dims,
      dataType: DataType.INT64,
      rawData: new Uint8Array(data.buffer),
    });
    return tensorName;
  }

  /** A float scalar constant, shared between uses. */
  scalar(value: number): string {
    const key = String(value);
    let name = this.scalarCache.get(key);
    if (!name) {
      name = this.constFloat(Float32Array.of(value), []);
      this.scalarCache.set(key, name);
    }
    return name;
  }

  op(opType: string, inputs: string[], attrs: Record<string, Attr> = {}): string {
    const [out] = this.opMulti(opType, inputs, 1, attrs);
    return out!;
  }

  opMulti(opType: string, inputs: string[], outputs: number, attrs: Record<string, Attr> = {}): string[] {
    const names = Array.from({ length: outputs }, () => this.fresh(opType.toLowerCase()));
    this.nodes.push(node(this.fresh(opType), opType, inputs, names, attrs));
    return names;
  }

  /**
   * The number of elements of a tensor as a float scalar (for means over dynamically sized maps). The
   * product of its Shape, not Size: the WebGPU provider has no Size, and ONNX Runtime copied each whole
   * feature map to the host for the CPU's Size to count it, every step. Shape it runs itself, from the
   * tensor's metadata.
   */
  elementCount(tensor: string): string {
    const product = this.op('ReduceProd', [this.op('Shape', [tensor])], { keepdims: attr.int(0) });
    return this.op('Cast', [product], { to: attr.int(DataType.FLOAT) });
  }

  encode(): Uint8Array {
    return encodeModel({
      irVersion: IR_VERSION,
      producerName: 'stylebot',
      producerVersion: '1',
      opsetImport: [{ domain: '', version: OPSET }],
      graph: {
        name: this.name,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
    });
  }
}

function valueInfo(name: string, elemType: number, dims?: Dim[]): ValueInfoMessage {
  const tensorType: ValueInfoMessage['type']['tensorType'] = { elemType };
  if (dims) {
    tensorType.shape = { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) };
  }
  return { name, type: { tensorType } };
}

function node(name: string, opType: string, input: string[], output: string[], attrs: Record<string, Attr>): NodeMessage {
  return { name, opType, input, output, attribute: Object.entries(attrs).map(([key, a]) => attribute(key, a)) };
}

function attribute(name: string, a: Attr): AttributeMessage {
  switch (a.kind) {
    case 'int':
      return { name, type: AttributeType.INT, i: a.value };
    case 'ints':
      return { name, type: AttributeType.INTS, ints: a.value };
    case 'float':
      return { name, type: AttributeType.FLOAT, f: a.value };
    case 'floats':
      return { name, type: AttributeType.FLOATS, floats: a.value };
    case 'string':
      return { name, type: AttributeType.STRING, s: new TextEncoder().encode(a.value) };
  }
}
