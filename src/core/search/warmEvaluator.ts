import { chooseParams } from '../quant/clipRange';
import { PreparedValues } from '../quant/preparedValues';
import { createMeasureJob, measureClaimed } from './sharedMeasure';
import { SortedIndexBuilder } from './sortedIndex';

/** Values and percentiles of the warm-up: enough for V8 to optimise every evaluator path, a few ms here. */
const warmValues = 16384;
const warmPercentiles = 24;

/**
 * Measures a few ranges of a small synthetic tensor the way a helper thread measures a search's ranges,
 * so that a thread about to measure ranges on a large one starts with the evaluator compiled: measured
 * here, the first 101 ranges of a 10^7-element search took 110-125 ms on a cold thread against 45-55 ms
 * warm, and this warm-up costs about 20 ms.
 *
 * Every object has the shape the real job's will have: a shared index, fences and ranges from a
 * PreparedValues, the whole job passed through `clone` (the host's structured clone) as a posted job is. V8 compiles the
 * evaluator for the shapes (maps) it meets; a warm-up on plain objects left code that the first posted
 * job threw away ("wrong map"), and the helper then measured its first ranges slowly while V8 compiled
 * the evaluator again.
 */
export function warmRangeEvaluator(clone: <T>(value: T) => T): void {
  const values = new Float32Array(new SharedArrayBuffer(warmValues * Float32Array.BYTES_PER_ELEMENT));
  // Skewed and tailed, with ties: long runs (block sums) and short ones (value by value).
  for (let i = 0; i < warmValues; i++) values[i] = Math.fround(-3 + 6 * (i / warmValues) ** 3 + (i % 7 === 0 ? 0 : 1e-3 * (i % 5)));
  values.sort();
  const builder = new SortedIndexBuilder(values, {}, true);
  builder.consume(values.length);
  const index = builder.finish();
  const prepared = new PreparedValues(values, 'warm-up', values, { nanCount: 0, posInfCount: 0, negInfCount: 0, min: values[0], max: values[warmValues - 1] });
  const params = [];
  for (let r = 0; r < warmPercentiles; r++) params.push(chooseParams(prepared, { bits: 8, range: 'percentile', percentile: 99 + r / warmPercentiles }));
  const fences = prepared.fences();
  for (const useBlocks of [true, false]) measureClaimed(clone(createMeasureJob(index, fences, useBlocks, params)));
}
