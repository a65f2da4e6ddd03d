import { Writable } from 'node:stream';
import type { ResolveWeightsOptions } from '../../src/engine/weights/index.js';
import type { CliDeps, CliIo, CliLogger } from '../../src/cli/io.js';
import { run } from '../../src/cli/run.js';
import { FakeEngine } from '../pipeline/fake-engine.js';

class Capture extends Writable {
  text = '';
  constructor(readonly isTTY = false) {
    super();
  }
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void) {
    this.text += chunk.toString();
    done();
  }
}

export interface Harness {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly engines: FakeEngine[];
  readonly weightRequests: ResolveWeightsOptions[];
  readonly logged: Array<{ level: string; object: object; message?: string }>;
}

export interface HarnessOptions {
  readonly cwd: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly engineError?: Error;
  readonly signal?: AbortSignal;
  /** what resolveWeights does; default: returns the named file or /cache/weights.h5 */
  readonly resolveWeights?: (options: ResolveWeightsOptions) => Promise<string>;
}

/** Runs the command line in-process with a stand-in engine and captured streams. */
export async function runCli(argv: string[], options: HarnessOptions): Promise<Harness> {
  const stdout = new Capture();
  const stderr = new Capture();
  const engines: FakeEngine[] = [];
  const weightRequests: ResolveWeightsOptions[] = [];
  const logged: Harness['logged'] = [];
  const log = (level: string) => (object: object, message?: string) => logged.push({ level, object, message });
  const logger: CliLogger = { debug: log('debug'), info: log('info'), error: log('error') };
  const io: CliIo = { stdout, stderr, env: options.env ?? {}, cwd: options.cwd, signal: options.signal };
  const deps: CliDeps = {
    logger,
    createEngine: async () => {
      const engine = new FakeEngine(options.engineError);
      engines.push(engine);
      return engine;
    },
    resolveWeights: async (request) => {
      weightRequests.push(request);
      return options.resolveWeights ? options.resolveWeights(request) : (request.file ?? '/cache/weights.h5');
    },
  };
  const code = await run(argv, io, deps);
  return { code, stdout: stdout.text, stderr: stderr.text, engines, weightRequests, logged };
}
