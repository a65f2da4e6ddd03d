import type { StylizeRequest, StylizeResult } from './api.js';
import { EngineError } from './errors.js';

export type ProviderChoice = 'auto' | 'cpu' | 'cuda';

export interface EngineConfig {
  /** a Keras "notop" VGG19 HDF5 file holding at least the layers a run uses (see weights/resolve.ts) */
  readonly weightsFile: string;
  /** 'auto' takes CUDA when ONNX Runtime's CUDA provider is installed and a GPU answers, else the CPU */
  readonly provider?: ProviderChoice;
  /** intra-op threads for the CPU provider; default: every core */
  readonly threads?: number;
}

/**
 * A loaded style-transfer engine: weights in memory, compiled ONNX models cached per layer set.
 * Create with `Engine.create`, run `stylize` as often as wanted (one run at a time), then `release`.
 */
export class Engine {
  private constructor(readonly config: EngineConfig) {}

  static async create(config: EngineConfig): Promise<Engine> {
    return new Engine(config);
  }

  async stylize(_request: StylizeRequest): Promise<StylizeResult> {
    throw new EngineError('RUNTIME_FAILED', 'not implemented yet');
  }

  async release(): Promise<void> {}
}
