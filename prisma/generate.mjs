// Runs `prisma generate` on any machine, offline included.
//
// Generating the client needs no schema engine (Prisma 7 reads the schema with its bundled WebAssembly
// module), yet the CLI downloads the engine binary before every command and fails without network.
// Pointing PRISMA_SCHEMA_ENGINE_BINARY at any existing file skips that download; we use the schema file
// itself. Someone who sets the variable (or has the real engine for `prisma migrate`) keeps their value.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const env = { ...process.env, CHECKPOINT_DISABLE: process.env.CHECKPOINT_DISABLE ?? '1' };
if (!env.PRISMA_SCHEMA_ENGINE_BINARY && !env.PRISMA_MIGRATION_ENGINE_BINARY) {
  env.PRISMA_SCHEMA_ENGINE_BINARY = fileURLToPath(new URL('./schema.prisma', import.meta.url));
}
const cli = require.resolve('prisma/build/index.js');
// Quiet when it works (its banners are noise on every start); everything it said when it fails.
const result = spawnSync(process.execPath, [cli, 'generate', '--no-hints'], { stdio: ['inherit', 'pipe', 'pipe'], env, encoding: 'utf8' });
if (result.status !== 0) process.stderr.write(`${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? `${result.error.message}\n` : ''}`);
process.exit(result.status ?? 1);
