import { affineParams } from '../quant/affineParams';
import { RangeEvaluator } from './rangeEvaluator';
import { SortedIndexBuilder } from './sortedIndex';

/** Values and ranges of the warm-up: enough for V8 to optimise every evaluator path, a few ms here. */
const warmValues = 16384;
const warmRanges = 24;

/**
 * Measures a few ranges on a small synthetic index, so that a thread about to measure ranges on a large
 * one starts with the evaluator compiled: measured here, the first 101 ranges of a 10^7-element search
 * took 110-125 ms on a cold thread against 45-55 ms warm, and this warm-up costs about 20 ms.
 */
export function warmRangeEvaluator(): void {
  const values = new Float32Array(warmValues);
  // Skewed and tailed, with ties: long runs (block sums) and short ones (value by value).
  for (let i = 0; i < warmValues; i++) values[i] = Math.fround(-3 + 6 * (i / warmValues) ** 3 + (i % 7 === 0 ? 0 : 1e-3 * (i % 5)));
  values.sort();
  const builder = new SortedIndexBuilder(values);
  builder.consume(values.length);
  const evaluator = new RangeEvaluator(builder.finish(), { lower: -2, upper: 2 }, values);
  for (let r = 0; r < warmRanges; r++) evaluator.measure(affineParams(-3 + r * 0.01, 3 - r * 0.013, 8), r % 4 !== 3);
}
