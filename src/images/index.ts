// Pictures in and out: safe decoding, resizing, colour preservation, the progression GIF, the loss curve.
// Pure functions over bytes and RgbImage: no files, no platform, no logging.
export { preserveColors, luminance } from './colour.js';
export { decodeImage, DEFAULT_DECODE_LIMITS, probeImage, verifyImage, type DecodedImage, type DecodeLimits, type DecodeOptions, type ImageHeader } from './decode.js';
export { encodePng } from './encode.js';
export { IMAGE_INPUT_MESSAGES, ImageInputError, isImageInputError, type ImageInputDetails, type ImageInputErrorCode } from './errors.js';
export { fitLongSide, type Size } from './geometry.js';
export { DEFAULT_GIF_MAX_BYTES, encodeProgressGif, evenlySpaced, FrameRecorder, type FrameRecorderOptions, type GifFrame, type GifOptions, type GifResult } from './gif.js';
export { formatLoss, lossPlotSvg, renderLossPlot, type LossPlotOptions } from './plot.js';
export { resampleRgb8 } from './resample.js';
export { sniffFormat, type AcceptedFormat, type Sniffed } from './sniff.js';
