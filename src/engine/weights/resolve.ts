import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EngineError, isEngineError } from '../errors.js';
import { downloadFile, type DownloadProgress } from './download.js';

/** The upstream Keras file: all sixteen convolutions, HWIO float32, and the md5 Keras itself checks. */
export const VGG19_WEIGHTS = {
  fileName: 'vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5',
  url: 'https://storage.googleapis.com/tensorflow/keras-applications/vgg19/vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5',
  md5: '253f8cb515780f3b799900260a226db6',
  /** for messages and size estimates; the download trusts the server's length and the md5 */
  bytes: 80_134_624,
} as const;

/** The environment variable that points at a weights file, named in every message that could use it. */
export const WEIGHTS_ENV = 'STYLEBOT_WEIGHTS';

/**
 * The project's top-level `models/` folder (see models/README.md), when it exists: this file sits at
 * src/engine/weights (or dist/engine/weights once built), three levels under the package root.
 */
export function projectModelsDir(): string | undefined {
  const dir = resolve(dirname(fileURLToPath(import.meta.url)), '../../../models');
  return existsSync(dir) ? dir : undefined;
}

/**
 * Where the weights are looked for and downloaded to: STYLEBOT_CACHE_DIR, else the project's `models/`
 * folder, else (a package installed without it) $XDG_CACHE_HOME/stylebot, else ~/.cache/stylebot.
 */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env, modelsDir: string | null = projectModelsDir() ?? null): string {
  if (env.STYLEBOT_CACHE_DIR) return resolve(env.STYLEBOT_CACHE_DIR);
  if (modelsDir) return modelsDir;
  // The XDG spec says to ignore a relative XDG_CACHE_HOME.
  const xdg = env.XDG_CACHE_HOME;
  if (xdg && isAbsolute(xdg)) return join(xdg, 'stylebot');
  return join(homedir(), '.cache', 'stylebot');
}

export interface ResolveWeightsOptions {
  /** an explicit file (STYLEBOT_WEIGHTS or --weights); when given it must exist, nothing is downloaded */
  readonly file?: string;
  /** default: defaultCacheDir() */
  readonly cacheDir?: string;
  /** fetch the upstream file into the cache when it is not there; default true */
  readonly download?: boolean;
  /** default: VGG19_WEIGHTS.url (a mirror of the same file) */
  readonly url?: string;
  /** default: VGG19_WEIGHTS.md5 */
  readonly md5?: string;
  readonly onProgress?: (progress: DownloadProgress) => void;
  readonly signal?: AbortSignal;
  readonly fetchImpl?: typeof fetch;
}

/**
 * Finds the VGG19 weights: the explicit file if one is named, else the cached upstream file, else
 * downloads it into the cache (once: later calls find it there). Returns an absolute path.
 */
export async function resolveWeightsFile(options: ResolveWeightsOptions = {}): Promise<string> {
  if (options.file !== undefined) {
    const file = resolve(options.file);
    if (!(await isFile(file))) {
      throw new EngineError(
        'WEIGHTS_NOT_FOUND',
        `Weights file ${file} does not exist. It was given by ${WEIGHTS_ENV} or --weights; point it at the ` +
          `VGG19 notop HDF5 file (${VGG19_WEIGHTS.fileName}), or unset it to use the cache.`,
      );
    }
    return file;
  }

  const cached = join(options.cacheDir ?? defaultCacheDir(), VGG19_WEIGHTS.fileName);
  if (await isFile(cached)) return cached;
  const url = options.url ?? VGG19_WEIGHTS.url;
  const byHand =
    `Download ${url} by hand and save it as ${cached}, or set ${WEIGHTS_ENV} to the path of a copy.`;
  if (options.download === false) {
    throw new EngineError('WEIGHTS_NOT_FOUND', `The VGG19 weights are not in the cache and downloading is off. ${byHand}`);
  }
  try {
    await downloadFile({
      url,
      dest: cached,
      md5: options.md5 ?? VGG19_WEIGHTS.md5,
      onProgress: options.onProgress,
      signal: options.signal,
      fetchImpl: options.fetchImpl,
    });
  } catch (error) {
    if (isEngineError(error, 'WEIGHTS_DOWNLOAD_FAILED')) {
      throw new EngineError('WEIGHTS_DOWNLOAD_FAILED', `${error.message} ${byHand}`, { cause: error });
    }
    throw error;
  }
  return cached;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
