import type { PrismaClient } from './generated/client.js';
import type { ServerSettings } from './generated/client.js';
import { fromJson, toJson } from './json.js';
import type { ServerSettingsPatch, ServerSettingsRecord } from './records.js';

export class ServerSettingsRepository {
  constructor(private readonly prisma: PrismaClient) {}

  async get(platform: string, serverId: string): Promise<ServerSettingsRecord | null> {
    const row = await this.prisma.serverSettings.findUnique({ where: { platform_serverId: { platform, serverId } } });
    return row ? toRecord(row) : null;
  }

  async update(platform: string, serverId: string, patch: ServerSettingsPatch, now: Date): Promise<ServerSettingsRecord> {
    const { defaults, ...limits } = patch;
    const data = { ...limits, ...(defaults === undefined ? {} : { defaults: toJson(defaults ?? {}) }), updatedAt: now };
    const row = await this.prisma.serverSettings.upsert({
      where: { platform_serverId: { platform, serverId } },
      create: { platform, serverId, ...data },
      update: data,
    });
    return toRecord(row);
  }
}

function toRecord(row: ServerSettings): ServerSettingsRecord {
  return { ...row, defaults: fromJson(row.defaults, `server ${row.platform}/${row.serverId} defaults`) };
}
