/** One problem with one option: `key` is the option's name in the schema (adapters render it as a flag or field). */
export interface OptionIssue {
  readonly key: string;
  readonly message: string;
}

/**
 * Options that the schema refuses, or that do not fit the request (a blend with the wrong number of
 * weights). The message is generic; adapters rebuild it from `issues` with their own option names.
 */
export class StylizeOptionsError extends Error {
  override readonly name = 'StylizeOptionsError';
  readonly code = 'OPTIONS_INVALID';
  constructor(readonly issues: readonly OptionIssue[]) {
    super(issues.map((i) => `${i.key}: ${i.message}`).join('; '));
  }
}

export function isStylizeOptionsError(error: unknown): error is StylizeOptionsError {
  return error instanceof StylizeOptionsError;
}

export type PipelineOutput = 'result' | 'gif' | 'plot';

/** An output that cannot be made to fit the upload budget even downsized (a budget of a few kilobytes). */
export class PipelineOutputError extends Error {
  override readonly name = 'PipelineOutputError';
  readonly code = 'OUTPUT_TOO_LARGE';
  constructor(
    readonly output: PipelineOutput,
    readonly maxBytes: number,
    options?: { cause?: unknown },
  ) {
    super(`The ${output} does not fit in ${maxBytes} bytes even downsized.`, options);
  }
}

export function isPipelineOutputError(error: unknown): error is PipelineOutputError {
  return error instanceof PipelineOutputError;
}
