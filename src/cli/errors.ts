import { CommanderError } from 'commander';
import { isEngineError, type EngineErrorCode } from '../engine/index.js';
import { isImageInputError } from '../images/index.js';
import { isStylizeOptionsError } from '../pipeline/index.js';
import { flagFor } from './flags.js';

/** Exit codes: 2 for anything the user can fix by changing the command or the files, 1 for failures, 130 for Ctrl-C. */
export const EXIT = { ok: 0, failure: 1, usage: 2, cancelled: 130 } as const;

/** A problem the command line itself found (a path, a file name), already worded for the user. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: number = EXIT.usage,
  ) {
    super(message);
  }
}

const USER_FIXABLE: ReadonlySet<EngineErrorCode> = new Set([
  'WEIGHTS_NOT_FOUND',
  'WEIGHTS_INVALID',
  'LAYER_SPEC_INVALID',
  'IMAGE_TOO_SMALL',
  'OPTIONS_INVALID',
]);

export interface Failure {
  /** one line: what is wrong and what to do */
  readonly message: string;
  readonly exitCode: number;
  /** a bug or an environment problem rather than bad input: worth the details in the log */
  readonly unexpected: boolean;
}

/** Turns anything thrown into the one line the user sees. Never a stack trace. */
export function describeFailure(error: unknown, helpCommand = 'stylebot --help'): Failure {
  if (error instanceof CliError) return { message: error.message, exitCode: error.exitCode, unexpected: false };
  if (isStylizeOptionsError(error)) {
    // Every problem at once, still on one line: fixing them one run at a time is tedious.
    const message = capitalise(error.issues.map((i) => `option ${flagFor(i.key)}: ${oneLine(i.message).replace(/\.$/, '')}`).join('; ')) + '.';
    return { message: `${message} See ${helpCommand}.`, exitCode: EXIT.usage, unexpected: false };
  }
  if (isImageInputError(error)) return { message: error.message, exitCode: EXIT.usage, unexpected: false };
  if (isEngineError(error)) {
    if (error.code === 'CANCELLED') return { message: 'Cancelled.', exitCode: EXIT.cancelled, unexpected: false };
    let message = oneLine(error.message);
    if (error.code === 'WEIGHTS_INVALID' && / has no layer conv/.test(message)) {
      message +=
        ' These layers need the full VGG19 weights: run `stylebot weights download` and leave out --weights and ' +
        'STYLEBOT_WEIGHTS, or use --layers seed, which this file can serve.';
    }
    return { message, exitCode: USER_FIXABLE.has(error.code) ? EXIT.usage : EXIT.failure, unexpected: error.code === 'RUNTIME_FAILED' };
  }
  if (error instanceof CommanderError) {
    const message = sentence(capitalise(error.message.replace(/^error: /, '')));
    return { message: `${message} See ${helpCommand}.`, exitCode: EXIT.usage, unexpected: false };
  }
  const message = error instanceof Error ? error.message : String(error);
  return {
    message: `Unexpected error: ${oneLine(message)} (run with LOG_LEVEL=debug for details).`,
    exitCode: EXIT.failure,
    unexpected: true,
  };
}

const oneLine = (text: string) => text.replace(/\s*\n\s*/g, ' ').trim();
const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
const sentence = (text: string) => {
  const line = oneLine(text);
  return /[.!?]$/.test(line) ? line : `${line}.`;
};
