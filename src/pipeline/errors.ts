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
