// How Keras names and lays out VGG19's convolutions in its HDF5 weight files.

/** Keras' group for a convolution: conv3_2 -> block3_conv2. */
export function kerasGroupName(conv: string): string {
  const match = /^conv(\d+)_(\d+)$/.exec(conv);
  if (!match) throw new RangeError(`not a VGG convolution name: ${conv}`);
  return `block${match[1]}_conv${match[2]}`;
}

/** The convolution a file group holds, or undefined for pools, inputs and anything else. */
export function convNameOfGroup(group: string): string | undefined {
  const keras = /^block(\d+)_conv(\d+)$/.exec(group);
  if (keras) return `conv${keras[1]}_${keras[2]}`;
  return /^conv\d+_\d+$/.test(group) ? group : undefined;
}

// Keras 1/2 legacy files name datasets `<layer>_W_1:0` / `<layer>_b_1:0`; later Keras 2 saves nest
// `<layer>/<layer>/kernel:0` / `bias:0`. Matching on the last path segment covers both.
export function isKernelDataset(name: string): boolean {
  return /(^|_)W(_\d+)?(:\d+)?$/.test(name) || /^kernel(:\d+)?$/.test(name);
}

export function isBiasDataset(name: string): boolean {
  return /(^|_)b(_\d+)?(:\d+)?$/.test(name) || /^bias(:\d+)?$/.test(name);
}

/** Keras stores [3, 3, in, out] (HWIO); ONNX Conv wants [out, in, 3, 3] (OIHW). */
export function hwioToOihw(hwio: ArrayLike<number>, inChannels: number, outChannels: number): Float32Array {
  const oihw = new Float32Array(outChannels * inChannels * 9);
  let src = 0;
  // Walk the source in storage order so the (possibly 9 MB) read stays sequential.
  for (let hw = 0; hw < 9; hw++) {
    for (let i = 0; i < inChannels; i++) {
      const base = i * 9 + hw;
      for (let o = 0; o < outChannels; o++) oihw[o * inChannels * 9 + base] = hwio[src++]!;
    }
  }
  return oihw;
}

export function oihwToHwio(oihw: Float32Array, inChannels: number, outChannels: number): Float32Array {
  const hwio = new Float32Array(oihw.length);
  let dst = 0;
  for (let hw = 0; hw < 9; hw++) {
    for (let i = 0; i < inChannels; i++) {
      const base = i * 9 + hw;
      for (let o = 0; o < outChannels; o++) hwio[dst++] = oihw[o * inChannels * 9 + base]!;
    }
  }
  return hwio;
}
