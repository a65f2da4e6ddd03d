import { createRequire } from 'node:module';

export interface PackageVersions {
  readonly stylebot: string | null;
  readonly onnxruntime: string | null;
}

let cached: PackageVersions | undefined;

/** The versions that run jobs in this process, for the reproducibility card (stored with each result). */
export function packageVersions(): PackageVersions {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  const version = (id: string) => {
    try {
      return (require(id) as { version?: string }).version ?? null;
    } catch {
      return null;
    }
  };
  // package.json sits two folders up from both src/jobs and dist/jobs
  cached = { stylebot: version('../../package.json'), onnxruntime: version('onnxruntime-node/package.json') };
  return cached;
}
