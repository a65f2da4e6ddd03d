/**
 * `npm run bench -- --quality`: time to quality. In one process, on the same inputs (Tübingen x The Starry
 * Night, `seed` layers, style weight 100, content weight 1, no TV, at each size), it runs the chapter's
 * algorithm (Adam lr 0.1, 180 steps, from the content image) as the reference, then the product's
 * defaults, and reports each run's final loss and wall time. Every final picture is scored with the same
 * loss (the reference's weights, at the same final size), so runs with TV or other weights compare fairly.
 *
 *   npm run bench -- --quality [--size 256,512] [--levers] [--rounds N] [--out DIR] [--json]
 *
 * `--levers` adds the runs that the defaults were chosen from (optimiser, history, steps, scales, start).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Engine, type EngineOptionsInput, type RgbImage, type StyleImage, type StylizeResult } from '../src/engine/index.js';
import { encodePng } from '../src/images/index.js';
import { engineOptionsOf, prepareInputs, STYLIZE_DEFAULTS } from '../src/pipeline/index.js';

const SHARED = path.resolve(process.cwd(), '../shared');
const WEIGHTS = path.join(SHARED, 'models/vgg19_imagenet_notop_block1-3.h5');
const CONTENT = path.join(SHARED, 'images/content/tubingen_neckarfront.jpg');
const STYLE = path.join(SHARED, 'images/style/vangogh_starry_night.jpg');

/** The loss every picture is scored with: the issue's reference settings. */
const SCORE: EngineOptionsInput = { layers: 'seed', styleWeight: 100, contentWeight: 1, tvWeight: 0 };
const REFERENCE: EngineOptionsInput = { ...SCORE, optimizer: 'adam', lr: 0.1, steps: 180, init: 'content', initNoise: 0 };

export interface QualityRun {
  readonly size: number;
  /** which round (1-based): `--rounds N` runs the reference and the others N times in turn, each round against its own reference */
  readonly round: number;
  readonly name: string;
  readonly options: EngineOptionsInput;
  /** the final picture's loss under SCORE */
  readonly loss: number;
  readonly seconds: number;
  /** loss / the reference's; time / the reference's */
  readonly lossRatio: number;
  readonly timeRatio: number;
  /**
   * the run's evaluations weighted by their pixel count against the final size's, over the reference's:
   * a time ratio that the neighbours of a shared machine cannot disturb (a step's cost is its convolutions,
   * which grow with the pixels; L-BFGS's own arithmetic is in the wall time only)
   */
  readonly workRatio: number;
  /** CPU seconds of this process (both ONNX Runtime threads) over the reference's */
  readonly cpuRatio: number;
  /** per scale of a multi-scale run: the loss at the start of each scale and at its end */
  readonly scaleLosses: ReadonlyArray<{ readonly first: number; readonly last: number }>;
}

/** The configurations compared besides the reference and the defaults. */
function levers(): Array<{ name: string; options: EngineOptionsInput }> {
  const lbfgs = { ...SCORE, optimizer: 'lbfgs' as const, init: 'content' as const };
  return [
    { name: 'lbfgs 40', options: { ...lbfgs, steps: 40 } },
    { name: 'lbfgs 30', options: { ...lbfgs, steps: 30 } },
    { name: 'lbfgs 40 history 20', options: { ...lbfgs, steps: 40, lbfgsHistory: 20 } },
    { name: 'lbfgs 40 h20 no start noise', options: { ...lbfgs, steps: 40, lbfgsHistory: 20, initNoise: 0 } },
    { name: '30+20 at 1/2 plain resize', options: { ...lbfgs, lbfgsHistory: 20, coarseSteps: 30, steps: 20, octaves: 1, scaleDetail: false, carryCurvature: false } },
    { name: '30+20 at 1/2', options: { ...lbfgs, lbfgsHistory: 20, coarseSteps: 30, steps: 20, octaves: 1 } },
    { name: '30+30+20 at 1/4, 1/2', options: { ...lbfgs, lbfgsHistory: 20, coarseSteps: 30, steps: 20, octaves: 2 } },
    { name: 'previous: 3 octaves, 30x3+18', options: { ...engineOptionsOf(STYLIZE_DEFAULTS), octaves: 3, coarseSteps: 30 } },
    { name: '30 coarse, 20 at the half size', options: { ...engineOptionsOf(STYLIZE_DEFAULTS), coarseSteps: 30, lastCoarseSteps: 20 } },
    { name: '30 at the half size', options: { ...engineOptionsOf(STYLIZE_DEFAULTS), lastCoarseSteps: 30 } },
    { name: '15 at the half size', options: { ...engineOptionsOf(STYLIZE_DEFAULTS), lastCoarseSteps: 15 } },
    { name: '10 at the smaller scales', options: { ...engineOptionsOf(STYLIZE_DEFAULTS), coarseSteps: 10, lastCoarseSteps: 20 } },
    { name: 'one final step less (17)', options: { ...engineOptionsOf(STYLIZE_DEFAULTS), steps: 17 } },
    { name: 'three octaves at most', options: { ...engineOptionsOf(STYLIZE_DEFAULTS), octaves: 3 } },
    { name: 'defaults without TV', options: { ...engineOptionsOf(STYLIZE_DEFAULTS), tvWeight: 0 } },
  ];
}

export async function runQuality(
  sizes: readonly number[],
  withLevers: boolean,
  report: (run: QualityRun) => void,
  outDir?: string,
  rounds = 1,
): Promise<void> {
  const [contentBytes, styleBytes] = await Promise.all([readFile(CONTENT), readFile(STYLE)]);
  const engine = await Engine.create({ weightsFile: WEIGHTS, provider: 'cpu' });
  try {
    for (const size of sizes) {
      const prepared = await prepareInputs({ content: contentBytes, styles: [styleBytes], options: { size } });
      const content = prepared.content;
      const styles = prepared.styles;
      // Compile and warm up first, Adam's path and L-BFGS's (its history products' sessions): no run should pay for it.
      const defaults = engineOptionsOf(STYLIZE_DEFAULTS);
      await engine.stylize({ content, styles, options: { ...SCORE, steps: 2 } });
      await engine.stylize({ content, styles, options: { ...defaults, steps: 3, coarseSteps: 2 } });
      const configs = [
        { name: 'reference: adam 180', options: REFERENCE },
        { name: 'product defaults', options: { ...defaults, seed: 1 } },
        ...(withLevers ? levers() : []),
      ];
      // This shared machine's speed drifts by 10-20% over minutes; rounds show how far, each ratio within its own round.
      for (let round = 1; round <= rounds; round++) {
        let reference: { loss: number; seconds: number; work: number; cpu: number } | undefined;
        for (const config of configs) {
          const options = { ...config.options, scales: (config.options.scales ?? []).map((s) => (s < 1 ? Math.round(s * size) : s)), seed: 1 };
          const started = performance.now();
          const cpuStart = process.cpuUsage();
          const result = await engine.stylize({ content, styles, options });
          const seconds = (performance.now() - started) / 1000;
          const cpuUsed = process.cpuUsage(cpuStart);
          const cpu = (cpuUsed.user + cpuUsed.system) / 1e6;
          const work = workOf(result);
          const loss = await score(engine, result.image, content, styles);
          if (outDir) {
            await mkdir(outDir, { recursive: true });
            const file = `${size}-${config.name.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '').toLowerCase()}.png`;
            await writeFile(path.join(outDir, file), await encodePng(result.image));
          }
          reference ??= { loss, seconds, work, cpu };
          report({
            size,
            round,
            name: config.name,
            options: config.options,
            loss,
            seconds,
            lossRatio: loss / reference.loss,
            timeRatio: seconds / reference.seconds,
            workRatio: work / reference.work,
            cpuRatio: cpu / reference.cpu,
            scaleLosses: scaleLosses(result),
          });
        }
      }
    }
  } finally {
    await engine.release();
  }
}

/** The loss of exactly this picture under SCORE: a one-step run from it, read before its update. */
async function score(engine: Engine, image: RgbImage, content: RgbImage, styles: readonly StyleImage[]): Promise<number> {
  const result = await engine.stylize({ content, styles, initImage: image, options: { ...SCORE, steps: 1, init: 'image', initNoise: 0 } });
  return result.history[0]!.total;
}

function workOf(result: StylizeResult): number {
  const last = result.scales.at(-1)!;
  return result.history.reduce((sum, h) => {
    const s = result.scales[h.scale]!;
    return sum + (s.width * s.height) / (last.width * last.height);
  }, 0);
}

function scaleLosses(result: StylizeResult): Array<{ first: number; last: number }> {
  return result.scales.map((_, i) => {
    const records = result.history.filter((h) => h.scale === i);
    return { first: records[0]!.total, last: records.at(-1)!.total };
  });
}

export function formatQuality(r: QualityRun): string {
  const jumps = r.scaleLosses.length > 1 ? `  scales ${r.scaleLosses.map((s) => `${s.first.toFixed(0)}->${s.last.toFixed(0)}`).join(' | ')}` : '';
  return (
    `${String(r.size).padStart(4)} px  #${r.round}  ${r.name.padEnd(30)} loss ${r.loss.toFixed(0).padStart(8)} (${r.lossRatio.toFixed(3)})  ` +
    `${r.seconds.toFixed(1).padStart(6)} s (${r.timeRatio.toFixed(3)})  cpu ${r.cpuRatio.toFixed(3)}  work ${r.workRatio.toFixed(3)}${jumps}\n`
  );
}
