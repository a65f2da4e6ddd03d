import { basename } from 'node:path';
import { DEFAULT_DECODE_LIMITS, formatLoss, ImageInputError } from '../images/index.js';
import { describeAdjustment, prepareInputs, runPrepared, type PipelineResult } from '../pipeline/index.js';
import { CliError } from './errors.js';
import { readInput, reserveOutputs, type OutputRequest } from './files.js';
import { optionsFromFlags } from './flags.js';
import type { CliDeps, CliIo } from './io.js';
import { stylizeProgress } from './progress.js';
import { weightsForRun } from './weights.js';

export interface StylizeFlags extends Record<string, unknown> {
  readonly content: string;
  readonly style: readonly string[];
  readonly out: string;
  readonly gif?: string;
  readonly plot?: string;
  readonly weights?: string;
  readonly json?: boolean;
}

/**
 * `stylebot stylize`: everything that can be refused is checked first — options, pictures, output
 * paths — then the weights are found (downloaded if need be), then the engine runs.
 */
export async function stylizeCommand(flags: StylizeFlags, io: CliIo, deps: CliDeps): Promise<void> {
  const options = optionsFromFlags(flags);
  const requests: OutputRequest[] = [
    { flag: '--out', path: flags.out, extension: '.png' },
    ...(flags.gif === undefined ? [] : [{ flag: '--gif', path: flags.gif, extension: '.gif' as const }]),
    ...(flags.plot === undefined ? [] : [{ flag: '--plot', path: flags.plot, extension: '.png' as const }]),
  ];
  const inputs = [{ flag: '--content', path: flags.content }, ...flags.style.map((path) => ({ flag: '--style', path }))];
  const reserved = await reserveOutputs(io.cwd, requests, inputs);
  const output = (flag: string) => reserved.find((r) => r.flag === flag);
  const outputs = { out: output('--out')!.path, gif: output('--gif')?.path, plot: output('--plot')?.path };

  let result: PipelineResult;
  try {
    const maxBytes = DEFAULT_DECODE_LIMITS.maxBytes;
    const styleSubject = (i: number) => (flags.style.length === 1 ? 'The style image' : `Style image ${i + 1}`);
    const prepared = await (async () => {
      const content = await readInput(io.cwd, flags.content, '--content', 'The content image', maxBytes);
      const styles = await Promise.all(flags.style.map((s, i) => readInput(io.cwd, s, '--style', styleSubject(i), maxBytes)));
      return prepareInputs({ content, styles, options });
    })().catch((error: unknown) => {
      throw error instanceof ImageInputError ? withFileName(error, flags) : error;
    });
    deps.logger.debug({ options: prepared.options, size: [prepared.content.width, prepared.content.height] }, 'inputs ready');

    const weightsFile = await weightsForRun(flags.weights, io, deps);
    deps.logger.debug({ weightsFile }, 'weights');
    const engine = await deps.createEngine(weightsFile);
    const progress = stylizeProgress(io.stderr);
    try {
      result = await runPrepared(prepared, { engine, signal: io.signal, onProgress: (event) => progress.update(event) });
    } finally {
      progress.stop();
      await engine.release();
    }

    // every file is written before any is renamed into place: a failed write leaves the old set as it was
    const data = { '--out': result.png, '--gif': result.gif, '--plot': result.plot } as Record<string, Uint8Array>;
    for (const file of reserved) await file.write(data[file.flag]!);
    for (const file of reserved) await file.commit();
  } finally {
    await Promise.all(reserved.map((file) => file.discard()));
  }
  const s = result.summary;
  deps.logger.info({ summary: s, outputs }, 'stylized');

  if (flags.json) {
    const line = {
      steps: s.steps,
      styleLoss: s.style,
      contentLoss: s.content,
      tvLoss: s.tv,
      totalLoss: s.total,
      seconds: round(s.seconds, 2),
      out: outputs.out,
      gif: outputs.gif ?? null,
      plot: outputs.plot ?? null,
      width: s.width,
      height: s.height,
      seed: s.seed,
      provider: s.provider,
      adjustments: (s.adjustments ?? []).map((a) => ({ ...a, message: describeAdjustment(a) })),
    };
    io.stdout.write(`${JSON.stringify(line)}\n`);
  } else {
    const written = [outputs.out, outputs.gif, outputs.plot].filter(Boolean).map((p) => basename(p!)).join(', ');
    io.stdout.write(
      `Wrote ${written}: ${s.width}x${s.height}, ${s.steps} steps in ${s.seconds.toFixed(1)} s; ` +
        `loss style ${formatLoss(s.style)}, content ${formatLoss(s.content)}, total ${formatLoss(s.total)}; seed ${s.seed}.\n`,
    );
    for (const a of s.adjustments ?? []) io.stdout.write(`${describeAdjustment(a)}\n`);
  }
}

/** "photo.svg: The content image is SVG…", so that a user with several files knows which one. */
function withFileName(error: ImageInputError, flags: StylizeFlags): CliError {
  const match = /^Style image (\d+)/.exec(error.subject);
  const file = error.subject === 'The content image' ? flags.content : flags.style[match ? Number(match[1]) - 1 : 0];
  return new CliError(`${file}: ${error.message}`);
}

const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;
