// The engine's public surface. Everything outside src/engine imports from here, nothing deeper.
export type { LossTerms, ProgressEvent, StepRecord, StyleImage, StylizeRequest, StylizeResult } from './api.js';
export { Engine, type EngineConfig, type ProviderChoice } from './engine.js';
export { planRun, type IgnoredScale, type PlanOptions, type RunPlan, type Size } from './plan.js';
export { tileSizeFor } from './tiles/policy.js';
export {
  DEFAULT_MAX_OPTIMIZER_BYTES,
  estimateMemoryBytes,
  memoryBreakdown,
  optimizerBytes,
  type MemoryBreakdown,
  type MemoryOptions,
} from './memory.js';
export { START_NOISE } from './init.js';
export { EngineError, isEngineError, type EngineErrorCode } from './errors.js';
export { createImage, fromInterleavedRgb, MIN_IMAGE_SIDE, toInterleavedRgb, type RgbImage } from './image.js';
export { LAYER_PRESETS, parseLayerSpec, type LayerSelection } from './layers.js';
export { ENGINE_DEFAULTS, engineOptionsSchema, type EngineOptions, type EngineOptionsInput } from './options.js';
export {
  defaultCacheDir,
  downloadFile,
  resolveWeightsFile,
  VGG19_WEIGHTS,
  WEIGHTS_ENV,
  type DownloadProgress,
  type ResolveWeightsOptions,
} from './weights/index.js';
