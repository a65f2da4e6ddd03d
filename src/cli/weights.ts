import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { defaultCacheDir, VGG19_WEIGHTS, WEIGHTS_ENV } from '../engine/index.js';
import { CliError } from './errors.js';
import type { CliDeps, CliIo } from './io.js';
import { downloadProgress } from './progress.js';

/**
 * The weights file for a run: --weights, else STYLEBOT_WEIGHTS, else the upstream file in the cache,
 * downloaded (with a progress bar) the first time.
 */
export async function weightsForRun(flag: string | undefined, io: CliIo, deps: CliDeps): Promise<string> {
  const named = flag ?? (io.env[WEIGHTS_ENV] || undefined);
  if (named === undefined) return fetchWeights(undefined, io, deps);
  const file = resolve(io.cwd, named);
  // the resolver would say "not found", which sends the user looking for a file that is right there
  if ((await stat(file).catch(() => undefined))?.isDirectory()) {
    const source = flag === undefined ? WEIGHTS_ENV : '--weights';
    throw new CliError(`${source} ${named} is a directory: give the path of a VGG19 .h5 weights file in it.`);
  }
  return fetchWeights(file, io, deps);
}

/** `stylebot weights download`: puts the upstream file into the cache, or says that it is already there. */
export async function downloadWeights(io: CliIo, deps: CliDeps): Promise<string> {
  return fetchWeights(undefined, io, deps);
}

async function fetchWeights(file: string | undefined, io: CliIo, deps: CliDeps): Promise<string> {
  const cacheDir = defaultCacheDir(io.env);
  const bar = downloadProgress(io.stderr);
  let announced = false;
  try {
    return await deps.resolveWeights({
      file,
      cacheDir,
      signal: io.signal,
      onProgress: (progress) => {
        if (!announced) {
          announced = true;
          io.stderr.write(
            `Downloading the VGG19 weights (${Math.round(VGG19_WEIGHTS.bytes / 1e6)} MB, once) into ${cacheDir}\n`,
          );
        }
        bar.update(progress);
      },
    });
  } finally {
    bar.stop();
  }
}
