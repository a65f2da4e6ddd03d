import { ChallengeError } from './errors.js';

const UNIT_MS: Readonly<Record<string, number>> = { w: 7 * 86_400_000, d: 86_400_000, h: 3_600_000, m: 60_000 };

export const MIN_DURATION_MS = 60_000;
export const MAX_DURATION_MS = 60 * 86_400_000;

/**
 * How long a challenge runs, as moderators type it: `2d`, `6h`, `90m`, or combined (`1d12h`, `1h 30m`).
 * Refused with BAD_DURATION outside [min, max] or when unreadable.
 */
export function parseDuration(text: string, bounds: { minMs?: number; maxMs?: number } = {}): number {
  const minMs = bounds.minMs ?? MIN_DURATION_MS;
  const maxMs = bounds.maxMs ?? MAX_DURATION_MS;
  const compact = text.trim().toLowerCase().replace(/\s+/g, '');
  const refuse = () => new ChallengeError({ code: 'BAD_DURATION', text, minMs, maxMs });
  if (!/^(\d+[wdhm])+$/.test(compact)) throw refuse();
  let ms = 0;
  for (const [, n, unit] of compact.matchAll(/(\d+)([wdhm])/g)) ms += Number(n) * UNIT_MS[unit!]!;
  if (!Number.isSafeInteger(ms) || ms < minMs || ms > maxMs) throw refuse();
  return ms;
}
