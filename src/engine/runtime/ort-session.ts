// The only module that imports onnxruntime-node: the rest of the engine sees plain Float32Arrays.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { EngineError } from '../errors.js';

export type Provider = 'cpu' | 'cuda' | 'webgpu';

export interface TensorData {
  readonly data: Float32Array;
  readonly dims: readonly number[];
}

export interface SessionConfig {
  readonly provider: Provider;
  /** intra-op threads; 0 lets ONNX Runtime use every core */
  readonly threads: number;
  /** ONNX Runtime's own log level, 0 (verbose: shows which provider each node was placed on) to 4; default 2 */
  readonly logSeverity?: 0 | 1 | 2 | 3 | 4;
  /** ONNX Runtime's CPU memory arena (default on); off for sessions whose outputs should not stay cached */
  readonly memoryArena?: boolean;
  /**
   * whether the session's intra-op workers spin after their work before they sleep (default on). Spinning
   * saves a wake-up per node within a run, but a worker also spins for tens of milliseconds after the run,
   * on a core that another session's next run then shares: off for sessions that run once in a while.
   */
  readonly spinning?: boolean;
}

/**
 * One compiled ONNX model. Settings measured on 2 cores for these graphs: optimisation level ALL (its
 * blocked-layout rewrite of convolutions was 10-15% faster than EXTENDED), memory pattern off (35% less memory,
 * same speed with dynamic sizes), CPU arena on, sequential execution (parallel was 2x slower).
 */
export class OrtModel {
  private constructor(
    private readonly session: ort.InferenceSession,
    readonly provider: Provider,
  ) {}

  static async create(model: Uint8Array, config: SessionConfig): Promise<OrtModel> {
    const options: ort.InferenceSession.SessionOptions = {
      graphOptimizationLevel: 'all',
      enableMemPattern: false,
      enableCpuMemArena: config.memoryArena ?? true,
      executionMode: 'sequential',
      intraOpNumThreads: config.threads,
      interOpNumThreads: 1,
      ...(config.spinning === false ? { extra: { session: { intra_op: { allow_spinning: '0' } } } } : {}),
      ...(config.logSeverity !== undefined ? { logSeverityLevel: config.logSeverity } : {}),
      // The CPU last: nodes a GPU provider lacks run there, one by one, instead of failing the model.
      executionProviders: config.provider === 'cpu' ? ['cpu'] : [config.provider, 'cpu'],
    };
    try {
      return new OrtModel(await ort.InferenceSession.create(model, options), config.provider);
    } catch (cause) {
      throw new EngineError('RUNTIME_FAILED', `ONNX Runtime could not load the model on ${config.provider}: ${String(cause)}`, {
        cause,
      });
    }
  }

  async run(feeds: Readonly<Record<string, TensorData>>, outputs?: readonly string[]): Promise<Record<string, TensorData>> {
    const tensors: Record<string, ort.Tensor> = {};
    for (const [name, t] of Object.entries(feeds)) tensors[name] = new ort.Tensor('float32', t.data, t.dims);
    let results: ort.InferenceSession.ReturnType;
    try {
      results = outputs ? await this.session.run(tensors, outputs as string[]) : await this.session.run(tensors);
    } catch (cause) {
      throw new EngineError('RUNTIME_FAILED', `ONNX Runtime failed during a run: ${String(cause)}`, { cause });
    }
    const out: Record<string, TensorData> = {};
    for (const [name, tensor] of Object.entries(results)) {
      out[name] = { data: tensor.data as Float32Array, dims: tensor.dims };
    }
    return out;
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

/**
 * Whether the CUDA execution provider was installed (`ONNXRUNTIME_NODE_INSTALL=cuda12 npm ci`): its shared
 * library then sits beside the CPU binding. Whether a GPU answers is only known when a session starts.
 */
export function cudaProviderInstalled(): boolean {
  try {
    const require = createRequire(import.meta.url);
    const packageRoot = path.dirname(require.resolve('onnxruntime-node/package.json'));
    const dir = path.join(packageRoot, 'bin', 'napi-v6', process.platform, process.arch);
    return existsSync(path.join(dir, 'libonnxruntime_providers_cuda.so'));
  } catch {
    return false;
  }
}

/**
 * Whether a WebGPU adapter can exist at all. On Linux, WebGPU (Dawn) runs on Vulkan: without the Vulkan
 * loader it can only fail, and it says so on stderr, so the loader is looked for first (in the dynamic
 * linker's cache and LD_LIBRARY_PATH). Elsewhere (D3D12, Metal) only a session start can tell.
 */
export function webgpuMayWork(): { readonly possible: boolean; readonly why?: string } {
  if (process.platform !== 'linux') return { possible: true };
  const name = 'libvulkan.so.1';
  const dirs = (process.env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean);
  if (dirs.some((d) => existsSync(path.join(d, name)))) return { possible: true };
  try {
    if (readFileSync('/etc/ld.so.cache').includes(name)) return { possible: true };
  } catch {
    // no linker cache (some minimal images): look in the usual places below
  }
  const usual = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib', '/usr/local/lib'];
  if (usual.some((d) => existsSync(path.join(d, name)))) return { possible: true };
  return { possible: false, why: `no Vulkan driver (${name} not found)` };
}
