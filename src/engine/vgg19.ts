/** VGG19's convolution part as the ImageNet weights define it: 16 3x3 convolutions in five blocks. */
export interface ConvSpec {
  readonly kind: 'conv';
  /** `conv{block}_{index}`, the name used in layer specs and weight files */
  readonly name: string;
  /** 1-based position among the convolutions: the reference chapter's layer numbers */
  readonly number: number;
  readonly inChannels: number;
  readonly outChannels: number;
}

export interface PoolSpec {
  readonly kind: 'pool';
  readonly name: string;
}

export type LayerSpec = ConvSpec | PoolSpec;

const BLOCKS: ReadonlyArray<{ convs: number; channels: number }> = [
  { convs: 2, channels: 64 },
  { convs: 2, channels: 128 },
  { convs: 4, channels: 256 },
  { convs: 4, channels: 512 },
  { convs: 4, channels: 512 },
];

function buildVgg19(): LayerSpec[] {
  const layers: LayerSpec[] = [];
  let inChannels = 3;
  let number = 0;
  BLOCKS.forEach(({ convs, channels }, b) => {
    for (let i = 1; i <= convs; i++) {
      number++;
      layers.push({ kind: 'conv', name: `conv${b + 1}_${i}`, number, inChannels, outChannels: channels });
      inChannels = channels;
    }
    layers.push({ kind: 'pool', name: `pool${b + 1}` });
  });
  return layers;
}

/** All layers in order, pools included. */
export const VGG19_LAYERS: readonly LayerSpec[] = buildVgg19();

export const VGG19_CONVS: readonly ConvSpec[] = VGG19_LAYERS.filter((l): l is ConvSpec => l.kind === 'conv');

export function convByName(name: string): ConvSpec | undefined {
  return VGG19_CONVS.find((c) => c.name === name);
}

export function convByNumber(number: number): ConvSpec | undefined {
  return VGG19_CONVS[number - 1];
}

/**
 * The network up to and including the named convolution: later layers cannot influence any loss, so
 * building them would only cost time.
 */
export function vgg19Until(lastConv: string): LayerSpec[] {
  const end = VGG19_LAYERS.findIndex((l) => l.name === lastConv);
  if (end < 0) throw new RangeError(`unknown VGG19 layer ${lastConv}`);
  return VGG19_LAYERS.slice(0, end + 1);
}
