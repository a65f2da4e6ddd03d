import { MIN_IMAGE_SIDE } from '../engine/index.js';
import type { PipelineAdjustment } from './api.js';

/**
 * One sentence per adjustment, for whoever shows a result: the job cards of every chat platform and the
 * command line say the same thing.
 */
export function describeAdjustment(a: PipelineAdjustment): string {
  switch (a.kind) {
    case 'size-grown':
      return `The picture is long and thin, so it was made ${a.used} px on its long side instead of ${a.requested}: its short side needs at least ${MIN_IMAGE_SIDE} px.`;
    case 'scale-ignored':
      return a.reason === 'not-smaller'
        ? `The ${a.size} px scale was skipped: it is not smaller than the working size.`
        : `The ${a.size} px scale was skipped: at this shape its short side would be under ${MIN_IMAGE_SIDE} px.`;
    case 'result-downsized':
      return `The result was shrunk from ${a.from.width}×${a.from.height} to ${a.to.width}×${a.to.height} px to fit the ${megabytes(a.maxBytes)} upload limit.`;
    case 'tiled':
      return `Painted in tiles of ${a.tileSize} px to keep memory bounded at this size: the same picture, each step somewhat slower.`;
  }
}

/**
 * The adjustments of a stored summary that this release knows how to say. Summaries are JSON written by
 * any release, so each entry is checked, and one of a kind added later is left out rather than misread.
 */
export function knownAdjustments(stored: readonly unknown[]): PipelineAdjustment[] {
  return stored.filter(isKnownAdjustment);
}

function isKnownAdjustment(value: unknown): value is PipelineAdjustment {
  if (typeof value !== 'object' || value === null) return false;
  const a = value as Record<string, unknown>;
  const num = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
  const size = (v: unknown) => typeof v === 'object' && v !== null && num((v as Record<string, unknown>).width) && num((v as Record<string, unknown>).height);
  switch (a.kind) {
    case 'size-grown':
      return num(a.requested) && num(a.used);
    case 'scale-ignored':
      return num(a.size) && (a.reason === 'not-smaller' || a.reason === 'too-small');
    case 'result-downsized':
      return size(a.from) && size(a.to) && num(a.maxBytes);
    case 'tiled':
      return num(a.tileSize);
    default:
      return false;
  }
}

function megabytes(bytes: number): string {
  const mib = bytes / 2 ** 20;
  return Number.isInteger(mib) ? `${mib} MiB` : `${(bytes / 1e6).toFixed(1)} MB`;
}
