import type { PrismaClient } from './generated/client.js';
import type { Preset } from './generated/client.js';
import { fromJson, toJson } from './json.js';
import type { PresetRecord } from './records.js';

export interface PresetKey {
  readonly platform: string;
  readonly userId: string;
}

/** Presets of one user and which one is their default. */
export class PresetRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /**
   * Creates or replaces the preset of that name; `created` tells which. With `maxPresets`, a new name is
   * refused (`limitReached`) when the user has that many already: counted and written in one transaction,
   * so two saves at once cannot both pass the count.
   */
  async save(owner: PresetKey, name: string, options: unknown, now: Date, maxPresets = Infinity): Promise<{ preset: PresetRecord; created: boolean } | { limitReached: true }> {
    const where = { platform_userId_name: { ...owner, name } };
    return this.prisma.$transaction(async (tx) => {
      const existing = await tx.preset.findUnique({ where, select: { id: true } });
      if (existing === null && (await tx.preset.count({ where: owner })) >= maxPresets) return { limitReached: true as const };
      const row = await tx.preset.upsert({
        where,
        create: { ...owner, name, options: toJson(options), createdAt: now, updatedAt: now },
        update: { options: toJson(options), updatedAt: now },
      });
      const settings = await tx.userSettings.findUnique({ where: { platform_userId: owner }, select: { defaultPresetId: true } });
      return { preset: toRecord(row, settings?.defaultPresetId ?? null), created: existing === null };
    });
  }

  async get(owner: PresetKey, name: string): Promise<PresetRecord | null> {
    const row = await this.prisma.preset.findUnique({ where: { platform_userId_name: { ...owner, name } } });
    return row ? toRecord(row, await this.defaultId(owner)) : null;
  }

  async list(owner: PresetKey): Promise<PresetRecord[]> {
    const [rows, defaultId] = await Promise.all([
      this.prisma.preset.findMany({ where: owner, orderBy: { name: 'asc' } }),
      this.defaultId(owner),
    ]);
    return rows.map((row) => toRecord(row, defaultId));
  }

  async count(owner: PresetKey): Promise<number> {
    return this.prisma.preset.count({ where: owner });
  }

  /** Deleting the default preset clears the default (the foreign key does it). */
  async delete(owner: PresetKey, name: string): Promise<boolean> {
    const { count } = await this.prisma.preset.deleteMany({ where: { ...owner, name } });
    return count === 1;
  }

  async getDefault(owner: PresetKey): Promise<PresetRecord | null> {
    const settings = await this.prisma.userSettings.findUnique({
      where: { platform_userId: owner },
      include: { defaultPreset: true },
    });
    return settings?.defaultPreset ? toRecord(settings.defaultPreset, settings.defaultPreset.id) : null;
  }

  /** Makes `name` the user's default, or clears the default with null. False when no such preset. */
  async setDefault(owner: PresetKey, name: string | null, now: Date): Promise<boolean> {
    let presetId: number | null = null;
    if (name !== null) {
      const preset = await this.prisma.preset.findUnique({ where: { platform_userId_name: { ...owner, name } }, select: { id: true } });
      if (!preset) return false;
      presetId = preset.id;
    }
    await this.prisma.userSettings.upsert({
      where: { platform_userId: owner },
      create: { ...owner, defaultPresetId: presetId, updatedAt: now },
      update: { defaultPresetId: presetId, updatedAt: now },
    });
    return true;
  }

  private async defaultId(owner: PresetKey): Promise<number | null> {
    const settings = await this.prisma.userSettings.findUnique({ where: { platform_userId: owner }, select: { defaultPresetId: true } });
    return settings?.defaultPresetId ?? null;
  }
}

function toRecord(row: Preset, defaultId: number | null): PresetRecord {
  return { ...row, options: fromJson(row.options, `preset ${row.name} options`), isDefault: row.id === defaultId };
}
