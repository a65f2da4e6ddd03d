/**
 * `npm run bench -- --memory`: the engine's memory estimate against the measured peak. Each configuration
 * runs in a fresh process (peak RSS is per process), a few steps with enough of them for the L-BFGS history
 * to fill, and reports the estimate (estimateMemoryBytes), the peak and their ratio. Target: within 15%.
 */
import { execFileSync } from 'node:child_process';
import { Engine, estimateMemoryBytes, memoryBreakdown, type EngineOptionsInput } from '../src/engine/index.js';
import type { ConvWeights } from '../src/engine/weights/index.js';

export interface MemoryCase {
  readonly size: number;
  readonly layers: string;
  readonly optimizer: 'adam' | 'lbfgs';
  readonly lbfgsHistory: number;
  readonly steps: number;
  /** style image side / content side */
  readonly styleScale: number;
  /** the engine's tileSize (absent: 0, automatic) */
  readonly tileSize?: number;
}

export interface MemoryResult extends MemoryCase {
  readonly estimateMB: number;
  readonly peakMB: number;
  /** estimate / peak */
  readonly ratio: number;
  readonly parts: Record<string, number>;
}

export const MEMORY_CASES: readonly MemoryCase[] = [
  { size: 128, layers: 'seed', optimizer: 'lbfgs', lbfgsHistory: 10, steps: 12, styleScale: 1 },
  { size: 256, layers: 'seed', optimizer: 'lbfgs', lbfgsHistory: 10, steps: 12, styleScale: 1 },
  { size: 512, layers: 'seed', optimizer: 'lbfgs', lbfgsHistory: 10, steps: 12, styleScale: 1 },
  { size: 768, layers: 'seed', optimizer: 'adam', lbfgsHistory: 10, steps: 3, styleScale: 1 },
  { size: 1024, layers: 'seed', optimizer: 'adam', lbfgsHistory: 10, steps: 2, styleScale: 1 },
  { size: 512, layers: 'seed', optimizer: 'lbfgs', lbfgsHistory: 40, steps: 42, styleScale: 1 },
  { size: 256, layers: 'seed', optimizer: 'adam', lbfgsHistory: 10, steps: 3, styleScale: 3 },
  { size: 256, layers: 'gatys', optimizer: 'adam', lbfgsHistory: 10, steps: 3, styleScale: 1 },
  { size: 512, layers: 'gatys', optimizer: 'adam', lbfgsHistory: 10, steps: 3, styleScale: 1 },
  { size: 1024, layers: 'seed', optimizer: 'adam', lbfgsHistory: 10, steps: 2, styleScale: 1, tileSize: 512 },
  { size: 1024, layers: 'seed', optimizer: 'adam', lbfgsHistory: 10, steps: 2, styleScale: 1, tileSize: 256 },
  { size: 2048, layers: 'seed', optimizer: 'adam', lbfgsHistory: 10, steps: 2, styleScale: 1 },
  { size: 2048, layers: 'seed', optimizer: 'lbfgs', lbfgsHistory: 5, steps: 6, styleScale: 1 },
];

/** How far the estimate may be from the peak, either way. */
export const MEMORY_TOLERANCE = 0.15;

/**
 * Runs every case in its own process (this script with --memory-case) and reports each. Sets the exit
 * code to 1 when any estimate is off by more than MEMORY_TOLERANCE.
 */
export function runMemoryCases(script: string, cases: readonly MemoryCase[], report: (r: MemoryResult) => void): void {
  for (const c of cases) {
    const out = execFileSync(process.execPath, [...process.execArgv, script, '--memory-case', JSON.stringify(c)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const result = JSON.parse(out.trim().split('\n').at(-1)!) as MemoryResult;
    if (Math.abs(result.ratio - 1) > MEMORY_TOLERANCE) process.exitCode = 1;
    report(result);
  }
}

/** One case in this process: the engine run, then peak RSS against the estimate. */
export async function memoryCase(c: MemoryCase, weights: ReadonlyMap<string, ConvWeights>): Promise<MemoryResult> {
  const engine = await Engine.create({ weights, provider: 'cpu' });
  const side = c.size;
  const styleSide = Math.round(c.size * c.styleScale);
  const picture = (n: number) => ({ width: n, height: n, data: Float32Array.from({ length: 3 * n * n }, (_, i) => ((i * 7919) % 251) / 251) });
  const options: EngineOptionsInput = {
    layers: c.layers,
    optimizer: c.optimizer,
    lbfgsHistory: c.lbfgsHistory,
    steps: c.steps,
    seed: 1,
    init: 'content',
    tileSize: c.tileSize ?? 0,
  };
  await engine.stylize({ content: picture(side), styles: [{ image: picture(styleSide) }], options });
  await engine.release();
  const content = { width: side, height: side };
  const styles = [{ width: styleSide, height: styleSide }];
  const estimate = estimateMemoryBytes({ ...c }, content, styles);
  const peak = process.resourceUsage().maxRSS * 1024;
  const parts = Object.fromEntries(Object.entries(memoryBreakdown({ ...c }, content, styles)).map(([k, v]) => [k, Math.round(v / 1e6)]));
  return { ...c, estimateMB: estimate / 1e6, peakMB: peak / 1e6, ratio: estimate / peak, parts };
}

export function formatMemory(r: MemoryResult): string {
  return (
    `${r.layers.padEnd(6)} ${String(r.size).padStart(4)} px  style x${r.styleScale}  ${r.optimizer.padEnd(5)} ` +
    `${r.tileSize ? `tiles ${r.tileSize} ` : ''}` +
    `${r.optimizer === 'lbfgs' ? `history ${String(Math.min(r.lbfgsHistory, r.steps)).padEnd(3)}` : '           '}  ` +
    `estimate ${r.estimateMB.toFixed(0).padStart(5)} MB  peak ${r.peakMB.toFixed(0).padStart(5)} MB  (${(100 * (r.ratio - 1)).toFixed(0).padStart(3)}%` +
    `${Math.abs(r.ratio - 1) > MEMORY_TOLERANCE ? ', OVER 15%' : ''})  ` +
    `${JSON.stringify(r.parts)}\n`
  );
}
