import type { StylizeEngine } from '../pipeline/index.js';
import type { ResolveWeightsOptions } from '../engine/index.js';
import type { TerminalStream } from './progress.js';

/** The process around the command line, injected so that tests can run it in-process. */
export interface CliIo {
  readonly stdout: TerminalStream;
  readonly stderr: TerminalStream;
  readonly env: NodeJS.ProcessEnv;
  /** relative paths in arguments start here */
  readonly cwd: string;
  /** fires on Ctrl-C */
  readonly signal?: AbortSignal;
}

/** The pino methods the command line uses; pino's Logger fits. */
export interface CliLogger {
  debug(object: object, message?: string): void;
  info(object: object, message?: string): void;
  error(object: object, message?: string): void;
}

export interface CliEngine extends StylizeEngine {
  release(): Promise<void>;
}

/** What the command line creates or fetches: real implementations in main.ts, fakes in tests. */
export interface CliDeps {
  createEngine(weightsFile: string): Promise<CliEngine>;
  resolveWeights(options: ResolveWeightsOptions): Promise<string>;
  readonly logger: CliLogger;
}
