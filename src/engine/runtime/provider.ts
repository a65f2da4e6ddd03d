import { cudaProviderInstalled, webgpuMayWork, type Provider, type WebgpuOutlook } from './ort-session.js';

export type ProviderChoice = 'auto' | Provider;

/** One provider to try, and why it is tried. */
export interface ProviderCandidate {
  readonly provider: Provider;
  readonly reason: string;
}

/** The provider that runs, and why: shown on the job card and logged, so an operator knows what ran. */
export interface ProviderDecision extends ProviderCandidate {
  /** earlier candidates that failed to start, with ONNX Runtime's reason */
  readonly failures: ReadonlyArray<{ readonly provider: Provider; readonly error: string }>;
}

/**
 * The providers to try in order. An explicit choice is the only candidate (an operator who asked for a GPU
 * wants an error, not a silent CPU run). 'auto' prefers CUDA when its library is installed, then WebGPU
 * (bundled with onnxruntime-node on Linux x64 and Windows; it needs a Vulkan or D3D12 driver and an adapter,
 * known only when a session starts; on Linux a host without a GPU device is passed over, as its only adapter
 * would be a software one), then the CPU, which always works.
 */
export function providerCandidates(
  choice: ProviderChoice,
  cudaInstalled: boolean = cudaProviderInstalled(),
  webgpu: WebgpuOutlook = webgpuMayWork(),
): ProviderCandidate[] {
  if (choice !== 'auto') return [{ provider: choice, reason: `${choice} requested` }];
  const candidates: ProviderCandidate[] = [];
  if (cudaInstalled) candidates.push({ provider: 'cuda', reason: 'auto: the CUDA provider is installed and started' });
  const noCuda = cudaInstalled ? 'CUDA did not start' : 'the CUDA provider is not installed';
  if (webgpu.possible) {
    candidates.push({ provider: 'webgpu', reason: `auto: ${noCuda}; a WebGPU adapter was found${webgpu.device ? ` (GPU device ${webgpu.device})` : ''}` });
  }
  candidates.push({ provider: 'cpu', reason: `auto: ${noCuda}; ${webgpu.possible ? 'no WebGPU adapter' : `no WebGPU: ${webgpu.why}`}` });
  return candidates;
}

/**
 * Tries each candidate with `start` (which compiles the models on that provider) until one works.
 * Returns what started and the decision; throws the last candidate's error when none does.
 */
export async function startFirst<T>(
  candidates: readonly ProviderCandidate[],
  start: (provider: Provider) => Promise<T>,
): Promise<{ value: T; decision: ProviderDecision }> {
  const failures: Array<{ provider: Provider; error: string }> = [];
  for (let i = 0; i < candidates.length; i++) {
    const candidate = candidates[i]!;
    try {
      const value = await start(candidate.provider);
      return { value, decision: { ...candidate, failures } };
    } catch (error) {
      if (i === candidates.length - 1 || isCancel(error)) throw error;
      failures.push({ provider: candidate.provider, error: firstLine(error) });
    }
  }
  throw new Error('internal: no provider candidates');
}

function isCancel(error: unknown): boolean {
  return (error as { code?: unknown } | undefined)?.code === 'CANCELLED';
}

/** ONNX Runtime's messages start with its source path and the failed check; the useful part is at the end. */
function firstLine(error: unknown): string {
  const text = (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
  const afterCheck = /\bwas false\. (.+)$/.exec(text)?.[1];
  return (afterCheck ?? text.replace(/\S+\.(?:cc|cpp|h):\d+ /, '')).slice(0, 300);
}
