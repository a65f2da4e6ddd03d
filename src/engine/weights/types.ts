/** One convolution's weights as the engine consumes them, whatever file they came from. */
export interface ConvWeights {
  /** OIHW: [outChannels, inChannels, 3, 3], row-major, the layout ONNX Conv expects */
  readonly kernel: Float32Array;
  /** [outChannels] */
  readonly bias: Float32Array;
  readonly inChannels: number;
  readonly outChannels: number;
}
