import type { ServerSettingsRepository } from '../store/index.js';
import type { Clock } from './clock.js';
import { JobError } from './errors.js';
import { effectiveLimits, validateLimitsPatch, type ServerLimitKey, type ServerLimits } from './limits.js';
import { patchViolations, validatePatch, type OptionsPatch } from './options.js';

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
    const own = Object.fromEntries(Object.keys(this.deps.operatorLimits).map((k) => [k, record?.[k as ServerLimitKey] ?? null])) as Record<ServerLimitKey, number | null>;
    // Defaults that a later release refuses are dropped rather than blocking every job of the server.
    const stored = (record?.defaults ?? {}) as Record<string, unknown>;
    const bad = new Set(patchViolations(stored).map((v) => v.option));
    const defaults = bad.has('options') ? {} : validatePatch(Object.fromEntries(Object.entries(stored).filter(([k]) => !bad.has(k))));
    return { limits: effectiveLimits(this.deps.operatorLimits, record), own, defaults };
  }

  async update(update: ServerSettingsUpdate): Promise<ServerSettingsView> {
    const now = this.deps.clock.now();
    if (!update.isAdmin) throw new JobError({ code: 'NOT_ADMIN' }, now);
    const limits = update.limits ? validateLimitsPatch(update.limits, this.deps.operatorLimits, now) : {};
    const defaults = update.defaults === undefined ? undefined : validatePatch(update.defaults ?? {}, 'server defaults', now);
    await this.deps.servers.update(update.platform, update.serverId, { ...limits, ...(defaults === undefined ? {} : { defaults }) }, new Date(now));
    return this.get(update);
  }
}
