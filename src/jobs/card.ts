import type { LossTerms } from '../engine/index.js';
import { stylizeOptionsSchema, STYLIZE_DEFAULTS, type StylizeOptions } from '../pipeline/index.js';
import type { JobRecord } from '../store/index.js';
import { jobViewOfRecord, type JobView } from './events.js';
import type { FailureCode, FailureDetails } from './failures.js';
import type { PackageVersions } from './versions.js';

/**
 * Everything needed to reproduce a job, as data: the bot layer renders it as the job card. Values the run
 * did not report (older releases, a job that never ran) are null.
 */
export interface JobCard {
  readonly job: JobView;
  /** the resolved options, every default filled in */
  readonly options: StylizeOptions;
  /** the seed the run actually used (the options' seed, or the one drawn when none was given) */
  readonly seed: number | null;
  readonly inputs: ReadonlyArray<{ readonly role: 'content' | 'style' | 'init'; readonly sha256: string; readonly bytes: number }>;
  readonly weights: { readonly md5: string | null };
  readonly engine: { readonly provider: string | null; readonly reason: string | null };
  readonly versions: PackageVersions;
  readonly timings: {
    readonly queuedAt: Date;
    readonly startedAt: Date | null;
    readonly finishedAt: Date | null;
    readonly computeSeconds: number | null;
    readonly secondsPerStep: number | null;
  };
  /** the losses at the last step */
  readonly losses: LossTerms | null;
  /** the result's pixel size and the steps run */
  readonly result: { readonly width: number; readonly height: number; readonly steps: number } | null;
  /** the summary's notes on what ran differently from what was asked (grown size, ignored scales, downsized PNG) */
  readonly adjustments: readonly unknown[];
  /** relative to the data directory; null when there are none or they were purged */
  readonly files: { readonly result: string; readonly gif: string; readonly plot: string } | null;
  readonly purged: boolean;
  readonly parentId: string | null;
  readonly followUp: JobView['followUp'];
  readonly failure: { readonly code: FailureCode; readonly details: FailureDetails | null } | null;
  readonly cancelledBy: string | null;
}

/** The card of a stored job. `versions` are those stored with the result, else null. */
export function cardOfRecord(record: JobRecord): JobCard {
  const summary = (record.summary ?? {}) as Record<string, unknown>;
  const parsed = stylizeOptionsSchema.safeParse(record.options);
  const options = parsed.success ? parsed.data : STYLIZE_DEFAULTS;
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  const str = (v: unknown) => (typeof v === 'string' ? v : null);
  const versions = (summary.versions ?? {}) as Record<string, unknown>;
  const weights = (summary.weights ?? {}) as Record<string, unknown>;
  const losses = ['total', 'style', 'content', 'tv'].every((k) => num(summary[k]) !== null)
    ? { total: num(summary.total)!, style: num(summary.style)!, content: num(summary.content)!, tv: num(summary.tv)! }
    : null;
  const purged = record.filesPurgedAt !== null;
  const width = num(summary.width);
  const height = num(summary.height);
  const steps = num(summary.steps);
  return {
    job: jobViewOfRecord(record),
    options,
    seed: num(summary.seed) ?? options.seed ?? null,
    inputs: record.inputs.map((i) => ({ role: i.role, sha256: i.hash, bytes: i.bytes })),
    weights: { md5: str(summary.weightsMd5) ?? str(weights.md5) },
    engine: { provider: str(summary.provider), reason: str(summary.providerReason) },
    versions: { stylebot: str(versions.stylebot), onnxruntime: str(versions.onnxruntime) },
    timings: { queuedAt: record.createdAt, startedAt: record.startedAt, finishedAt: record.finishedAt, computeSeconds: record.computeSeconds, secondsPerStep: record.secondsPerStep },
    losses,
    result: width !== null && height !== null && steps !== null ? { width, height, steps } : null,
    adjustments: Array.isArray(summary.adjustments) ? summary.adjustments : [],
    files: !purged && record.resultPath && record.gifPath && record.plotPath ? { result: record.resultPath, gif: record.gifPath, plot: record.plotPath } : null,
    purged,
    parentId: record.parentId,
    followUp: jobViewOfRecord(record).followUp,
    failure: record.status === 'failed' && record.errorCode ? { code: record.errorCode as FailureCode, details: (record.errorDetails ?? null) as FailureDetails | null } : null,
    cancelledBy: record.cancelledBy,
  };
}

/** History pages continue after the last job shown: its creation time and id, opaque to callers. */
export function encodeCursor(record: Pick<JobRecord, 'createdAt' | 'id'>): string {
  return Buffer.from(`${record.createdAt.getTime()}:${record.id}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): { createdAt: Date; id: string } | null {
  const match = /^(\d{1,16}):([A-Za-z0-9_-]{1,64})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return match ? { createdAt: new Date(Number(match[1])), id: match[2]! } : null;
}
