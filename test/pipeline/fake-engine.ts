import { createImage, EngineError, engineOptionsSchema, type StepRecord, type StylizeRequest, type StylizeResult } from '../../src/engine/index.js';
import { seededRandom } from '../../src/engine/random.js';
import type { StylizeEngine } from '../../src/pipeline/index.js';

/**
 * Stands in for the ONNX engine: runs the requested number of "steps" instantly, each one moving a grey
 * picture a little, with the engine's progress contract (frame at step 0, every frameEvery, and the last).
 */
export class FakeEngine implements StylizeEngine {
  readonly requests: StylizeRequest[] = [];
  released = false;

  /** `noisy`: the result is seeded noise instead of grey, so that it does not compress to nothing */
  constructor(
    private readonly fail?: Error,
    private readonly noisy = false,
  ) {}

  async stylize(request: StylizeRequest): Promise<StylizeResult> {
    this.requests.push(request);
    if (this.fail) throw this.fail;
    const options = engineOptionsSchema.parse(request.options ?? {});
    const { width, height } = request.content;
    const history: StepRecord[] = [];
    const random = seededRandom(1);
    const picture = (step: number) =>
      createImage(
        width,
        height,
        this.noisy ? Float32Array.from({ length: 3 * width * height }, random) : new Float32Array(3 * width * height).fill(0.2 + (0.6 * step) / options.steps),
      );
    for (let step = 0; step <= options.steps; step++) {
      if (request.signal?.aborted) throw new EngineError('CANCELLED', 'The style transfer was cancelled.');
      const losses = { style: 1000 / (step + 1), content: step === 0 ? 0 : 10 + step, tv: 0, total: 0 };
      const record = { step, scale: 0, ...losses, total: losses.style + losses.content };
      history.push(record);
      const isFrame = step % options.frameEvery === 0 || step === options.steps;
      request.onProgress?.({
        step,
        totalSteps: options.steps,
        scale: 0,
        scaleCount: 1,
        width,
        height,
        losses: record,
        elapsedMs: step,
        ...(isFrame ? { frame: picture(step) } : {}),
      });
    }
    return {
      image: picture(options.steps),
      history,
      scales: [{ width, height }],
      ignoredScales: [],
      losses: history.at(-1)!,
      options: { ...options, seed: options.seed ?? 42 },
      seconds: 0.01,
      provider: 'fake',
      providerReason: 'a stand-in engine',
    };
  }

  async release(): Promise<void> {
    this.released = true;
  }
}
