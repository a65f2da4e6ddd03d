import path from 'node:path';
import { defineConfig } from 'prisma/config';

/**
 * Configuration of the Prisma CLI (`prisma generate`, and `prisma migrate deploy|status` for those who have
 * Prisma's engines). The bot itself does not read this file: src/config.ts parses the same DATABASE_URL
 * and src/store/migrate.ts applies the same migrations at startup.
 */
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: resolveSqliteUrl(process.env.DATABASE_URL || 'file:./data/stylebot.db') },
});

/**
 * The bot resolves a relative SQLite path against its working directory; the CLI's own rule has changed
 * between Prisma versions. An absolute path makes both open the same file when run from the same place.
 */
function resolveSqliteUrl(url: string): string {
  if (!url.startsWith('file:')) return url;
  const file = url.slice('file:'.length);
  return `file:${path.resolve(process.cwd(), file)}`;
}
