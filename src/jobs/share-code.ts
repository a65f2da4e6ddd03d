import { createHash } from 'node:crypto';
import { z } from 'zod';
import { JobError, isJobError, type OptionViolation } from './errors.js';
import { validatePatch, type OptionsPatch } from './options.js';

/**
 * Share codes carry a preset from one user to another: `sb1.<payload>.<check>`, where payload is the
 * base64url JSON `{"n": name, "o": options}` and check is the first 48 bits of SHA-256 over `sb1.<payload>`.
 *
 * What "tampered" means here, and why there is no secret: a code is refused when it was altered after it
 * was made — a character changed, dropped or added, the code cut off by a chat client, two codes pasted
 * together — which the checksum catches (a random change slips through with odds of 1 in 2^48). Someone
 * who edits the payload on purpose can recompute the checksum; what they get is a set of options they
 * could have typed themselves, and the import validates it with the same schema as a typed command
 * (ranges, layers, unknown keys), then the queue applies the server's limits when it runs. So forging a
 * code gains nothing, and without a secret, codes keep working across restarts and installations. An HMAC
 * would only add "made by this bot", which no decision here depends on.
 */
export const SHARE_CODE_VERSION = 1;
const PREFIX = `sb${SHARE_CODE_VERSION}`;
const CHECK_LENGTH = 8;
/** a generous bound on an honest code (every option set), checked before any decoding */
const MAX_CODE_LENGTH = 2048;

export const PRESET_NAME = /^[a-z0-9][a-z0-9_-]{0,31}$/;

const payloadSchema = z.object({ n: z.string().regex(PRESET_NAME), o: z.record(z.string(), z.unknown()) }).strict();

export interface SharedPreset {
  readonly name: string;
  readonly options: OptionsPatch;
}

export function encodeShareCode(preset: SharedPreset): string {
  const payload = Buffer.from(JSON.stringify({ n: preset.name, o: preset.options }), 'utf8').toString('base64url');
  return `${PREFIX}.${payload}.${check(payload)}`;
}

/** Reads and validates a code; throws JobError INVALID_SHARE_CODE saying which problem it has. */
export function decodeShareCode(code: string): SharedPreset {
  const refuse = (problem: 'malformed' | 'version' | 'checksum' | 'content', violations: OptionViolation[] = []) =>
    new JobError({ code: 'INVALID_SHARE_CODE', problem, violations });
  // chat clients wrap long lines and users paste codes inside backticks
  const text = code.replace(/[\s`]+/g, '');
  if (text.length > MAX_CODE_LENGTH) throw refuse('malformed');
  const match = /^sb(\d+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/.exec(text);
  if (!match) throw refuse('malformed');
  if (Number(match[1]) !== SHARE_CODE_VERSION) throw refuse(Number(match[1]) > SHARE_CODE_VERSION ? 'version' : 'malformed');
  const payload = match[2]!;
  if (match[3] !== check(payload)) throw refuse('checksum');

  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    throw refuse('malformed');
  }
  const parsed = payloadSchema.safeParse(json);
  if (!parsed.success) {
    const nameBad = parsed.error.issues.some((i) => i.path[0] === 'n');
    throw refuse(nameBad ? 'content' : 'malformed', nameBad ? [{ option: 'name', message: 'is not a valid preset name' }] : []);
  }
  try {
    return { name: parsed.data.n, options: validatePatch(parsed.data.o, 'share code') };
  } catch (error) {
    if (isJobError(error, 'INVALID_OPTIONS')) throw refuse('content', [...error.details.violations]);
    throw error;
  }
}

function check(payload: string): string {
  return createHash('sha256').update(`${PREFIX}.${payload}`).digest('base64url').slice(0, CHECK_LENGTH);
}
