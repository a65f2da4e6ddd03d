import type { ServerSettingsRecord, ServerSettingsRepository } from '../store/index.js';
import type { Clock } from './clock.js';
import { JobError, type OptionViolation } from './errors.js';
import { capViolations, effectiveLimits, SERVER_LIMIT_KEYS, validateLimitsPatch, type ServerLimitKey, type ServerLimits } from './limits.js';
import { jobMemoryBytes, memoryFit } from './memory.js';
import { patchViolations, resolveOptions, validatePatch, type OptionsPatch } from './options.js';
import { isJobError } from './errors.js';

export interface ServerRef {
  readonly platform: string;
  readonly serverId: string;
}

export interface ServerSettingsView {
  /** what applies now: the server's own values within the operator's */
  readonly limits: ServerLimits;
  /** the values this server set itself (null: the operator's default) */
  readonly own: Readonly<Record<ServerLimitKey, number | null>>;
  /** option defaults for jobs of this server, below the user's presets */
  readonly defaults: OptionsPatch;
  /**
   * stored defaults left out of `defaults`: refused by this version, or over the caps that apply now (the
   * operator lowered a ceiling). Shown to admins so that they fix them; jobs run without them meanwhile.
   */
  readonly problems: readonly OptionViolation[];
}

export interface ServerSettingsUpdate extends ServerRef {
  readonly isAdmin: boolean;
  /** a number sets a limit, null returns it to the operator's default, absent keeps it */
  readonly limits?: Partial<Record<ServerLimitKey, number | null>>;
  /** replaces the server's option defaults; null or {} clears them */
  readonly defaults?: unknown;
}

/** Limits and option defaults per server, which only that server's admins may change. */
export class ServerSettingsService {
  constructor(private readonly deps: { servers: ServerSettingsRepository; operatorLimits: ServerLimits; clock: Clock }) {}

  async get(server: ServerRef): Promise<ServerSettingsView> {
    const record = await this.deps.servers.get(server.platform, server.serverId);
    const own = Object.fromEntries(SERVER_LIMIT_KEYS.map((k) => [k, record?.[k] ?? null])) as Record<ServerLimitKey, number | null>;
    const limits = effectiveLimits(this.deps.operatorLimits, record);
    // Defaults that a later release refuses, or that the caps no longer allow, are left out rather than
    // blocking every job of the server; `problems` says which.
    const stored = (record?.defaults ?? {}) as Record<string, unknown>;
    const problems = patchViolations(stored);
    const bad = new Set(problems.map((v) => v.option));
    let defaults = bad.has('options') ? {} : validatePatch(Object.fromEntries(Object.entries(stored).filter(([k]) => !bad.has(k))));
    const over = defaultsViolations(defaults, limits).filter((v) => Object.hasOwn(defaults, v.option));
    if (over.length > 0) {
      const drop = new Set(over.map((v) => v.option));
      defaults = Object.fromEntries(Object.entries(defaults).filter(([k]) => !drop.has(k)));
      problems.push(...over);
    }
    return { limits, own, defaults, problems };
  }

  /**
   * Changes limits and defaults together, and refuses a combination where the defaults would break every
   * job of the server: defaults are checked against the caps they will run under (size 2048 with a cap of
   * 1024 is refused here, not at each job).
   */
  async update(update: ServerSettingsUpdate): Promise<ServerSettingsView> {
    const now = this.deps.clock.now();
    if (!update.isAdmin) throw new JobError({ code: 'NOT_ADMIN' });
    const limitsPatch = update.limits ? validateLimitsPatch(update.limits, this.deps.operatorLimits) : {};
    const defaults = update.defaults === undefined ? undefined : validatePatch(update.defaults ?? {}, 'server defaults');

    const current = await this.get(update);
    const nextOwn = { ...current.own, ...limitsPatch } as Record<ServerLimitKey, number | null>;
    const nextLimits = effectiveLimits(this.deps.operatorLimits, nextOwn as unknown as ServerSettingsRecord);
    const violations = defaultsViolations(defaults ?? current.defaults, nextLimits);
    if (violations.length > 0) throw new JobError({ code: 'INVALID_OPTIONS', violations, source: 'server defaults' });

    await this.deps.servers.update(update.platform, update.serverId, { ...limitsPatch, ...(defaults === undefined ? {} : { defaults }) }, new Date(now));
    return this.get(update);
  }
}

/** The defaults as a job of the server would run them (built-in defaults below), against its caps and memory budget. */
function defaultsViolations(defaults: OptionsPatch, limits: ServerLimits): OptionViolation[] {
  let resolved;
  try {
    resolved = resolveOptions({ server: defaults });
  } catch (error) {
    if (isJobError(error, 'INVALID_OPTIONS')) return [...error.details.violations];
    throw error;
  }
  // only what the defaults set: a cap below a built-in default is the user's to meet with their own option
  const violations = capViolations(resolved, limits).filter((v) => Object.hasOwn(defaults, v.option));
  if (violations.length === 0 && Object.keys(defaults).length > 0 && jobMemoryBytes(resolved) > limits.maxJobMemoryBytes) {
    const fit = memoryFit(resolved, 1, limits.maxJobMemoryBytes);
    const option = Object.hasOwn(defaults, 'size') || fit.lbfgsHistory === null ? 'size' : 'lbfgsHistory';
    const most = option === 'size' ? fit.size : fit.lbfgsHistory;
    violations.push({ option, message: `a job with these defaults needs more memory than this server allows${most === null ? '' : `: use at most ${most}`}` });
  }
  return violations;
}
