import type { LossTerms } from './api.js';
import type { RgbImage } from './image.js';
import { IO, type ModelSpec } from './model/models.js';
import type { OrtModel, TensorData } from './runtime/ort-session.js';
import { imageTensor, type Targets } from './targets.js';

/** One evaluation of the loss at a picture: its terms and d(total)/d(pixels). */
export interface Evaluation {
  readonly losses: LossTerms;
  /** valid until the next `evaluate` (buffers are reused) */
  readonly gradient: Float32Array;
}

/** What an optimiser step needs: the whole image evaluated in one run, or tile by tile. */
export interface Evaluator {
  evaluate(image: RgbImage): Promise<Evaluation>;
}

/** The loss weights of a run: the three terms' and each style layer's. */
export interface LossWeights {
  readonly style: number;
  readonly content: number;
  readonly tv: number;
  readonly styleLayers: ReadonlyMap<string, number>;
}

/** The whole image in one run of the loss-and-gradient model: fastest while it fits in memory. */
export class WholeImageEvaluator implements Evaluator {
  private readonly feeds: Record<string, TensorData>;

  constructor(
    private readonly model: OrtModel,
    spec: ModelSpec,
    targets: Targets,
    weights: LossWeights,
  ) {
    const feeds: Record<string, TensorData> = {
      [IO.styleWeight]: scalar(weights.style),
      [IO.contentWeight]: scalar(weights.content),
      [IO.tvWeight]: scalar(weights.tv),
    };
    for (const { layer } of spec.selection.style) feeds[IO.styleLayerWeight(layer)] = scalar(weights.styleLayers.get(layer) ?? 1);
    for (const [layer, t] of targets.content) feeds[IO.contentTarget(layer)] = t;
    for (const [layer, t] of targets.grams) feeds[IO.gramTarget(layer)] = t;
    this.feeds = feeds;
  }

  async evaluate(image: RgbImage): Promise<Evaluation> {
    const out = await this.model.run({ ...this.feeds, [IO.image]: imageTensor(image) });
    return {
      losses: { total: out[IO.total]!.data[0]!, style: out[IO.style]!.data[0]!, content: out[IO.content]!.data[0]!, tv: out[IO.tv]!.data[0]! },
      gradient: out[IO.gradient]!.data,
    };
  }
}

export function scalar(value: number): TensorData {
  return { data: Float32Array.of(value), dims: [] };
}
