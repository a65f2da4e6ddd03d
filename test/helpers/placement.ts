import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Where ONNX Runtime ran each node of a session, read from its profile (`EngineConfig.profileDir`). Free of
 * vitest: the WebGPU tests and the GPU check (bench/gpu.ts) read placements the same way.
 */
export interface Placement {
  /** the session's profile file name, which starts with the model's name (targets, loss, tile-forward, tile-grad) */
  readonly session: string;
  /** node runs by provider */
  readonly runs: Readonly<Record<string, number>>;
  /** nodes run by the CPU provider that read or wrote more than a few numbers: work that fell back from the GPU */
  readonly heavyOnCpu: ReadonlyArray<NodeSize>;
  /**
   * copies of more than a few numbers between the GPU and the host inside the graph (a CPU node that needs a
   * GPU tensor, or the reverse). The feeds' and results' own copies are not nodes, so any of these is waste.
   */
  readonly transfers: ReadonlyArray<NodeSize>;
}

export interface NodeSize {
  readonly node: string;
  readonly op: string;
  /** the largest input or output, in numbers */
  readonly elements: number;
}

/**
 * The CPU nodes a GPU session may keep: ONNX Runtime places shape arithmetic (Shape, Size, and the Div, Mod,
 * Concat and Gather on shapes) on the CPU on purpose. A tensor of this many numbers is at most a shape.
 */
const SHAPE_SIZED = 8;

interface ProfileEvent {
  readonly cat?: string;
  readonly name: string;
  readonly args?: {
    readonly provider?: string;
    readonly op_name?: string;
    readonly input_type_shape?: ReadonlyArray<Record<string, readonly number[]>>;
    readonly output_type_shape?: ReadonlyArray<Record<string, readonly number[]>>;
  };
}

export function placementOf(file: string): Placement {
  const events = JSON.parse(readFileSync(file, 'utf8')) as ProfileEvent[];
  const runs: Record<string, number> = {};
  const heavy = new Map<string, NodeSize>();
  const transfers = new Map<string, NodeSize>();
  for (const e of events) {
    if (e.cat !== 'Node' || !e.args?.provider) continue;
    runs[e.args.provider] = (runs[e.args.provider] ?? 0) + 1;
    const op = e.args.op_name ?? '?';
    const into = op.startsWith('Memcpy') ? transfers : e.args.provider === 'CPUExecutionProvider' ? heavy : undefined;
    if (!into) continue;
    const shapes = [...(e.args.input_type_shape ?? []), ...(e.args.output_type_shape ?? [])].flatMap((t) => Object.values(t));
    const elements = Math.max(0, ...shapes.map((dims) => dims.reduce((a, b) => a * b, 1)));
    const node = e.name.replace(/_kernel_time$/, '');
    if (elements > SHAPE_SIZED && (into.get(node)?.elements ?? 0) < elements) into.set(node, { node, op, elements });
  }
  return { session: path.basename(file), runs, heavyOnCpu: [...heavy.values()], transfers: [...transfers.values()] };
}

/** Every session profile in a folder that `EngineConfig.profileDir` pointed at. */
export function placementsIn(dir: string): Placement[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => placementOf(path.join(dir, f)));
}
