import h5wasm from 'h5wasm/node';

export type H5 = typeof h5wasm;
export type H5File = InstanceType<H5['File']>;
export type H5Group = InstanceType<H5['Group']>;
export type H5Dataset = InstanceType<H5['Dataset']>;

let ready: Promise<H5> | undefined;

/**
 * h5wasm is one wasm instance per process. Its default error handler prints HDF5-DIAG traces to stderr
 * and hands back invalid ids (a corrupt file "opens" with id -1), so switch once to the handler that
 * throws: failures then surface where they happen and nothing is printed.
 */
export function loadH5(): Promise<H5> {
  ready ??= h5wasm.ready.then((module) => {
    module.activate_throwing_error_handler();
    return h5wasm;
  });
  return ready;
}

/**
 * The useful line of an HDF5 error stack: the innermost reason plus its "minor" class, e.g.
 * "file signature not found (Not an HDF5 file)". The full stack stays in the error's cause.
 */
export function hdf5Reason(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const reasons = [...text.matchAll(/ in [\w.]+\(\): (.*)$/gm)].map((m) => m[1]);
  const minors = [...text.matchAll(/minor: (.*)$/gm)].map((m) => m[1]);
  const reason = reasons.at(-1);
  if (!reason) return text.split('\n')[0] ?? text;
  const minor = minors.at(-1);
  return minor ? `${reason} (${minor})` : reason;
}

/** Closing must not hide the error that is already on its way out, and after a success the data is copied. */
export function closeQuietly(file: H5File): void {
  try {
    file.close();
  } catch {
    // nothing left to do: the handle is unusable either way
  }
}
