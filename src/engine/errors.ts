/** Every failure the engine can report. Callers branch on `code`; `message` is for people. */
export type EngineErrorCode =
  | 'WEIGHTS_NOT_FOUND' // no weights file where one was expected
  | 'WEIGHTS_INVALID' // unreadable file, missing layer or wrong shape
  | 'WEIGHTS_DOWNLOAD_FAILED' // network error or checksum mismatch while fetching the upstream file
  | 'LAYER_SPEC_INVALID' // a layer specification that cannot be parsed or names unknown layers
  | 'IMAGE_TOO_SMALL' // a side under MIN_IMAGE_SIDE pixels
  | 'IMAGE_INVALID' // wrong buffer length or non-finite pixels
  | 'OPTIONS_INVALID' // option values the engine cannot run with
  | 'MEMORY_LIMIT' // the run would need more memory than the engine allows (the message says what fits)
  | 'CANCELLED' // the caller's AbortSignal fired
  | 'RUNTIME_FAILED'; // ONNX Runtime refused a model or a run

export class EngineError extends Error {
  override readonly name = 'EngineError';
  constructor(
    readonly code: EngineErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isEngineError(error: unknown, code?: EngineErrorCode): error is EngineError {
  return error instanceof EngineError && (code === undefined || error.code === code);
}
