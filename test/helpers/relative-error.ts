/**
 * ||actual - expected|| / ||expected|| over whole vectors. Free of vitest, so the GPU check (bench/gpu.ts)
 * scores its gradients with the same measure as the gradient and tile tests.
 */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < expected.length; i++) {
    num += (actual[i]! - expected[i]!) ** 2;
    den += expected[i]! ** 2;
  }
  return Math.sqrt(num / den);
}
