import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PrismaClient } from '../../src/store/generated/client.js';
import { openStore } from '../../src/store/index.js';
import { expectedTables } from './prisma-schema.js';
import { tempDir } from './support.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const schema = readFileSync(path.join(root, 'prisma/schema.prisma'), 'utf8');

describe('schema.prisma and the migrations', () => {
  let tmp: ReturnType<typeof tempDir>;
  let file: string;
  beforeEach(async () => {
    tmp = tempDir();
    file = path.join(tmp.dir, 'schema.db');
    await (await openStore({ databasePath: file })).close();
  });
  afterEach(() => tmp.cleanup());

  it('the generated client was generated from the current schema.prisma', () => {
    const generated = readFileSync(path.join(root, 'src/store/generated/internal/class.ts'), 'utf8');
    const inline = /"inlineSchema": ("(?:[^"\\]|\\.)*")/.exec(generated)?.[1];
    expect(inline, 'no inlineSchema in the generated client').toBeDefined();
    expect(JSON.parse(inline!) === schema, 'src/store/generated is stale: run `npm run db:generate`').toBe(true);
  });

  it('the migrations build exactly the tables, columns, keys and indexes the schema describes', () => {
    const db = new Database(file, { readonly: true });
    const tables = db
      .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT IN ('_prisma_migrations', 'sqlite_sequence') ORDER BY name")
      .all() as Array<{ name: string; sql: string }>;
    const expected = expectedTables(schema);
    expect(tables.map((t) => t.name)).toEqual(expected.map((t) => t.name).sort());

    for (const table of expected) {
      const sql = tables.find((t) => t.name === table.name)!.sql;
      const columns = db.prepare(`PRAGMA table_info("${table.name}")`).all() as Array<{ name: string; type: string; notnull: number; dflt_value: string | null; pk: number }>;
      expect(
        columns.map((c) => ({ name: c.name, type: c.type, notNull: c.notnull === 1, defaultSql: c.dflt_value })),
        `columns of ${table.name}`,
      ).toEqual(table.columns.map(({ name, type, notNull, defaultSql }) => ({ name, type, notNull, defaultSql })));
      const pk = columns.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name);
      expect(pk, `primary key of ${table.name}`).toEqual(table.primaryKey);
      for (const column of table.columns) {
        expect(sql.includes(`"${column.name}" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT`), `autoincrement of ${table.name}.${column.name}`).toBe(column.autoincrement);
      }

      const indexes = (db.prepare(`PRAGMA index_list("${table.name}")`).all() as Array<{ name: string; unique: number; origin: string }>)
        .filter((i) => i.origin === 'c')
        .map((i) => ({
          name: i.name,
          unique: i.unique === 1,
          columns: (db.prepare(`PRAGMA index_info("${i.name}")`).all() as Array<{ seqno: number; name: string }>).sort((a, b) => a.seqno - b.seqno).map((c) => c.name),
        }))
        .sort((a, b) => a.name.localeCompare(b.name));
      expect(indexes, `indexes of ${table.name}`).toEqual([...table.indexes].sort((a, b) => a.name.localeCompare(b.name)));

      const fkRows = db.prepare(`PRAGMA foreign_key_list("${table.name}")`).all() as Array<{ id: number; seq: number; table: string; from: string; to: string; on_update: string; on_delete: string }>;
      const fks = [...new Set(fkRows.map((r) => r.id))].map((id) => {
        const parts = fkRows.filter((r) => r.id === id).sort((a, b) => a.seq - b.seq);
        return { from: parts.map((p) => p.from), table: parts[0]!.table, to: parts.map((p) => p.to), onDelete: parts[0]!.on_delete, onUpdate: parts[0]!.on_update };
      });
      expect(fks, `foreign keys of ${table.name}`).toEqual(table.foreignKeys.map(({ name: _name, ...fk }) => fk));
      for (const fk of table.foreignKeys) expect(sql, `constraint name in ${table.name}`).toContain(`CONSTRAINT "${fk.name}" FOREIGN KEY`);
    }
    db.close();
  });

  it('every model is written and read back through the generated client, optional fields set and unset', async () => {
    const prisma = new PrismaClient({ adapter: new PrismaBetterSqlite3({ url: `file:${file}` }) });
    try {
      const t = new Date('2025-11-30T12:00:00.000Z');
      const later = new Date('2025-11-30T12:05:00.500Z');

      const presetData = { platform: 'discord', userId: 'u1', name: 'ink', options: '{"steps":50}', createdAt: t, updatedAt: later };
      const preset = await prisma.preset.create({ data: presetData });
      expect(await prisma.preset.findUniqueOrThrow({ where: { id: preset.id } })).toEqual({ id: preset.id, ...presetData });

      const userFull = { platform: 'discord', userId: 'u1', defaultPresetId: preset.id, updatedAt: t };
      const userBare = { platform: 'slack', userId: 'U2', defaultPresetId: null, updatedAt: later };
      await prisma.userSettings.create({ data: userFull });
      await prisma.userSettings.create({ data: userBare });
      expect(await prisma.userSettings.findMany({ orderBy: { platform: 'asc' } })).toEqual([userFull, userBare]);

      const serverFull = {
        platform: 'discord', serverId: 'g1', maxConcurrent: 1, maxRunningPerUser: 1, maxWaitingPerUser: 2,
        userHourlySeconds: 600, serverHourlySeconds: 3600, maxSize: 512, maxSteps: 500, defaults: '{"size":128}', updatedAt: t, maxJobMemoryBytes: 6e9,
      };
      await prisma.serverSettings.create({ data: serverFull });
      await prisma.serverSettings.create({ data: { platform: 'slack', serverId: 'T1', updatedAt: later } });
      expect(await prisma.serverSettings.findMany({ orderBy: { platform: 'asc' } })).toEqual([
        serverFull,
        { platform: 'slack', serverId: 'T1', maxConcurrent: null, maxRunningPerUser: null, maxWaitingPerUser: null, userHourlySeconds: null, serverHourlySeconds: null, maxSize: null, maxSteps: null, defaults: '{}', updatedAt: later, maxJobMemoryBytes: null },
      ]);

      const jobFull = {
        id: 'full0001', platform: 'discord', serverId: 'g1', channelId: 'c1', threadId: 't1', userId: 'u1', status: 'done',
        options: '{"size":64}', presetName: 'ink', totalSteps: 100, progressStep: 100, attempts: 2, estimatedSeconds: 12.5,
        computeSeconds: 10.25, secondsPerStep: 0.1025, resultPath: 'results/full0001/result.png', gifPath: 'results/full0001/progress.gif',
        plotPath: 'results/full0001/losses.png', summary: '{"steps":100}', errorCode: 'X', cancelledBy: 'u9',
        createdAt: t, startedAt: t, finishedAt: later, filesPurgedAt: later, replyRef: '{"thread":"t1"}', uploadLimitBytes: 10_485_760,
        errorDetails: '{"code":"X"}', parentId: 'bare0001', followUp: 'seed', owner: 'host:1:ab', leaseUntil: later,
      };
      await prisma.job.create({ data: jobFull });
      await prisma.job.create({ data: { id: 'bare0001', platform: 'slack', serverId: 'T1', channelId: 'C1', userId: 'U2', status: 'queued', options: '{}', totalSteps: 10, estimatedSeconds: 1, createdAt: t } });
      expect(await prisma.job.findUniqueOrThrow({ where: { id: 'full0001' } })).toEqual(jobFull);
      expect(await prisma.job.findUniqueOrThrow({ where: { id: 'bare0001' } })).toEqual({
        id: 'bare0001', platform: 'slack', serverId: 'T1', channelId: 'C1', threadId: null, userId: 'U2', status: 'queued',
        options: '{}', presetName: null, totalSteps: 10, progressStep: 0, attempts: 0, estimatedSeconds: 1, computeSeconds: null,
        secondsPerStep: null, resultPath: null, gifPath: null, plotPath: null, summary: null, errorCode: null,
        cancelledBy: null, createdAt: t, startedAt: null, finishedAt: null, filesPurgedAt: null, replyRef: null, uploadLimitBytes: null,
        errorDetails: null, parentId: null, followUp: null, owner: null, leaseUntil: null,
      });

      const input = { jobId: 'full0001', position: 0, role: 'content', hash: 'ab'.repeat(32), path: `inputs/ab/${'ab'.repeat(32)}`, bytes: 1234 };
      await prisma.jobInput.create({ data: input });
      expect(await prisma.job.findUniqueOrThrow({ where: { id: 'full0001' }, include: { inputs: true } })).toMatchObject({ inputs: [input] });

      // the keys behave as declared: unique preset names per user, the default cleared with its preset, inputs deleted with their job
      await expect(prisma.preset.create({ data: presetData })).rejects.toThrow(/Unique constraint/);
      await prisma.preset.delete({ where: { id: preset.id } });
      expect((await prisma.userSettings.findFirstOrThrow({ where: { platform: 'discord' } })).defaultPresetId).toBeNull();
      await prisma.job.delete({ where: { id: 'full0001' } });
      expect(await prisma.jobInput.count()).toBe(0);
    } finally {
      await prisma.$disconnect();
    }
  });
});
