import protobuf from 'protobufjs/light.js';

/**
 * The subset of onnx.proto (field numbers as in onnx/onnx.proto3) that the graph builder writes.
 * protobufjs does the wire encoding; only the schema is declared here, so no generated code is checked in.
 */
const ONNX_SUBSET = {
  nested: {
    onnx: {
      nested: {
        ModelProto: {
          fields: {
            irVersion: { type: 'int64', id: 1 },
            producerName: { type: 'string', id: 2 },
            producerVersion: { type: 'string', id: 3 },
            graph: { type: 'GraphProto', id: 7 },
            opsetImport: { rule: 'repeated', type: 'OperatorSetIdProto', id: 8 },
          },
        },
        OperatorSetIdProto: {
          fields: { domain: { type: 'string', id: 1 }, version: { type: 'int64', id: 2 } },
        },
        GraphProto: {
          fields: {
            node: { rule: 'repeated', type: 'NodeProto', id: 1 },
            name: { type: 'string', id: 2 },
            initializer: { rule: 'repeated', type: 'TensorProto', id: 5 },
            input: { rule: 'repeated', type: 'ValueInfoProto', id: 11 },
            output: { rule: 'repeated', type: 'ValueInfoProto', id: 12 },
          },
        },
        NodeProto: {
          fields: {
            input: { rule: 'repeated', type: 'string', id: 1 },
            output: { rule: 'repeated', type: 'string', id: 2 },
            name: { type: 'string', id: 3 },
            opType: { type: 'string', id: 4 },
            attribute: { rule: 'repeated', type: 'AttributeProto', id: 5 },
            domain: { type: 'string', id: 7 },
          },
        },
        AttributeProto: {
          fields: {
            name: { type: 'string', id: 1 },
            f: { type: 'float', id: 2 },
            i: { type: 'int64', id: 3 },
            s: { type: 'bytes', id: 4 },
            t: { type: 'TensorProto', id: 5 },
            floats: { rule: 'repeated', type: 'float', id: 7 },
            ints: { rule: 'repeated', type: 'int64', id: 8 },
            type: { type: 'int32', id: 20 },
          },
        },
        TensorProto: {
          fields: {
            dims: { rule: 'repeated', type: 'int64', id: 1 },
            dataType: { type: 'int32', id: 2 },
            name: { type: 'string', id: 8 },
            rawData: { type: 'bytes', id: 9 },
          },
        },
        ValueInfoProto: {
          fields: { name: { type: 'string', id: 1 }, type: { type: 'TypeProto', id: 2 } },
        },
        TypeProto: {
          fields: { tensorType: { type: 'TensorTypeProto', id: 1 } },
        },
        TensorTypeProto: {
          fields: { elemType: { type: 'int32', id: 1 }, shape: { type: 'TensorShapeProto', id: 2 } },
        },
        TensorShapeProto: {
          fields: { dim: { rule: 'repeated', type: 'Dimension', id: 1 } },
        },
        Dimension: {
          oneofs: { value: { oneof: ['dimValue', 'dimParam'] } },
          fields: { dimValue: { type: 'int64', id: 1 }, dimParam: { type: 'string', id: 2 } },
        },
      },
    },
  },
};

const root = protobuf.Root.fromJSON(ONNX_SUBSET);
const ModelProto = root.lookupType('onnx.ModelProto');

/** ONNX TensorProto.DataType values used here */
export const DataType = { FLOAT: 1, INT64: 7, BOOL: 9 } as const;
/** ONNX AttributeProto.AttributeType values used here */
export const AttributeType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7 } as const;

export interface TensorMessage {
  name: string;
  dims: number[];
  dataType: number;
  rawData: Uint8Array;
}

export interface AttributeMessage {
  name: string;
  type: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  t?: TensorMessage;
  floats?: number[];
  ints?: number[];
}

export interface NodeMessage {
  name: string;
  opType: string;
  input: string[];
  output: string[];
  attribute: AttributeMessage[];
}

export interface ValueInfoMessage {
  name: string;
  type: { tensorType: { elemType: number; shape?: { dim: Array<{ dimValue?: number; dimParam?: string }> } } };
}

export interface ModelMessage {
  irVersion: number;
  producerName: string;
  producerVersion: string;
  opsetImport: Array<{ domain: string; version: number }>;
  graph: {
    name: string;
    node: NodeMessage[];
    initializer: TensorMessage[];
    input: ValueInfoMessage[];
    output: ValueInfoMessage[];
  };
}

/**
 * The model's wire bytes, with every initializer's raw data copied once, straight into the result.
 * protobufjs writes into a buffer that it doubles as it grows and then copies out: for the weights of a
 * deep layer set (50-100 MB a model) that held 2.4 times the model in transient buffers, at the moment
 * compiling peaks. So protobufjs encodes only the small parts (the graph without initializers, each
 * tensor's header) and the raw data is appended as its own field: protobuf parsers accept fields in any
 * order and concatenate repeated ones in the order they appear, so the message is the same.
 */
export function encodeModel(model: ModelMessage): Uint8Array {
  const error = ModelProto.verify(model);
  if (error) throw new Error(`internal: malformed ONNX model message: ${error}`);
  const { graph, ...rest } = model;
  const head = ModelProto.encode(ModelProto.fromObject(rest)).finish();
  const graphHead = GraphProto.encode(GraphProto.fromObject({ ...graph, initializer: [] })).finish();
  const tensors = graph.initializer.map(({ rawData, ...fields }) => {
    const header = TensorProto.encode(TensorProto.fromObject(fields)).finish();
    const rawKey = fieldKey(RAW_DATA, rawData.length);
    const length = header.length + rawKey.length + rawData.length;
    return { key: fieldKey(INITIALIZER, length), header, rawKey, raw: rawData, length };
  });
  const graphLength = tensors.reduce((sum, t) => sum + t.key.length + t.length, graphHead.length);
  const graphKey = fieldKey(GRAPH, graphLength);
  const out = new Uint8Array(head.length + graphKey.length + graphLength);
  let at = 0;
  for (const bytes of [head, graphKey, graphHead, ...tensors.flatMap((t) => [t.key, t.header, t.rawKey, t.raw])]) {
    out.set(bytes, at);
    at += bytes.length;
  }
  if (at !== out.length) throw new Error(`internal: ONNX model encoded to ${at} bytes, ${out.length} expected`);
  return out;
}

/** Decodes wire bytes back into the message (tests check the encoder with it). */
export function decodeModel(bytes: Uint8Array): ModelMessage {
  return ModelProto.toObject(ModelProto.decode(bytes), { longs: Number }) as ModelMessage;
}

const GraphProto = root.lookupType('onnx.GraphProto');
const TensorProto = root.lookupType('onnx.TensorProto');
/** field numbers (onnx.proto3) of what encodeModel writes itself */
const GRAPH = 7;
const INITIALIZER = 5;
const RAW_DATA = 9;
const LENGTH_DELIMITED = 2;

/** The key and length that start a length-delimited field, in protobufjs's varints. */
function fieldKey(field: number, length: number): Uint8Array {
  return protobuf.Writer.create().uint32((field << 3) | LENGTH_DELIMITED).uint32(length).finish();
}
