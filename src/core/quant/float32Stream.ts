import { CancelledError } from '../errors';
import type { WorkControl } from '../formats/tensorFile';
import { Float32RadixSorter } from '../search/radixSort';
import { rememberSortedIndex, SortedIndexBuilder } from '../search/sortedIndex';
import { requireFinite } from './finiteValues';
import { PreparedValues } from './preparedValues';
import type { SummaryStats } from './summaryStats';

/** A streamed tensor made ready for searches, with the summary statistics the passes found. */
export interface StreamedValues {
  readonly prepared: PreparedValues;
  readonly stats: SummaryStats;
}

/**
 * Prepares a float32 tensor for searches from two passes over its elements in element order, without
 * ever holding them: the only large allocation is the sorted copy (4 bytes a value), so a 10^7-element
 * tensor costs 40 MB of fresh memory where reading it (float64 values) and sorting a copy cost 200 MB.
 *
 * Pass one counts NaN and ±Inf, finds min and max, sums the values (summaryStats's first pass) and counts
 * the radix sort's first digit; pass two sums the squared deviations from the mean (summaryStats's second
 * pass) and scatters the values into their buckets; `finish` sorts the buckets and builds the block sums
 * of the sorted index bucket by bucket while each is in cache. Every figure equals, bit for bit, what
 * `new PreparedValues(values)` and `summaryStats` give on the same elements read whole: the same
 * comparisons and the same compensated sums, in the same order.
 */
export class Float32StreamPreparer {
  private readonly sorter = new Float32RadixSorter();
  private elements = 0;
  private nanCount = 0;
  private posInfCount = 0;
  private negInfCount = 0;
  private min = Infinity;
  private max = -Infinity;
  // Neumaier sums (CompensatedSum, inlined): of the values, then of the squared deviations.
  private sum = 0;
  private sumC = 0;
  private dev = 0;
  private devC = 0;
  private mean = NaN;
  private pass = 1;

  constructor(private readonly tensorName: string) {}

  /** Pass one over a chunk of float32 bits, chunks in element order. */
  first(bits: Int32Array): void {
    if (this.pass !== 1) throw new Error('Float32StreamPreparer.first after the first pass');
    const values = new Float32Array(bits.buffer, bits.byteOffset, bits.length);
    let { nanCount, posInfCount, negInfCount, min, max, sum, sumC } = this;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v !== v) nanCount++;
      else if (v === Infinity) posInfCount++;
      else if (v === -Infinity) negInfCount++;
      else {
        if (v < min) min = v;
        if (v > max) max = v;
        const t = sum + v;
        if (Math.abs(sum) >= Math.abs(v)) sumC += (sum - t) + v;
        else sumC += (v - t) + sum;
        sum = t;
      }
    }
    this.nanCount = nanCount;
    this.posInfCount = posInfCount;
    this.negInfCount = negInfCount;
    this.min = min;
    this.max = max;
    this.sum = sum;
    this.sumC = sumC;
    this.elements += values.length;
    this.sorter.count(bits);
  }

  /** Ends pass one: refuses a tensor with no finite value, as PreparedValues does. */
  beginSecondPass(): void {
    const finite = this.sorter.length;
    requireFinite({ values: { length: finite } }, this.elements, this.tensorName);
    this.mean = (this.sum + this.sumC) / finite;
    this.sorter.begin();
    this.pass = 2;
  }

  /** Pass two over a chunk, the same chunks as pass one (in element order, for the deviation sum). */
  second(bits: Int32Array): void {
    if (this.pass !== 2) throw new Error('Float32StreamPreparer.second outside the second pass');
    const values = new Float32Array(bits.buffer, bits.byteOffset, bits.length);
    const mean = this.mean;
    let { dev, devC } = this;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v - v !== 0) continue;
      const d = v - mean;
      const p = d * d;
      const t = dev + p;
      if (Math.abs(dev) >= Math.abs(p)) devC += (dev - t) + p;
      else devC += (p - t) + dev;
      dev = t;
    }
    this.dev = dev;
    this.devC = devC;
    this.sorter.scatter(bits);
  }

  /** Sorts, builds the sorted index alongside, and returns the prepared values and their statistics. */
  finish(control: WorkControl = {}): StreamedValues {
    if (this.pass !== 2) throw new Error('Float32StreamPreparer.finish before the second pass');
    this.pass = 3;
    let builder: SortedIndexBuilder | undefined;
    const sorted = this.sorter.finish(control, (values, _from, to) => {
      builder ??= new SortedIndexBuilder(values, control);
      builder.consume(to);
    });
    if (control.signal?.aborted) throw new CancelledError();
    builder ??= new SortedIndexBuilder(sorted, control);
    builder.consume(sorted.length);
    const index = builder.finish();
    const { nanCount, posInfCount, negInfCount, min, max } = this;
    const prepared = new PreparedValues(sorted, this.tensorName, sorted, { nanCount, posInfCount, negInfCount, min, max });
    rememberSortedIndex(prepared, index);
    const n = sorted.length;
    return { prepared, stats: { min, max, mean: this.mean, std: Math.sqrt((this.dev + this.devC) / n) } };
  }
}
