// The only module that imports onnxruntime-node: the rest of the engine sees plain Float32Arrays.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
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
  /** ONNX Runtime's own log level, 0 (verbose: shows which provider each node was placed on) to 4; default 2, 3 on WebGPU */
  readonly logSeverity?: 0 | 1 | 2 | 3 | 4;
  /** ONNX Runtime's CPU memory arena (default on); off for sessions whose outputs should not stay cached */
  readonly memoryArena?: boolean;
  /**
   * whether the session's intra-op workers spin after their work before they sleep (default on). Spinning
   * saves a wake-up per node within a run, but a worker also spins for tens of milliseconds after the run,
   * on a core that another session's next run then shares: off for sessions that run once in a while.
   */
  readonly spinning?: boolean;
  /**
   * ONNX Runtime's profile of this session, written to `<prefix>_<time>.json` when it is released: every
   * node's provider, output shapes and time (the placement checks read it)
   */
  readonly profilePrefix?: string;
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
    private readonly profiling: boolean,
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
      // WebGPU sessions warn on every start that shape arithmetic stays on the CPU, unstructured, on stderr.
      // That is by design and tested (test/engine/webgpu.test.ts), so only their errors are printed.
      ...(config.logSeverity !== undefined ? { logSeverityLevel: config.logSeverity } : config.provider === 'webgpu' ? { logSeverityLevel: 3 as const } : {}),
      ...(config.profilePrefix ? { enableProfiling: true, profileFilePrefix: config.profilePrefix } : {}),
      // The CPU last: nodes a GPU provider lacks run there, one by one, instead of failing the model.
      executionProviders: config.provider === 'cpu' ? ['cpu'] : [config.provider, 'cpu'],
    };
    try {
      return new OrtModel(await ort.InferenceSession.create(model, options), config.provider, Boolean(config.profilePrefix));
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
    if (this.profiling) this.session.endProfiling();
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

/** What `webgpuMayWork` found on a Linux host (null elsewhere); tests pass their own. */
export interface GpuHost {
  /** the Vulkan loader, libvulkan.so.1 */
  readonly vulkanLoader: boolean;
  /** a device node that a GPU's kernel driver made, or undefined */
  readonly gpuDevice: string | undefined;
}

/** Whether WebGPU is worth trying here, and why not. */
export interface WebgpuOutlook {
  readonly possible: boolean;
  readonly why?: string;
  /** the GPU device node found (Linux), for the reason an operator reads */
  readonly device?: string;
}

/**
 * Whether a WebGPU adapter worth using can exist. On Linux, WebGPU (Dawn) runs on Vulkan: without the Vulkan
 * loader it can only fail, and it says so on stderr. With the loader but no GPU device node, the only
 * adapter is a software one (Mesa's lavapipe, which desktop distributions install by default): Dawn takes it,
 * and a step there took 25-28x as long as on the CPU provider (512 px, 2 cores). Elsewhere (D3D12, Metal)
 * only a session start can tell. An explicit `webgpu` choice skips this and takes whatever adapter Dawn finds.
 */
export function webgpuMayWork(host: GpuHost | null = process.platform === 'linux' ? linuxGpuHost() : null): WebgpuOutlook {
  if (!host) return { possible: true };
  if (!host.vulkanLoader) return { possible: false, why: 'no Vulkan driver (libvulkan.so.1 not found)' };
  if (!host.gpuDevice) {
    return { possible: false, why: 'a Vulkan driver but no GPU device (/dev/dri/renderD*, /dev/nvidia*, /dev/dxg): only a software adapter, slower than the CPU' };
  }
  return { possible: true, device: host.gpuDevice };
}

function linuxGpuHost(): GpuHost {
  return { vulkanLoader: vulkanLoaderFound(), gpuDevice: gpuDeviceNode() };
}

/** The loader in the dynamic linker's cache, LD_LIBRARY_PATH or the usual places. */
function vulkanLoaderFound(): boolean {
  const name = 'libvulkan.so.1';
  const dirs = (process.env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean);
  if (dirs.some((d) => existsSync(path.join(d, name)))) return true;
  try {
    if (readFileSync('/etc/ld.so.cache').includes(name)) return true;
  } catch {
    // no linker cache (some minimal images): look in the usual places below
  }
  const usual = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib', '/usr/local/lib'];
  return usual.some((d) => existsSync(path.join(d, name)));
}

/**
 * A DRM render node (Mesa's and AMD's drivers, Intel's), NVIDIA's proprietary device, or WSL2's GPU
 * bridge. A container that is given a GPU gets one of these too.
 */
function gpuDeviceNode(): string | undefined {
  const list = (dir: string): string[] => {
    try {
      return readdirSync(dir);
    } catch {
      return [];
    }
  };
  const render = list('/dev/dri').find((n) => /^renderD\d+$/.test(n));
  if (render) return `/dev/dri/${render}`;
  const nvidia = list('/dev').find((n) => /^nvidia\d+$/.test(n));
  if (nvidia) return `/dev/${nvidia}`;
  return existsSync('/dev/dxg') ? '/dev/dxg' : undefined;
}
