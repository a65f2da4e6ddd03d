import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MIGRATIONS_DIR, openStore, readMigrations, StoreError, migrate } from '../../src/store/index.js';
import { tempDirPerTest } from './support.js';

interface MigrationRow {
  id: string;
  checksum: string;
  finished_at: unknown;
  migration_name: string;
  logs: string | null;
  rolled_back_at: unknown;
  started_at: unknown;
  applied_steps_count: number;
}

function rows(file: string): MigrationRow[] {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare('SELECT * FROM _prisma_migrations ORDER BY started_at').all() as MigrationRow[];
  } finally {
    db.close();
  }
}

describe('startup migrations', () => {
  const tmp = tempDirPerTest();

  it('creates the database file and folder on first start and records each migration as Prisma does', async () => {
    const file = path.join(tmp.dir, 'nested', 'data', 'stylebot.db');
    const store = await openStore({ databasePath: file, now: () => 1_764_460_800_123 });
    await store.close();
    expect(existsSync(file)).toBe(true);

    const names = readMigrations(DEFAULT_MIGRATIONS_DIR).map((m) => m.name);
    expect(store.migrations.applied).toEqual(names);
    const recorded = rows(file);
    expect(recorded.map((r) => r.migration_name)).toEqual(names);
    for (const row of recorded) {
      const sql = readFileSync(path.join(DEFAULT_MIGRATIONS_DIR, row.migration_name, 'migration.sql'));
      expect(row.checksum).toBe(createHash('sha256').update(sql).digest('hex'));
      expect(row.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      // Prisma's SQLite driver stores DateTime as Unix milliseconds
      expect(row.started_at).toBe(1_764_460_800_123);
      expect(row.finished_at).toBe(1_764_460_800_123);
      expect(row.applied_steps_count).toBe(1);
      expect(row.logs).toBeNull();
      expect(row.rolled_back_at).toBeNull();
    }
  });

  it('creates _prisma_migrations with the columns Prisma declares', async () => {
    const file = path.join(tmp.dir, 'a.db');
    await (await openStore({ databasePath: file })).close();
    const db = new Database(file, { readonly: true });
    const columns = db.prepare('PRAGMA table_info(_prisma_migrations)').all() as Array<{ name: string; type: string; notnull: number; dflt_value: string | null; pk: number }>;
    db.close();
    expect(columns.map((c) => [c.name, c.type, c.notnull, c.dflt_value, c.pk])).toEqual([
      ['id', 'TEXT', 1, null, 1],
      ['checksum', 'TEXT', 1, null, 0],
      ['finished_at', 'DATETIME', 0, null, 0],
      ['migration_name', 'TEXT', 1, null, 0],
      ['logs', 'TEXT', 0, null, 0],
      ['rolled_back_at', 'DATETIME', 0, null, 0],
      ['started_at', 'DATETIME', 1, 'current_timestamp', 0],
      ['applied_steps_count', 'INTEGER UNSIGNED', 1, '0', 0],
    ]);
  });

  it('applies nothing the second time, and only the new migration after an upgrade', async () => {
    const dir = path.join(tmp.dir, 'migrations');
    cpSync(DEFAULT_MIGRATIONS_DIR, dir, { recursive: true });
    const file = path.join(tmp.dir, 'b.db');
    await (await openStore({ databasePath: file, migrationsDir: dir })).close();

    const again = await openStore({ databasePath: file, migrationsDir: dir });
    await again.close();
    expect(again.migrations.applied).toEqual([]);

    mkdirSync(path.join(dir, '29991231000000_add_note'));
    writeFileSync(path.join(dir, '29991231000000_add_note', 'migration.sql'), '-- AlterTable\nALTER TABLE "Job" ADD COLUMN "note" TEXT;\n');
    const upgraded = await openStore({ databasePath: file, migrationsDir: dir });
    await upgraded.close();
    expect(upgraded.migrations.applied).toEqual(['29991231000000_add_note']);
    expect(rows(file).at(-1)).toMatchObject({ migration_name: '29991231000000_add_note', applied_steps_count: 1 });
  });

  it('records a failing migration with its logs and refuses to start until it is resolved', async () => {
    const dir = path.join(tmp.dir, 'migrations');
    cpSync(DEFAULT_MIGRATIONS_DIR, dir, { recursive: true });
    mkdirSync(path.join(dir, '29991231000000_broken'));
    writeFileSync(path.join(dir, '29991231000000_broken', 'migration.sql'), 'ALTER TABLE "Nope" ADD COLUMN "x" TEXT;\n');
    const file = path.join(tmp.dir, 'c.db');

    const first = await openStore({ databasePath: file, migrationsDir: dir }).catch((e: unknown) => e);
    expect(first).toBeInstanceOf(StoreError);
    expect(first).toMatchObject({ code: 'MIGRATION_FAILED' });
    const broken = rows(file).find((r) => r.migration_name === '29991231000000_broken')!;
    expect(broken.finished_at).toBeNull();
    expect(broken.applied_steps_count).toBe(0);
    expect(broken.logs).toContain('no such table: Nope');

    const second = await openStore({ databasePath: file, migrationsDir: dir }).catch((e: unknown) => e);
    expect(second).toMatchObject({ code: 'MIGRATION_FAILED' });
    expect((second as Error).message).toContain('prisma migrate resolve --rolled-back 29991231000000_broken');
  });

  it('reports edited migrations and accepts line-ending changes made by git', async () => {
    const dir = path.join(tmp.dir, 'migrations');
    cpSync(DEFAULT_MIGRATIONS_DIR, dir, { recursive: true });
    const file = path.join(tmp.dir, 'd.db');
    await (await openStore({ databasePath: file, migrationsDir: dir })).close();
    const [init] = readMigrations(dir);
    const sqlFile = path.join(dir, init!.name, 'migration.sql');

    writeFileSync(sqlFile, init!.script.replace(/\n/g, '\r\n'));
    const crlf = await openStore({ databasePath: file, migrationsDir: dir });
    await crlf.close();
    expect(crlf.migrations.modified).toEqual([]);

    writeFileSync(sqlFile, `${init!.script}-- edited\n`);
    const edited = await openStore({ databasePath: file, migrationsDir: dir });
    await edited.close();
    expect(edited.migrations.modified).toEqual([init!.name]);
  });

  it('refuses migrations written for another database', () => {
    const dir = path.join(tmp.dir, 'migrations');
    cpSync(DEFAULT_MIGRATIONS_DIR, dir, { recursive: true });
    writeFileSync(path.join(dir, 'migration_lock.toml'), 'provider = "postgresql"\n');
    expect(() => readMigrations(dir)).toThrow(/postgresql/);
  });

  it('reports migrations applied by a newer release', () => {
    const db = new Database(':memory:');
    migrate(db, readMigrations(DEFAULT_MIGRATIONS_DIR));
    const older = migrate(db, []);
    db.close();
    expect(older.unknown).toEqual(readMigrations(DEFAULT_MIGRATIONS_DIR).map((m) => m.name));
  });
});
