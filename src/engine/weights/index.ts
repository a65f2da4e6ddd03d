// The weights module's public surface: find, fetch, read, generate and write VGG19 convolution weights.
export { downloadFile, type DownloadOptions, type DownloadProgress } from './download.js';
export { generateVggWeights } from './generate.js';
export { listWeightLayers, loadVggWeights } from './hdf5.js';
export { defaultCacheDir, resolveWeightsFile, VGG19_WEIGHTS, WEIGHTS_ENV, type ResolveWeightsOptions } from './resolve.js';
export type { ConvWeights } from './types.js';
export { writeVggWeightsHdf5, type KerasNaming, type WriteWeightsOptions } from './write-hdf5.js';
