import { BucketedValues } from './bucketedValues';
import { keyOfFloat32 } from './floatKeys';
import { bucketChunks, Float32RadixSorter } from './radixSort';
import { createPiecesJob, sumClaimedPieces } from './sharedPieces';

/** Values, thresholds and rounds of the warm-up: enough for V8 to compile the pass, 55-65 ms here (most of it compiling). */
const warmValues = 1 << 15;
const warmThresholds = 3000;
const warmRounds = 3;

/**
 * Sums the pieces of a small synthetic tensor the way a helper thread sums its chunks of a search's pass
 * over the buckets (sumClaimedPieces on a job passed through `clone`, the host's structured clone, as a
 * posted job is), so that a thread waiting for that job starts it with the pass compiled. Measured here
 * on a 10^7-element search: a cold helper summed a chunk in 3.5 ms, a warm one in 2.2; and no warm-up
 * left it taking 11-18 of the 38 chunks where it takes about 22 warm. It runs while the main thread
 * picks the percentiles and the threshold keys, after the helper's share of the scatter pass: run at the
 * thread's start instead, it slowed the main thread's second pass from 50 to 75-95 ms.
 */
export function warmPieceSums(clone: <T>(value: T) => T): void {
  // Both signs, most values in a few hundred full buckets cut by a few thresholds each (as in a large
  // tensor: the pass is per value, not per bucket), some near 0 in buckets no threshold cuts.
  const values = new Float32Array(warmValues);
  for (let i = 0; i < warmValues; i++) {
    const f = (i * 0.6180339887498949) % 1;
    values[i] = (i % 2 === 0 ? 1 : -1) * (i % 61 === 0 ? 1e-3 * f : 64 + 64 * f);
  }
  const bits = new Int32Array(values.buffer);
  const sorter = new Float32RadixSorter();
  sorter.count(bits);
  sorter.beginLow16(new Uint16Array(new SharedArrayBuffer(warmValues * 2)));
  sorter.scatterLow16(bits);
  const { low, starts } = sorter.low16Buckets();
  const bucketed = new BucketedValues(low, starts);
  const thresholds = new Int32Array(warmThresholds);
  for (let j = 0; j < warmThresholds; j++) thresholds[j] = keyOfFloat32(-128 + (256 * j) / warmThresholds);
  for (let round = 0; round < warmRounds; round++) {
    // Small chunks: the claims' loop turns as often as on a large tensor.
    sumClaimedPieces(clone(createPiecesJob(bucketed, thresholds, bucketChunks(starts, 1 << 12))));
  }
}
